package dev.berth.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reconciles: each one's source, revision, objects and last error. */
final class ReconcileTable {
    private final Database db;

    ReconcileTable(Database db) {
        this.db = db;
    }

    public void putReconcile(StateStore.ReconcileRecord r) {
        db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO reconciles (name, source, revision, objects, error, updated)"
                    + " VALUES (?, ?, ?, ?, ?, ?)")) {
                p.setString(1, r.name());
                p.setString(2, r.source());
                p.setString(3, r.revision());
                p.setString(4, r.objects());
                p.setString(5, r.error());
                p.setString(6, r.updated().toString());
                p.executeUpdate();
            }
            return null;
        });
    }

    public List<StateStore.ReconcileRecord> reconciles() {
        return db.read(() -> {
            List<StateStore.ReconcileRecord> list = new ArrayList<>();
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT name, source, revision, objects, error, updated FROM reconciles ORDER BY name")) {
                while (rs.next()) {
                    list.add(new StateStore.ReconcileRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            Database.instant(rs.getString(6))));
                }
            }
            return list;
        });
    }

    public void deleteReconcile(String name) {
        db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("DELETE FROM reconciles WHERE name = ?")) {
                p.setString(1, name);
                p.executeUpdate();
            }
            return null;
        });
    }
}
