package dev.berth.state;

import dev.berth.api.BerthException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Containers: their records, restart counts and readiness. */
final class ContainerTable {
    private final Database db;

    ContainerTable(Database db) {
        this.db = db;
    }

    /** Records a new container; throws a {@link BerthException} when the name is taken. */
    public void insertContainer(ContainerRecord c) {
        db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("SELECT id FROM containers WHERE name = ?")) {
                p.setString(1, c.name());
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next()) {
                        throw new BerthException(BerthException.Kind.INVALID_INPUT, "the container name \"" + c.name()
                                + "\" is already in use by " + rs.getString(1).substring(0, 12) + "; remove it (berth rm -f "
                                + c.name() + ") or choose another name");
                    }
                }
            }
            try (PreparedStatement p = db.prepareStatement(
                    "INSERT INTO containers (id, name, image_id, image_name, pod, config, status, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                p.setString(1, c.id());
                p.setString(2, c.name());
                p.setString(3, c.imageId());
                p.setString(4, c.imageName());
                p.setString(5, c.pod());
                p.setString(6, c.config());
                p.setString(7, c.status().name());
                p.setString(8, c.created().toString());
                p.executeUpdate();
            }
            return null;
        });
    }

    public void updateContainer(String id, ContainerRecord.Status status, Instant started, Instant finished, Integer exitCode) {
        db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement(
                    "UPDATE containers SET status = ?, started = coalesce(?, started), finished = coalesce(?, finished), exit_code = coalesce(?, exit_code) WHERE id = ?")) {
                p.setString(1, status.name());
                p.setString(2, started == null ? null : started.toString());
                p.setString(3, finished == null ? null : finished.toString());
                if (exitCode == null) {
                    p.setNull(4, java.sql.Types.INTEGER);
                } else {
                    p.setInt(4, exitCode);
                }
                p.setString(5, id);
                p.executeUpdate();
            }
            return null;
        });
    }

    public void setContainerConfig(String id, String config) {
        db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("UPDATE containers SET config = ? WHERE id = ?")) {
                p.setString(1, config);
                p.setString(2, id);
                p.executeUpdate();
            }
            return null;
        });
    }

    public void deleteContainer(String id) {
        db.inTransaction(() -> {
            // foreign keys are not enforced: the rows that hang off a container go with it here
            for (String table : List.of("restarts", "readiness")) {
                try (PreparedStatement p = db.prepareStatement("DELETE FROM " + table + " WHERE container_id = ?")) {
                    p.setString(1, id);
                    p.executeUpdate();
                }
            }
            try (PreparedStatement p = db.prepareStatement("DELETE FROM containers WHERE id = ?")) {
                p.setString(1, id);
                p.executeUpdate();
            }
            return null;
        });
    }

    public List<ContainerRecord> containers() {
        return queryContainers("SELECT * FROM containers ORDER BY created, name", null);
    }

    public Optional<ContainerRecord> containerByName(String name) {
        return queryContainers("SELECT * FROM containers WHERE name = ?", name).stream().findFirst();
    }

    public List<ContainerRecord> containersByIdPrefix(String prefix) {
        return queryContainers("SELECT * FROM containers WHERE id LIKE ? ESCAPE '\\'", prefix.replace("%", "\\%").replace("_", "\\_") + "%");
    }

    public boolean imageInUse(String imageId) {
        return containers().stream().anyMatch(c -> c.imageId().equals(imageId));
    }

    private List<ContainerRecord> queryContainers(String sql, String arg) {
        return db.read(() -> {
            List<ContainerRecord> list = new ArrayList<>();
            try (PreparedStatement p = db.prepareStatement(sql)) {
                if (arg != null) {
                    p.setString(1, arg);
                }
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        Object code = rs.getObject("exit_code");
                        list.add(new ContainerRecord(rs.getString("id"), rs.getString("name"), rs.getString("image_id"),
                                rs.getString("image_name"), rs.getString("pod"), rs.getString("config"),
                                ContainerRecord.Status.valueOf(rs.getString("status")), instant(rs.getString("created")),
                                instant(rs.getString("started")), instant(rs.getString("finished")),
                                code == null ? null : ((Number) code).intValue()));
                    }
                }
            }
            return list;
        });
    }

    private static Instant instant(String s) {
        return Database.instant(s);
    }

    /** How many times a container was started again after it exited (0 for none). */
    public int restarts(String containerId) {
        return db.read(() -> {
            try (PreparedStatement p = db.prepareStatement("SELECT count FROM restarts WHERE container_id = ?")) {
                p.setString(1, containerId);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : 0;
                }
            }
        });
    }

    /** Records whether a container is ready now (its pod serves its Services only when all its containers are), and why. */
    public void setReady(String containerId, boolean ready, String message) {
        db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("INSERT INTO readiness (container_id, ready, message) VALUES (?, ?, ?) "
                    + "ON CONFLICT(container_id) DO UPDATE SET ready = excluded.ready, message = excluded.message")) {
                p.setString(1, containerId);
                p.setInt(2, ready ? 1 : 0);
                p.setString(3, message);
                p.executeUpdate();
            }
            return null;
        });
    }

    /** The IDs of the containers last recorded ready. */
    public java.util.Set<String> readyContainers() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        readiness().forEach((id, r) -> {
            if (r.ready()) {
                ids.add(id);
            }
        });
        return ids;
    }

    /** What play and the supervisor last found of each container's readiness, by container ID. */
    public java.util.Map<String, StateStore.ReadinessRecord> readiness() {
        return db.read(() -> {
            java.util.Map<String, StateStore.ReadinessRecord> all = new java.util.HashMap<>();
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT container_id, ready, message FROM readiness")) {
                while (rs.next()) {
                    all.put(rs.getString(1), new StateStore.ReadinessRecord(rs.getInt(2) == 1, rs.getString(3) == null ? "" : rs.getString(3)));
                }
            }
            return all;
        });
    }

    /** Every container's restart count (containers never restarted left out), in one query. */
    public java.util.Map<String, Integer> restartCounts() {
        return db.read(() -> {
            java.util.Map<String, Integer> counts = new java.util.HashMap<>();
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT container_id, count FROM restarts")) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getInt(2));
                }
            }
            return counts;
        });
    }

    /** Counts one more restart of a container. */
    public void countRestart(String containerId) {
        db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement(
                    "INSERT INTO restarts (container_id, count) VALUES (?, 1) ON CONFLICT(container_id) DO UPDATE SET count = count + 1")) {
                p.setString(1, containerId);
                p.executeUpdate();
            }
            return null;
        });
    }

    public List<ContainerRecord> containersOfPod(String pod) {
        return queryContainers("SELECT * FROM containers WHERE pod = ? ORDER BY created, name", pod);
    }
}
