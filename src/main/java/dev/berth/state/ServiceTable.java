package dev.berth.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Services: virtual IPs, specs and the rules applied for them. */
final class ServiceTable {
    private final Database db;

    ServiceTable(Database db) {
        this.db = db;
    }

    /**
     * Records a new Service. A plain insert: a name or address already taken is an error, never a
     * silent replacement of another Service's row (which would orphan its rules).
     */
    public void insertService(StateStore.ServiceRecord s) {
        db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("INSERT INTO services (name, namespace, ip, rules, spec) VALUES (?, ?, ?, ?, ?)")) {
                p.setString(1, s.name());
                p.setString(2, s.namespace());
                p.setString(3, s.ip());
                p.setString(4, s.rules());
                p.setString(5, s.spec());
                p.executeUpdate();
            }
            return null;
        });
    }

    /** The rules now applied for a Service. */
    public void setServiceRules(String name, String rules) {
        db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("UPDATE services SET rules = ? WHERE name = ?")) {
                p.setString(1, rules);
                p.setString(2, name);
                p.executeUpdate();
            }
            return null;
        });
    }

    /** A Service's spec, changed in its manifest. */
    public void setServiceSpec(String name, String spec) {
        db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("UPDATE services SET spec = ? WHERE name = ?")) {
                p.setString(1, spec);
                p.setString(2, name);
                p.executeUpdate();
            }
            return null;
        });
    }

    public List<StateStore.ServiceRecord> services() {
        return db.read(() -> {
            List<StateStore.ServiceRecord> list = new ArrayList<>();
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT name, namespace, ip, rules, spec FROM services ORDER BY name")) {
                while (rs.next()) {
                    list.add(new StateStore.ServiceRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                }
            }
            return list;
        });
    }

    public void deleteService(String name) {
        db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("DELETE FROM services WHERE name = ?")) {
                p.setString(1, name);
                p.executeUpdate();
            }
            return null;
        });
    }
}
