package dev.berth.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Pods: their specs, sandboxes and network attachments. */
final class PodTable {
    private final Database db;

    PodTable(Database db) {
        this.db = db;
    }

    /** Records a new pod; a pod of that name already recorded is an error (the caller holds the pod's lock and removed any before). */
    public void insertPod(PodRecord p) {
        db.inTransaction(() -> {
            try (PreparedStatement s = db.prepareStatement(
                    "INSERT INTO pods (name, namespace, spec_hash, spec, infra_id, netns, status, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, p.name());
                s.setString(2, p.namespace());
                s.setString(3, p.specHash());
                s.setString(4, p.spec());
                s.setString(5, p.infraId());
                s.setString(6, p.netns());
                s.setString(7, p.status().name());
                s.setString(8, p.created().toString());
                s.executeUpdate();
            }
            return null;
        });
    }

    public void updatePod(String name, String infraId, PodRecord.Status status) {
        db.inTransaction(() -> {
            try (PreparedStatement s = db.prepareStatement("UPDATE pods SET infra_id = coalesce(?, infra_id), status = ? WHERE name = ?")) {
                s.setString(1, infraId);
                s.setString(2, status.name());
                s.setString(3, name);
                s.executeUpdate();
            }
            return null;
        });
    }

    /** What the pod's network attachment needs for its removal: network, port mappings, the CNI ADD result. */
    public void setPodNetwork(String name, String network) {
        db.inTransaction(() -> {
            try (PreparedStatement s = db.prepareStatement("UPDATE pods SET network = ? WHERE name = ?")) {
                s.setString(1, network);
                s.setString(2, name);
                s.executeUpdate();
            }
            return null;
        });
    }

    public Optional<String> podNetwork(String name) {
        return db.read(() -> {
            try (PreparedStatement s = db.prepareStatement("SELECT network FROM pods WHERE name = ?")) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /** How many pods other than {@code except} are attached to the named network. */
    public int podsOnNetwork(String network, String except) {
        return db.read(() -> {
            try (PreparedStatement s = db.prepareStatement(
                    "SELECT count(*) FROM pods WHERE name != ? AND network LIKE '%\"network\":\"' || ? || '\"%'")) {
                s.setString(1, except);
                s.setString(2, network);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.getInt(1);
                }
            }
        });
    }

    public void deletePod(String name) {
        db.inTransaction(() -> {
            try (PreparedStatement s = db.prepareStatement("DELETE FROM pods WHERE name = ?")) {
                s.setString(1, name);
                s.executeUpdate();
            }
            return null;
        });
    }

    public List<PodRecord> pods() {
        return db.read(() -> {
            List<PodRecord> list = new ArrayList<>();
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM pods ORDER BY created, name")) {
                while (rs.next()) {
                    list.add(new PodRecord(rs.getString("name"), rs.getString("namespace"), rs.getString("spec_hash"),
                            rs.getString("spec"), rs.getString("infra_id"), rs.getString("netns"),
                            PodRecord.Status.valueOf(rs.getString("status")), Database.instant(rs.getString("created"))));
                }
            }
            return list;
        });
    }

    public Optional<PodRecord> pod(String name) {
        return pods().stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
