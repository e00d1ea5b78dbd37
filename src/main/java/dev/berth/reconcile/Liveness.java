package dev.berth.reconcile;

import dev.berth.api.Probe;
import java.time.Instant;

/**
 * The kubelet's rule for a probe that can end a container (liveness, startup), for one run of
 * one container: first probed {@code initialDelaySeconds} after it started, then every
 * {@code periodSeconds}; {@code failureThreshold} failures in a row mean it is killed. Pure: the
 * caller says what time it is and what the probe saw.
 */
final class Liveness {
    private final Probe probe;
    private Instant next;
    private int failures;
    private boolean passed;

    Liveness(Probe probe, Instant started) {
        this.probe = probe;
        this.next = started.plusSeconds(probe.initialDelaySeconds());
    }

    boolean due(Instant now) {
        return !now.isBefore(next);
    }

    /** Records what a probe saw at {@code now}; returns whether the container must now be killed. */
    boolean record(Instant now, boolean success) {
        next = now.plusSeconds(probe.periodSeconds());
        failures = success ? 0 : failures + 1;
        passed |= success;
        return failures >= probe.failureThreshold();
    }

    /** Whether it ever passed (a startup probe that passed hands over to liveness). */
    boolean passed() {
        return passed;
    }

    int failures() {
        return failures;
    }
}
