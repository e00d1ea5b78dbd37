package dev.berth.reconcile;

import dev.berth.api.Probe;
import java.time.Duration;
import java.time.Instant;

/**
 * The kubelet's schedule for one probe of one run of a container: first probed
 * {@code initialDelaySeconds} after the start, then every {@code periodSeconds}; the results
 * counted in a row against {@code successThreshold} and {@code failureThreshold}. Pure: the
 * caller says what time it is and what the probe saw.
 *
 * <p>An eager schedule (play, before the probe first passes) probes every 10 ms, growing to
 * 100 ms, instead of every period, so that a dependent starts as soon as what it waits for is
 * ready; it counts at most one failure per period, so a container is judged failing no sooner
 * than on the kubelet's schedule.
 */
final class ProbeSchedule {
    private static final Duration EAGER_FIRST = Duration.ofMillis(10);
    private static final Duration EAGER_MAX = Duration.ofMillis(100);

    private final Probe probe;
    private Instant next;
    private final boolean eager;
    private Duration interval = EAGER_FIRST;
    private Instant lastCountedFailure;
    private int successes;
    private int failures;
    private boolean passed;

    ProbeSchedule(Probe probe, Instant started, boolean eager) {
        this.probe = probe;
        this.next = started.plusSeconds(probe.initialDelaySeconds());
        this.eager = eager;
    }

    Probe probe() {
        return probe;
    }

    boolean due(Instant now) {
        return !now.isBefore(next);
    }

    Instant next() {
        return next;
    }

    /** Records what a probe saw at {@code now}. */
    void record(Instant now, boolean success) {
        if (success) {
            successes++;
            failures = 0;
            lastCountedFailure = null;
        } else {
            successes = 0;
            if (!eager || lastCountedFailure == null || !now.isBefore(lastCountedFailure.plusSeconds(probe.periodSeconds()))) {
                failures++;
                lastCountedFailure = now;
            }
        }
        passed |= success;
        if (eager && !passed) {
            next = now.plus(interval);
            Duration grown = interval.multipliedBy(3).dividedBy(2);
            interval = grown.compareTo(EAGER_MAX) > 0 ? EAGER_MAX : grown;
        } else {
            next = now.plusSeconds(probe.periodSeconds());
        }
    }

    /** Whether the last results reach the success threshold. */
    boolean succeeding() {
        return successes >= probe.successThreshold();
    }

    /** Whether the last results reach the failure threshold. */
    boolean failing() {
        return failures >= probe.failureThreshold();
    }

    /** Whether it ever passed (a startup probe that passed hands over to liveness and readiness). */
    boolean passed() {
        return passed;
    }

    int failures() {
        return failures;
    }
}
