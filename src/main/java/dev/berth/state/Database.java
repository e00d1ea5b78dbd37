package dev.berth.state;

import dev.berth.api.BerthException;
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

/**
 * The one small helper every table of the state goes through: the SQLite connection (WAL, busy
 * timeout, foreign keys), its schema and migrations, transactions and the errors of a full
 * disk or a damaged file said in words. Several berth processes may use the database at once:
 * SQLite's locking serialises writers, and every multi-step change runs in one transaction.
 */
public final class Database implements AutoCloseable {
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
    }, {
        """
        CREATE TABLE api_objects (
          resource TEXT NOT NULL,
          namespace TEXT NOT NULL,
          name TEXT NOT NULL,
          version INTEGER NOT NULL,
          json TEXT NOT NULL,
          PRIMARY KEY (resource, namespace, name))""",
        "CREATE TABLE api_versions (last INTEGER NOT NULL)",
        "INSERT INTO api_versions (last) VALUES (0)",
    }};

    static final int SCHEMA_VERSION = MIGRATIONS.length;

    private final Connection db;
    private final Layout layout;
    private final DiskReserve reserve;

    private Database(Connection db, Layout layout, DiskReserve reserve) {
        this.db = db;
        this.layout = layout;
        this.reserve = reserve;
    }

    /**
     * Opens (creating when needed) the database of a layout, migrating its schema to the current
     * version. On a full disk the root's reserve is given up, so that the database can still be
     * opened (its shared-memory file needs room) and the user can free space with berth itself.
     */
    public static Database open(Layout layout) {
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

    private static Database connect(Layout layout, DiskReserve reserve) throws SQLException {
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
            Database store = new Database(db, layout, reserve);
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
        try (Database store = open(layout)) {
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

    synchronized <T> T read(Work<T> work) {
        try {
            return work.run();
        } catch (SQLException e) {
            throw failure(layout, "state database", e);
        }
    }

    /**
     * A number that changes whenever the content may have: a commit by another connection (another
     * berth process: SQLite's {@code data_version}) or a change made through this one
     * ({@code total_changes()}). Equal numbers mean what was read is still what is stored.
     */
    synchronized long version() {
        return read(() -> {
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT total_changes(), data_version FROM pragma_data_version")) {
                rs.next();
                return (rs.getLong(2) << 32) + rs.getLong(1);
            }
        });
    }

    PreparedStatement prepareStatement(String sql) throws SQLException {
        return db.prepareStatement(sql);
    }

    Statement createStatement() throws SQLException {
        return db.createStatement();
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException ignored) {
            // closing a connection that failed is not worth reporting
        }
    }

    /**
     * An instant as berth stores it ({@link Instant#toString}: {@code 2026-12-07T22:47:44.123456789Z}),
     * or null. Read without {@link Instant#parse}, which builds a formatter at every call: a
     * supervisor reads every container's times at every look.
     */
    static Instant instant(String s) {
        if (s == null) {
            return null;
        }
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':'
                || s.charAt(n - 1) != 'Z' || (n > 20 && s.charAt(19) != '.') || n == 21 || n > 30) {
            return Instant.parse(s); // another shape (a year past 9999): the JDK's reading
        }
        long day = java.time.LocalDate.of(digits(s, 0, 4), digits(s, 5, 7), digits(s, 8, 10)).toEpochDay();
        long seconds = day * 86400 + digits(s, 11, 13) * 3600L + digits(s, 14, 16) * 60L + digits(s, 17, 19);
        int nanos = 0;
        if (n > 20) {
            nanos = digits(s, 20, n - 1);
            for (int i = n - 1 - 20; i < 9; i++) {
                nanos *= 10;
            }
        }
        return Instant.ofEpochSecond(seconds, nanos);
    }

    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new java.time.format.DateTimeParseException("not an instant", s, i);
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
