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
}
