package dev.berth.state;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The record of images and containers: one SQLite database under the root. Several berth
 * processes may use it at once: SQLite's locking (WAL, busy timeout) serialises writers, and
 * every multi-step change runs in one transaction.
 */
public final class StateStore implements AutoCloseable {
    /** The statements that bring the schema from version i to i + 1: roots made by every earlier berth open (StateStoreTest). */
    static final String[][] MIGRATIONS = {{
        """
        CREATE TABLE images (
          id TEXT PRIMARY KEY,
          config TEXT NOT NULL,
          diff_ids TEXT NOT NULL,
          size INTEGER NOT NULL,
          created TEXT NOT NULL)""",
        """
        CREATE TABLE image_names (
          name TEXT PRIMARY KEY,
          image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE)""",
        """
        CREATE TABLE containers (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          image_id TEXT NOT NULL REFERENCES images(id),
          image_name TEXT,
          pod TEXT,
          config TEXT NOT NULL,
          status TEXT NOT NULL,
          created TEXT NOT NULL,
          started TEXT,
          finished TEXT,
          exit_code INTEGER)""",
    }, {
        """
        CREATE TABLE pods (
          name TEXT PRIMARY KEY,
          namespace TEXT NOT NULL,
          spec_hash TEXT NOT NULL,
          spec TEXT NOT NULL,
          infra_id TEXT,
          netns TEXT,
          status TEXT NOT NULL,
          created TEXT NOT NULL)""",
        "CREATE INDEX containers_pod ON containers(pod)",
    }, {
        "ALTER TABLE pods ADD COLUMN network TEXT",
        """
        CREATE TABLE services (
          name TEXT PRIMARY KEY,
          namespace TEXT NOT NULL,
          ip TEXT NOT NULL UNIQUE,
          rules TEXT NOT NULL)""",
    }, {
        """
        CREATE TABLE restarts (
          container_id TEXT PRIMARY KEY REFERENCES containers(id) ON DELETE CASCADE,
          count INTEGER NOT NULL)""",
    }, {
        "ALTER TABLE services ADD COLUMN spec TEXT",
        """
        CREATE TABLE readiness (
          container_id TEXT PRIMARY KEY REFERENCES containers(id) ON DELETE CASCADE,
          ready INTEGER NOT NULL)""",
    }, {
        """
        CREATE TABLE events (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          time TEXT NOT NULL,
          object TEXT NOT NULL,
          pod TEXT,
          type TEXT NOT NULL,
          message TEXT NOT NULL)""",
    }, {
        """
        CREATE TABLE reconciles (
          name TEXT PRIMARY KEY,
          source TEXT NOT NULL,
          revision TEXT,
          objects TEXT NOT NULL,
          error TEXT,
          updated TEXT NOT NULL)""",
    }, {
        "ALTER TABLE readiness ADD COLUMN message TEXT",
    }};

    static final int SCHEMA_VERSION = MIGRATIONS.length;

    private final Connection db;
    private final Layout layout;
    private final DiskReserve reserve;

    private StateStore(Connection db, Layout layout, DiskReserve reserve) {
        this.db = db;
        this.layout = layout;
        this.reserve = reserve;
    }

    /**
     * Opens (creating when needed) the database of a layout, migrating its schema to the current
     * version. On a full disk the root's reserve is given up, so that the database can still be
     * opened (its shared-memory file needs room) and the user can free space with berth itself.
     */
    public static StateStore open(Layout layout) {
        DiskReserve reserve = new DiskReserve(layout.root());
        try {
            Files.createDirectories(layout.root());
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot make berth's root " + layout.root() + ": " + e.getMessage(), e);
        }
        try {
            return connect(layout, reserve);
        } catch (SQLException first) {
            if (!spaceProblem(first) || !reserve.release()) {
                throw failure(layout, "cannot open berth's state database " + layout.database(), first);
            }
            try {
                return connect(layout, reserve);
            } catch (SQLException e) {
                throw failure(layout, "cannot open berth's state database " + layout.database(), e);
            }
        }
    }

    private static StateStore connect(Layout layout, DiskReserve reserve) throws SQLException {
        // the driver directly: DriverManager would first scan the class path for every JDBC driver
        org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
        config.setBusyTimeout(30000);
        config.setJournalMode(org.sqlite.SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(org.sqlite.SQLiteConfig.SynchronousMode.NORMAL);
        config.enforceForeignKeys(true);
        Connection db = new org.sqlite.JDBC().connect("jdbc:sqlite:" + layout.database(), config.toProperties());
        try {
            // it holds containers' environments, Secret values among them: root only
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                java.nio.file.Path f = java.nio.file.Path.of(layout.database() + suffix);
                if (Files.exists(f)) {
                    Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                }
            }
            StateStore store = new StateStore(db, layout, reserve);
            store.migrate();
            reserve.ensure();
            return store;
        } catch (IOException e) {
            db.close();
            throw new SQLException(e.getMessage(), e);
        } catch (SQLException | RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** What is wrong with a root's state database, or null when it opens and SQLite's quick check passes. */
    public static String problem(Layout layout) {
        if (!Files.exists(layout.database())) {
            return null;
        }
        try (StateStore store = open(layout)) {
            return store.read(() -> {
                try (Statement s = store.db.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
                    List<String> lines = new ArrayList<>();
                    while (rs.next()) {
                        lines.add(rs.getString(1));
                    }
                    return lines.equals(List.of("ok")) ? null : "the state database " + layout.database() + " is damaged: "
                            + String.join("; ", lines.subList(0, Math.min(3, lines.size())));
                }
            });
        } catch (BerthException e) {
            return e.getMessage();
        }
    }

    /** Moves a damaged database out of the way (kept beside it, for a look later); returns where it went. */
    public static java.nio.file.Path setAside(Layout layout) {
        String stamp = Instant.now().toString().replace(":", "");
        java.nio.file.Path aside = java.nio.file.Path.of(layout.database() + ".damaged-" + stamp);
        try {
            for (String suffix : new String[] {"-wal", "-shm", ""}) {
                java.nio.file.Path f = java.nio.file.Path.of(layout.database() + suffix);
                if (Files.exists(f)) {
                    Files.move(f, java.nio.file.Path.of(aside + suffix));
                }
            }
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot move the damaged state aside: " + e.getMessage(), e);
        }
        return aside;
    }

    /**
     * Refuses to make something new when the root's file system has less room than twice the
     * reserve (so also once the reserve was given up): the last megabytes are for {@code ps},
     * {@code logs} and {@code kube down}, not for a container that would fail half-way.
     */
    public void requireRoom(String what) {
        long free = DiskReserve.freeMegabytes(layout.root());
        if (free >= 0 && free < 2 * DiskReserve.SIZE >> 20) {
            throw new BerthException(BerthException.Kind.HOST, "cannot " + what + ": no space left on the file system of " + layout.root()
                    + " (" + free + " MB free); free some (berth kube down, berth rm, berth volume prune, berth image rm) and try again");
        }
    }

    /** Whether SQLite failed for want of room (SQLITE_FULL, or an I/O error on a full file system). */
    private static boolean spaceProblem(SQLException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("SQLITE_FULL") || m.contains("SQLITE_IOERR") || m.contains("No space left");
    }

    /** An error of the database in words: a full disk and a damaged file are said as such, with what to do. */
    private static BerthException failure(Layout layout, String what, SQLException e) {
        String m = String.valueOf(e.getMessage());
        long free = DiskReserve.freeMegabytes(layout.root());
        if (spaceProblem(e) && free >= 0 && free < 16) {
            return new BerthException(BerthException.Kind.HOST, what + ": no space left on the file system of " + layout.root() + " ("
                    + free + " MB free); free some (berth kube down, berth rm, berth volume prune, berth image rm) and try again", e);
        }
        if (m.contains("SQLITE_CORRUPT") || m.contains("SQLITE_NOTADB")) {
            return new BerthException(BerthException.Kind.HOST, what + ": the state database " + layout.database()
                    + " is damaged (" + m.replaceAll("(?s)^\\[?(SQLITE_[A-Z_]+)\\]?.*", "$1") + "); 'berth system check' says more,"
                    + " 'berth system repair' rebuilds it from what is on this host", e);
        }
        return new BerthException(BerthException.Kind.HOST, what + ": " + m, e);
    }

    private void migrate() throws SQLException {
        int version;
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            version = rs.getInt(1);
        }
        if (version == SCHEMA_VERSION) {
            return;
        }
        if (version > SCHEMA_VERSION) {
            throw new BerthException(BerthException.Kind.HOST, "the state database has schema version " + version
                    + ", newer than this berth understands (" + SCHEMA_VERSION + ")");
        }
        inTransaction(() -> {
            int current;
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                current = rs.getInt(1); // another process may have migrated meanwhile
            }
            try (Statement s = db.createStatement()) {
                for (int v = current; v < SCHEMA_VERSION; v++) {
                    for (String ddl : MIGRATIONS[v]) {
                        s.execute(ddl);
                    }
                }
                s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
            }
            return null;
        });
    }

    /** A unit of work on the database. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} in one immediate (write-locking) transaction. When the disk is full, the
     * root's reserve is given up and the work tried once more, so that removals still go through.
     */
    public synchronized <T> T inTransaction(Work<T> work) {
        try {
            return transaction(work);
        } catch (SQLException e) {
            if (spaceProblem(e) && reserve.release()) {
                try {
                    return transaction(work);
                } catch (SQLException again) {
                    throw failure(layout, "state database", again);
                }
            }
            throw failure(layout, "state database", e);
        }
    }

    private <T> T transaction(Work<T> work) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
        }
        try {
            T result = work.run();
            try (Statement s = db.createStatement()) {
                s.execute("COMMIT");
            }
            return result;
        } catch (SQLException | RuntimeException e) {
            try (Statement s = db.createStatement()) {
                s.execute("ROLLBACK");
            } catch (SQLException noTransaction) {
                // SQLite already rolled back (a failed COMMIT on a full disk does): the first error is the one to tell
            }
            throw e;
        }
    }

    private synchronized <T> T read(Work<T> work) {
        try {
            return work.run();
        } catch (SQLException e) {
            throw failure(layout, "state database", e);
        }
    }

    // images

    /** Adds an image (or finds it already there) and points each name at it, taking names from other images. */
    public void putImage(ImageRecord image) {
        inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement(
                    "INSERT OR IGNORE INTO images (id, config, diff_ids, size, created) VALUES (?, ?, ?, ?, ?)")) {
                p.setString(1, image.id());
                p.setString(2, image.config());
                p.setString(3, Json.write(image.diffIds()));
                p.setLong(4, image.size());
                p.setString(5, image.created().toString());
                p.executeUpdate();
            }
            for (String name : image.names()) {
                try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO image_names (name, image_id) VALUES (?, ?)")) {
                    p.setString(1, name);
                    p.setString(2, image.id());
                    p.executeUpdate();
                }
            }
            return null;
        });
    }

    public List<ImageRecord> images() {
        return read(() -> {
            List<ImageRecord> images = new ArrayList<>();
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT id, config, diff_ids, size, created FROM images ORDER BY created DESC, id")) {
                while (rs.next()) {
                    images.add(image(rs));
                }
            }
            return images;
        });
    }

    public Optional<ImageRecord> imageByName(String name) {
        return read(() -> {
            try (PreparedStatement p = db.prepareStatement(
                    "SELECT i.id, i.config, i.diff_ids, i.size, i.created FROM images i JOIN image_names n ON n.image_id = i.id WHERE n.name = ?")) {
                p.setString(1, name);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(image(rs)) : Optional.empty();
                }
            }
        });
    }

    /** Images whose ID starts with {@code prefix}. */
    public List<ImageRecord> imagesByIdPrefix(String prefix) {
        return read(() -> {
            List<ImageRecord> images = new ArrayList<>();
            try (PreparedStatement p = db.prepareStatement("SELECT id, config, diff_ids, size, created FROM images WHERE substr(id, 1, ?) = ?")) {
                p.setInt(1, prefix.length());
                p.setString(2, prefix);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        images.add(image(rs));
                    }
                }
            }
            return images;
        });
    }

    private ImageRecord image(ResultSet rs) throws SQLException {
        String id = rs.getString(1);
        List<String> names = new ArrayList<>();
        try (PreparedStatement p = db.prepareStatement("SELECT name FROM image_names WHERE image_id = ? ORDER BY name")) {
            p.setString(1, id);
            try (ResultSet n = p.executeQuery()) {
                while (n.next()) {
                    names.add(n.getString(1));
                }
            }
        }
        @SuppressWarnings("unchecked")
        List<String> diffIds = (List<String>) Json.parse(rs.getString(3));
        return new ImageRecord(id, names, rs.getString(2), diffIds, rs.getLong(4), Instant.parse(rs.getString(5)));
    }

    /** Removes one name; returns the number of names the image still has. */
    public int untagImage(String imageId, String name) {
        return inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("DELETE FROM image_names WHERE name = ? AND image_id = ?")) {
                p.setString(1, name);
                p.setString(2, imageId);
                p.executeUpdate();
            }
            try (PreparedStatement p = db.prepareStatement("SELECT count(*) FROM image_names WHERE image_id = ?")) {
                p.setString(1, imageId);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.getInt(1);
                }
            }
        });
    }

    /** Removes an image record; the caller has checked no container uses it. */
    public void removeImage(String imageId) {
        inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("DELETE FROM images WHERE id = ?")) {
                p.setString(1, imageId);
                p.executeUpdate();
            }
            return null;
        });
    }

    /** The diff IDs of layers some image still uses. */
    public List<String> diffIdsInUse() {
        List<String> all = new ArrayList<>();
        images().forEach(i -> all.addAll(i.diffIds()));
        return all;
    }

    // containers

    /** Records a new container; throws a {@link BerthException} when the name is taken. */
    public void insertContainer(ContainerRecord c) {
        inTransaction(() -> {
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
        inTransaction(() -> {
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
        inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("UPDATE containers SET config = ? WHERE id = ?")) {
                p.setString(1, config);
                p.setString(2, id);
                p.executeUpdate();
            }
            return null;
        });
    }

    public void deleteContainer(String id) {
        inTransaction(() -> {
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
        return read(() -> {
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
        return s == null ? null : Instant.parse(s);
    }

    /** How many times a container was started again after it exited (0 for none). */
    public int restarts(String containerId) {
        return read(() -> {
            try (PreparedStatement p = db.prepareStatement("SELECT count FROM restarts WHERE container_id = ?")) {
                p.setString(1, containerId);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : 0;
                }
            }
        });
    }

    /** Whether a container was last found ready, and what the check that found it said. */
    public record ReadinessRecord(boolean ready, String message) {}

    /** Records whether a container is ready now (its pod serves its Services only when all its containers are), and why. */
    public void setReady(String containerId, boolean ready, String message) {
        inTransaction(() -> {
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
    public java.util.Map<String, ReadinessRecord> readiness() {
        return read(() -> {
            java.util.Map<String, ReadinessRecord> all = new java.util.HashMap<>();
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT container_id, ready, message FROM readiness")) {
                while (rs.next()) {
                    all.put(rs.getString(1), new ReadinessRecord(rs.getInt(2) == 1, rs.getString(3) == null ? "" : rs.getString(3)));
                }
            }
            return all;
        });
    }

    /**
     * Something that happened to a pod or a container, as {@code berth events} shows it.
     *
     * @param object {@code Pod/NAME} or {@code Container/POD/NAME}
     * @param pod    the pod it concerns, or null
     */
    public record Event(long id, Instant time, String object, String pod, String type, String message) {}

    /** How many events are kept; older ones go as new ones come. */
    static final int EVENTS_KEPT = 10_000;

    /** Records events, in one transaction; the oldest beyond {@link #EVENTS_KEPT} are dropped. */
    public void addEvents(List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("INSERT INTO events (time, object, pod, type, message) VALUES (?, ?, ?, ?, ?)")) {
                for (Event e : events) {
                    p.setString(1, e.time().toString());
                    p.setString(2, e.object());
                    p.setString(3, e.pod());
                    p.setString(4, e.type());
                    p.setString(5, e.message());
                    p.addBatch();
                }
                p.executeBatch();
            }
            try (Statement s = db.createStatement()) {
                s.executeUpdate("DELETE FROM events WHERE id <= (SELECT max(id) FROM events) - " + EVENTS_KEPT);
            }
            return null;
        });
    }

    /** The events after {@code afterId}, at or after {@code since} (null: any time), of {@code pod} (null: all), oldest first. */
    public List<Event> events(long afterId, Instant since, String pod) {
        return read(() -> {
            List<Event> list = new ArrayList<>();
            try (PreparedStatement p = db.prepareStatement("SELECT id, time, object, pod, type, message FROM events WHERE id > ?"
                    + " AND (? IS NULL OR pod = ?) ORDER BY id")) {
                p.setLong(1, afterId);
                p.setString(2, pod);
                p.setString(3, pod);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        Event e = new Event(rs.getLong(1), Instant.parse(rs.getString(2)), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6));
                        if (since == null || !e.time().isBefore(since)) { // times as text do not sort (fractions of varying length)
                            list.add(e);
                        }
                    }
                }
            }
            // in time order: play, the supervisor and other commands store theirs in batches, not in the order they happened
            list.sort(java.util.Comparator.comparing(Event::time).thenComparingLong(Event::id));
            return list;
        });
    }

    /** Every container's restart count (containers never restarted left out), in one query. */
    public java.util.Map<String, Integer> restartCounts() {
        return read(() -> {
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
        inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement(
                    "INSERT INTO restarts (container_id, count) VALUES (?, 1) ON CONFLICT(container_id) DO UPDATE SET count = count + 1")) {
                p.setString(1, containerId);
                p.executeUpdate();
            }
            return null;
        });
    }

    // pods

    /** Records a new pod; a pod of that name already recorded is an error (the caller holds the pod's lock and removed any before). */
    public void insertPod(PodRecord p) {
        inTransaction(() -> {
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
        inTransaction(() -> {
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
        inTransaction(() -> {
            try (PreparedStatement s = db.prepareStatement("UPDATE pods SET network = ? WHERE name = ?")) {
                s.setString(1, network);
                s.setString(2, name);
                s.executeUpdate();
            }
            return null;
        });
    }

    public Optional<String> podNetwork(String name) {
        return read(() -> {
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
        return read(() -> {
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

    /**
     * A Service's virtual IP, the iptables rules berth added for it (so they can be removed after a
     * crash), and its spec as canonical JSON (so that its endpoints can follow readiness after play).
     */
    public record ServiceRecord(String name, String namespace, String ip, String rules, String spec) {}

    /**
     * Records a new Service. A plain insert: a name or address already taken is an error, never a
     * silent replacement of another Service's row (which would orphan its rules).
     */
    public void insertService(ServiceRecord s) {
        inTransaction(() -> {
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
        inTransaction(() -> {
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
        inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("UPDATE services SET spec = ? WHERE name = ?")) {
                p.setString(1, spec);
                p.setString(2, name);
                p.executeUpdate();
            }
            return null;
        });
    }

    public List<ServiceRecord> services() {
        return read(() -> {
            List<ServiceRecord> list = new ArrayList<>();
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT name, namespace, ip, rules, spec FROM services ORDER BY name")) {
                while (rs.next()) {
                    list.add(new ServiceRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                }
            }
            return list;
        });
    }

    public void deleteService(String name) {
        inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("DELETE FROM services WHERE name = ?")) {
                p.setString(1, name);
                p.executeUpdate();
            }
            return null;
        });
    }

    /**
     * What a {@code berth reconcile} applied last.
     *
     * @param source   the directories and files, or the git URL, it reconciles
     * @param revision the git commit applied, or null for a directory
     * @param objects  each object of the last pass as JSON: kind, name, hash, sync, health, message
     * @param error    why the last pass changed nothing (manifests that do not read, a clone that failed), or null
     */
    public record ReconcileRecord(String name, String source, String revision, String objects, String error, Instant updated) {}

    public void putReconcile(ReconcileRecord r) {
        inTransaction(() -> {
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

    public List<ReconcileRecord> reconciles() {
        return read(() -> {
            List<ReconcileRecord> list = new ArrayList<>();
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT name, source, revision, objects, error, updated FROM reconciles ORDER BY name")) {
                while (rs.next()) {
                    list.add(new ReconcileRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            Instant.parse(rs.getString(6))));
                }
            }
            return list;
        });
    }

    public void deleteReconcile(String name) {
        inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("DELETE FROM reconciles WHERE name = ?")) {
                p.setString(1, name);
                p.executeUpdate();
            }
            return null;
        });
    }

    public void deletePod(String name) {
        inTransaction(() -> {
            try (PreparedStatement s = db.prepareStatement("DELETE FROM pods WHERE name = ?")) {
                s.setString(1, name);
                s.executeUpdate();
            }
            return null;
        });
    }

    public List<PodRecord> pods() {
        return read(() -> {
            List<PodRecord> list = new ArrayList<>();
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM pods ORDER BY created, name")) {
                while (rs.next()) {
                    list.add(new PodRecord(rs.getString("name"), rs.getString("namespace"), rs.getString("spec_hash"),
                            rs.getString("spec"), rs.getString("infra_id"), rs.getString("netns"),
                            PodRecord.Status.valueOf(rs.getString("status")), Instant.parse(rs.getString("created"))));
                }
            }
            return list;
        });
    }

    public Optional<PodRecord> pod(String name) {
        return pods().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public List<ContainerRecord> containersOfPod(String pod) {
        return queryContainers("SELECT * FROM containers WHERE pod = ? ORDER BY created, name", pod);
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException ignored) {
            // closing a connection that failed is not worth reporting
        }
    }
}
