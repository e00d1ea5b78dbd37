package dev.berth.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The objects of the Kubernetes API as it stores them (JSON text, by resource, namespace and
 * name), each with the resourceVersion of its last change: one counter for the root, kept in the
 * database, so versions only grow, across restarts of the server too.
 */
final class ApiObjectTable {
    private final Database db;

    ApiObjectTable(Database db) {
        this.db = db;
    }

    /** The next resourceVersion, taken in the same transaction as the write it numbers. */
    private long next() throws java.sql.SQLException {
        try (PreparedStatement p = db.prepareStatement("UPDATE api_versions SET last = last + 1 RETURNING last");
                ResultSet rs = p.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The newest resourceVersion given. */
    long lastVersion() {
        return db.read(() -> {
            try (PreparedStatement p = db.prepareStatement("SELECT last FROM api_versions"); ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /**
     * Writes an object with a new resourceVersion made from {@code json} by {@code stamp}; with
     * {@code expected} non-zero, only when the stored one is still at that version (else returns
     * empty: a conflict, or gone).
     */
    Optional<StateStore.ApiObject> put(String resource, String namespace, String name, long expected, java.util.function.LongFunction<String> stamp) {
        return db.inTransaction(() -> {
            if (expected != 0) {
                Optional<StateStore.ApiObject> now = get(resource, namespace, name);
                if (now.isEmpty() || now.get().version() != expected) {
                    return Optional.empty();
                }
            }
            long version = next();
            String json = stamp.apply(version);
            try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO api_objects (resource, namespace, name, version, json) VALUES (?, ?, ?, ?, ?)")) {
                p.setString(1, resource);
                p.setString(2, namespace);
                p.setString(3, name);
                p.setLong(4, version);
                p.setString(5, json);
                p.executeUpdate();
            }
            return Optional.of(new StateStore.ApiObject(resource, namespace, name, version, json));
        });
    }

    /** Removes an object; returns the resourceVersion its removal got, or 0 when it was not there. */
    long delete(String resource, String namespace, String name) {
        return db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("DELETE FROM api_objects WHERE resource = ? AND namespace = ? AND name = ?")) {
                p.setString(1, resource);
                p.setString(2, namespace);
                p.setString(3, name);
                return p.executeUpdate() == 0 ? 0L : next();
            }
        });
    }

    Optional<StateStore.ApiObject> get(String resource, String namespace, String name) {
        return db.read(() -> {
            try (PreparedStatement p = db.prepareStatement("SELECT version, json FROM api_objects WHERE resource = ? AND namespace = ? AND name = ?")) {
                p.setString(1, resource);
                p.setString(2, namespace);
                p.setString(3, name);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(new StateStore.ApiObject(resource, namespace, name, rs.getLong(1), rs.getString(2))) : Optional.empty();
                }
            }
        });
    }

    /** Every object of {@code resource} (null: of every resource), by namespace and name. */
    List<StateStore.ApiObject> list(String resource) {
        return db.read(() -> {
            List<StateStore.ApiObject> list = new ArrayList<>();
            try (PreparedStatement p = db.prepareStatement("SELECT resource, namespace, name, version, json FROM api_objects"
                    + " WHERE ? IS NULL OR resource = ? ORDER BY namespace, name")) {
                p.setString(1, resource);
                p.setString(2, resource);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        list.add(new StateStore.ApiObject(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5)));
                    }
                }
            }
            return list;
        });
    }
}
