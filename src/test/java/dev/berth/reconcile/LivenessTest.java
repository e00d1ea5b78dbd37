package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Probe;
import dev.berth.api.ProbeAction;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LivenessTest {
    final Instant t0 = Instant.parse("2026-11-29T10:00:00Z");
    final Probe probe = new Probe(new ProbeAction.Exec(List.of("true")), 5, 2, 1, 1, 3);

    @Test
    void probedAfterTheInitialDelayThenEveryPeriodAndKilledAfterThresholdFailuresInARow() {
        Liveness l = new Liveness(probe, t0);
        assertThat(l.due(t0.plusSeconds(4))).isFalse();
        assertThat(l.due(t0.plusSeconds(5))).isTrue();
        assertThat(l.record(t0.plusSeconds(5), false)).isFalse();
        assertThat(l.due(t0.plusSeconds(6))).isFalse();
        assertThat(l.record(t0.plusSeconds(7), false)).isFalse();
        assertThat(l.record(t0.plusSeconds(9), true)).isFalse(); // a success starts the count again
        assertThat(l.failures()).isZero();
        assertThat(l.record(t0.plusSeconds(11), false)).isFalse();
        assertThat(l.record(t0.plusSeconds(13), false)).isFalse();
        assertThat(l.record(t0.plusSeconds(15), false)).isTrue();
        assertThat(l.passed()).isTrue();
    }

    @Test
    void aStartupProbeThatNeverPassesKillsAfterItsThreshold() {
        Liveness startup = new Liveness(new Probe(new ProbeAction.Exec(List.of("true")), 0, 1, 1, 1, 2), t0);
        assertThat(startup.record(t0, false)).isFalse();
        assertThat(startup.record(t0.plusSeconds(1), false)).isTrue();
        assertThat(startup.passed()).isFalse();
    }
}
