package dev.berth.reconcile;

import dev.berth.api.ContainerSpec;
import dev.berth.api.PodSpec;
import java.time.Duration;

/**
 * What the kubelet decides when a container exits: whether it starts again, and after how long.
 * A pure function of the spec, the exit and the history, so that play, a supervisor and a
 * reconcile loop decide alike, and tests need no clock but the numbers they pass.
 *
 * <p>The back-off is Kubernetes 1.33's reduced crash-loop back-off, counted as the kubelet counts
 * it: the first restart is at once; after that each restart opens a window (1 s, doubling with
 * each restart, capped at 60 s by default) from the start it made, and the next start waits for
 * the end of that window, so a container that ran longer than its window starts again at once.
 * A run of 10 minutes starts it again at once whatever the count. While it waits, a container is
 * in {@code CrashLoopBackOff}.
 */
public final class Restarts {
    static final Duration INITIAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX = Duration.ofSeconds(60);
    static final Duration RESET_AFTER = Duration.ofMinutes(10);

    /** The outcome of an exit: {@code delay} is null when the container stays down. */
    record Decision(String policy, Duration delay) {
        boolean restarts() {
            return delay != null;
        }
    }

    private final Duration max;

    public Restarts(Duration max) {
        this.max = max;
    }

    Restarts() {
        this(DEFAULT_MAX);
    }

    /**
     * The restart policy that applies to a container: a native sidecar always restarts; an init
     * container of an {@code Always} pod restarts on failure (it must complete once); any other
     * container follows its pod.
     */
    static String policy(PodSpec pod, ContainerSpec c) {
        if (c.isSidecar()) {
            return "Always";
        }
        if (pod.initContainers().contains(c) && pod.restartPolicy().equals("Always")) {
            return "OnFailure";
        }
        return pod.restartPolicy();
    }

    /**
     * Decides on an exit.
     *
     * @param restartsSoFar how many times the container was restarted before this exit
     * @param ranFor        how long it ran this time
     */
    Decision onExit(PodSpec pod, ContainerSpec c, int exitCode, int restartsSoFar, Duration ranFor) {
        String policy = policy(pod, c);
        boolean again = switch (policy) {
            case "Always" -> true;
            case "OnFailure" -> exitCode != 0;
            default -> false;
        };
        return new Decision(policy, again ? delay(restartsSoFar, ranFor) : null);
    }

    /** The wait before the next start: what is left of the back-off window the last restart opened. */
    Duration delay(int restartsSoFar, Duration ranFor) {
        if (restartsSoFar == 0 || ranFor.compareTo(RESET_AFTER) >= 0) {
            return Duration.ZERO;
        }
        Duration window = INITIAL.multipliedBy(1L << Math.min(restartsSoFar - 1, 30));
        Duration left = (window.compareTo(max) > 0 ? max : window).minus(ranFor);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
