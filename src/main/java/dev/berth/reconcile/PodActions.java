package dev.berth.reconcile;

import dev.berth.api.ContainerSpec;
import dev.berth.reconcile.ContainerLifecycle.Check;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What one pod's containers need next, as the kubelet's {@code computePodActions}: from each
 * container as last seen (the state database and conmon's files), its {@link ContainerLifecycle}
 * and what it waits for, the actions to take now. Pure: it reads, decides and returns; the
 * {@link PodWorker} carries the actions out and tells the lifecycles what happened.
 */
final class PodActions {
    private PodActions() {}

    /** A container's state as observed, the same words as Kubernetes' container states (plus one for none yet). */
    enum State { ABSENT, CREATED, RUNNING, EXITED }

    /**
     * One container as seen at one look.
     *
     * @param run         when its current (or last) run began: a new value is a new run
     * @param restarts    how many times it was started again, as recorded
     * @param readyOnDisk whether the state records it ready (what its Services forward by)
     */
    record Seen(State state, Integer exitCode, Instant run, Instant finishedAt, int restarts, boolean readyOnDisk) {
        static final Seen ABSENT = new Seen(State.ABSENT, null, null, null, 0, false);
    }

    /**
     * What a container not yet started waits for: {@code unmet} (in words) while it may still come,
     * {@code blocked} when it never will. {@link #OPEN} lets it start.
     */
    record Gate(List<String> unmet, String blocked) {
        static final Gate OPEN = new Gate(List.of(), null);

        static Gate waiting(String... unmet) {
            return new Gate(List.of(unmet), null);
        }

        static Gate blocked(String why) {
            return new Gate(List.of(), why);
        }

        boolean open() {
            return unmet.isEmpty() && blocked == null;
        }
    }

    /**
     * The input for one container.
     *
     * @param busy        an action of the worker's is under way for it: nothing more until it ends
     * @param killSent    a kill of its current run was already carried out (its exit is awaited)
     * @param maxRestarts how many restarts its policy allows ({@code on-failure:N}), 0 for no limit
     * @param startAgain  started again once its gate opens whatever its policy says ({@code pod start})
     */
    record Container(ContainerSpec spec, Seen seen, ContainerLifecycle life, Gate gate, boolean busy, boolean killSent, int maxRestarts,
            boolean startAgain) {}

    /** An action for one container. */
    sealed interface Action {
        String container();
    }

    /** Create and start it, its first run. */
    record Create(String container) implements Action {}

    /** Start it again: its back-off is over, or {@code pod start} asked. */
    record Restart(String container) implements Action {}

    /** It is created but was perhaps never started (a start cut short by a kill): finish or undo that start. */
    record FinishStart(String container) implements Action {}

    /** Its run ended with {@code code}: the lifecycle decides what follows. */
    record Exited(String container, int code, Instant at) implements Action {}

    record Probe(String container, Check check) implements Action {}

    /** Stop the running container (preStop hook, SIGTERM, SIGKILL after the pod's grace period). */
    record Kill(String container, String reason) implements Action {}

    /** Record it ready or not, so that its pod joins or leaves its Services. */
    record SetReady(String container, boolean ready) implements Action {}

    /** Nothing to do before {@code until} (null: until something is seen to change), for the reason given. */
    record Wait(String container, String why, Instant until) implements Action {}

    /** It will never start: {@code why}. */
    record Blocked(String container, String why) implements Action {}

    /** Its life is over: completed, failed, or left down by its policy. */
    record Done(String container, String why) implements Action {}

    /** The actions for a pod's containers now, in the order of {@code containers}. */
    static List<Action> compute(List<Container> containers, Instant now) {
        List<Action> actions = new ArrayList<>();
        for (Container c : containers) {
            if (!c.busy()) {
                actions.add(decide(c, now));
                if (c.seen().readyOnDisk() != ready(c) && c.seen().state() != State.ABSENT) {
                    actions.add(actions.size() - 1, new SetReady(c.spec().name(), ready(c)));
                }
            }
        }
        return actions;
    }

    /** Whether it should be recorded ready: a run that is running and judged ready. */
    private static boolean ready(Container c) {
        return c.seen().state() == State.RUNNING && c.life().killedBecause() == null && c.life().isReady();
    }

    private static Action decide(Container c, Instant now) {
        String name = c.spec().name();
        ContainerLifecycle life = c.life();
        return switch (c.seen().state()) {
            case ABSENT -> {
                String deadline = life.pastDeadline(now);
                if (c.gate().blocked() != null || deadline != null) {
                    yield new Blocked(name, deadline != null ? deadline : c.gate().blocked());
                }
                yield c.gate().open() ? new Create(name) : new Wait(name, "for " + String.join(", ", c.gate().unmet()), null);
            }
            case CREATED -> new FinishStart(name);
            case RUNNING -> {
                String deadline = life.pastDeadline(now);
                if (deadline != null && life.killedBecause() == null) {
                    yield new Kill(name, deadline);
                }
                if (life.killedBecause() != null) {
                    yield c.killSent() ? new Wait(name, "its exit after a kill (" + life.killedBecause() + ")", null) : new Kill(name, life.killedBecause());
                }
                Check due = life.due(now);
                yield due != null ? new Probe(name, due) : new Wait(name, "its next probe", life.nextCheck());
            }
            case EXITED -> {
                if (life.runningSince() != null) {
                    yield new Exited(name, c.seen().exitCode(), c.seen().finishedAt() != null ? c.seen().finishedAt() : now);
                }
                Instant at = c.startAgain() ? now : life.restartAt();
                if (at == null || c.maxRestarts() > 0 && c.seen().restarts() >= c.maxRestarts()) {
                    yield new Done(name, "exit code " + c.seen().exitCode() + ": " + (at == null
                            ? (life.lastExit() == null ? "done" : life.lastExit().why()) : "its " + c.maxRestarts() + " restarts are used up"));
                }
                if (now.isBefore(at)) {
                    yield new Wait(name, "CrashLoopBackOff", at);
                }
                if (c.startAgain() && !c.gate().open()) { // a restart by policy waits for nothing, as the kubelet's
                    yield c.gate().blocked() != null ? new Blocked(name, c.gate().blocked())
                            : new Wait(name, "for " + String.join(", ", c.gate().unmet()), null);
                }
                yield new Restart(name);
            }
        };
    }
}
