package dev.berth.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state database on its own: no root, no containers. */
class StateStoreTest {
    @TempDir
    Path dir;

    @Test
    void eventsStoredInBatchesComeBackInTimeOrder() {
        Instant t = Instant.parse("2026-12-07T10:00:00Z");
        try (StateStore state = StateStore.open(new Layout(dir.resolve("root"), dir.resolve("run")))) {
            // the supervisor's batch is written after play's, though its events happened between them
            state.addEvents(List.of(new StateStore.Event(0, t, "Pod/a", "a", "created", ""),
                    new StateStore.Event(0, t.plusMillis(300), "Pod/a", "a", "ready", "")));
            state.addEvents(List.of(new StateStore.Event(0, t.plusMillis(100), "Container/a/c", "a", "started", ""),
                    new StateStore.Event(0, t.plusMillis(200), "Container/a/c", "a", "ready", "")));
            assertThat(state.events(0, null, null)).extracting(StateStore.Event::time)
                    .containsExactly(t, t.plusMillis(100), t.plusMillis(200), t.plusMillis(300));
        }
    }

    /** Users have roots made by older berths: a database at every earlier schema version opens, is migrated and keeps its rows. */
    @Test
    void aDatabaseOfEveryEarlierVersionIsMigrated() throws Exception {
        assertThat(Database.SCHEMA_VERSION).isEqualTo(9);
        for (int version = 1; version < Database.SCHEMA_VERSION; version++) {
            Layout layout = new Layout(dir.resolve("v" + version + "/root"), dir.resolve("v" + version + "/run"));
            java.nio.file.Files.createDirectories(layout.root());
            org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
            try (java.sql.Connection db = new org.sqlite.JDBC().connect("jdbc:sqlite:" + layout.database(), config.toProperties());
                    java.sql.Statement s = db.createStatement()) {
                for (int v = 0; v < version; v++) {
                    for (String ddl : Database.MIGRATIONS[v]) {
                        s.execute(ddl);
                    }
                }
                s.execute("INSERT INTO images (id, config, diff_ids, size, created) VALUES ('abc', '{}', '[]', 0, '2026-01-01T00:00:00Z')");
                s.execute("PRAGMA user_version = " + version);
            }
            try (StateStore state = StateStore.open(layout)) {
                assertThat(state.images()).as("version %d", version).extracting(ImageRecord::id).containsExactly("abc");
                assertThat(state.readiness()).isEmpty();
                assertThat(state.pods()).isEmpty();
                assertThat(state.services()).isEmpty();
                assertThat(state.events(0, null, null)).isEmpty();
                assertThat(state.reconciles()).isEmpty();
            }
        }
    }
}
