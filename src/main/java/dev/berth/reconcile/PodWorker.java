package dev.berth.reconcile;

import dev.berth.api.ContainerSpec;
import dev.berth.api.PodSpec;
import dev.berth.probe.ProbeResult;
import dev.berth.reconcile.ContainerLifecycle.Check;
import dev.berth.reconcile.PodActions.Action;
import dev.berth.reconcile.PodActions.Seen;
import dev.berth.reconcile.PodActions.State;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * One pod's worker, as the kubelet's pod worker: at each {@link #step} it looks at the pod's
 * containers through its {@link Engine}, tells their lifecycles what changed (a new run, an exit,
 * a probe's result), asks {@link PodActions#compute} what to do, and does it: the quick things
 * (an exit taken in, readiness recorded) at once, the slow ones (a start, a probe, a kill) on the
 * pool, whose results the next step takes in. It never sleeps; its caller (the supervisor, {@code
 * pod start}) sleeps until {@link #step} said the next thing falls due, or until woken.
 *
 * <p>Not thread safe: {@link #step} is called from one thread at a time; the pool only hands
 * results back through a queue.
 */
final class PodWorker {
    /**
     * The small engine the worker drives: the real one over runc, conmon and the state database
     * ({@link Supervisor}), a fake in tests.
     */
    interface Engine {
        Seen look(PodSpec pod, ContainerSpec c);

        /** Whether a running container's start may have been cut short (runc still has it created): asked once per container. */
        boolean startMayBeUnfinished(PodSpec pod, ContainerSpec c);

        /** Finishes or undoes a start cut short, as {@code ContainerEngine.finishInterruptedStart}: what was done, or null. */
        String finishStart(PodSpec pod, ContainerSpec c);

        /** Creates and starts a container's first run. */
        void create(PodSpec pod, ContainerSpec c);

        /** Starts an exited container again; false when it cannot now (another command holds the pod) and should be tried again. */
        boolean restart(PodSpec pod, ContainerSpec c);

        /** Runs its postStart hook: null when it passed or there is none, else why it failed. */
        String postStart(PodSpec pod, ContainerSpec c);

        ProbeResult probe(PodSpec pod, ContainerSpec c, Check check, dev.berth.api.Probe probe);

        /** Stops it (preStop hook, SIGTERM, SIGKILL after {@code grace}); false when it cannot now. */
        boolean kill(PodSpec pod, ContainerSpec c, Duration grace);

        void setReady(PodSpec pod, ContainerSpec c, boolean ready, String message);
    }

    /** What a worker tells of a container; {@link #word} is the type berth's event log records. */
    enum Event {
        STARTED("started"), READY("ready"), UNREADY("unready"), DIED("died"), RESTARTING("restarting"),
        /** Its startup probe passed (its readiness follows). */
        STARTUP_PASSED("startup-passed"),
        LIVENESS_FAILED("liveness-failed"), STARTUP_FAILED("startup-failed"), DEADLINE_EXCEEDED("deadline-exceeded"), KILLED("killed"),
        HOOK_FAILED("hook-failed"),
        /** Something worth a line in a log, not an event of the container's. */
        NOTE("note");

        final String word;

        Event(String word) {
            this.word = word;
        }

        /** What led to a kill ({@link ContainerLifecycle#killedBecause}): a probe's failure or a Job's deadline. */
        static Event cause(String killedBecause) {
            return killedBecause.startsWith("livenessProbe") ? LIVENESS_FAILED
                    : killedBecause.startsWith("startupProbe") ? STARTUP_FAILED : DEADLINE_EXCEEDED;
        }
    }

    /** What the worker tells: the supervisor logs and records it, play reports it, a test collects it. */
    interface Listener {
        void event(ContainerSpec c, Event event, String message);

        /** An exit of a run this worker did not see (it took the container over exited); the listener says whether it was told. */
        default void exitBeforeTakeover(ContainerSpec c, int code) {
            event(c, Event.DIED, "exit code " + code);
        }
    }

    /** How the worker treats the containers it finds absent or exited; in all but {@link #SUPERVISE}, readiness is probed eagerly until it first holds. */
    enum Mode {
        /** Created once what they wait for holds, then as {@link #SUPERVISE} ({@code kube play}). */
        PLAY,
        /** As their restart policy says (the supervisor). */
        SUPERVISE,
        /** Started again in order once what they wait for holds, whatever their policy ({@code pod start}). */
        START
    }

    /** One container's place in the worker. */
    private static final class Slot {
        final ContainerSpec spec;
        final ContainerLifecycle life;
        final int maxRestarts;
        /** The run its lifecycle follows (null: none seen yet). */
        Instant run;
        boolean busy;
        boolean killSent;
        /** Started by this worker in {@link Mode#START}: not again. */
        boolean startedAgain;
        String readyMessage = "";
        /** Whether the kill of the current run was told (a refused kill is tried again, told once). */
        boolean killTold;
        /** Why the run a start just made was stopped at once (its postStart hook failed), until its run is seen. */
        String hookFailed;
        /** Why its life is over, as the last step decided (null: it goes on). */
        String over;
        /** Why it could not be created: its life ended there (play reports it failed). */
        String failed;
        Seen seen = Seen.ABSENT;

        Slot(ContainerSpec spec, ContainerLifecycle life, int maxRestarts) {
            this.spec = spec;
            this.life = life;
            this.maxRestarts = maxRestarts;
        }
    }

    /** Work the pool finished, handed back to {@link #step}: with a check, a probe's result; with an error, a create that failed. */
    private record Result(Slot slot, Instant run, Check check, ProbeResult result, Instant at, String error) {
        Result(Slot slot, Instant run, Check check, ProbeResult result, Instant at) {
            this(slot, run, check, result, at, null);
        }
    }

    private final PodSpec pod;
    private final Mode mode;
    private final Engine engine;
    private final Listener listener;
    private final Executor pool;
    private final Runnable wake;
    private final InstantSource clock;
    private final Function<String, PodActions.Gate> gates;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
    private boolean readinessChanged;

    /**
     * @param containers the containers it looks after, in the order they start (and so are looked at)
     * @param jobs       what the pods of one Job share (failed runs, first start)
     * @param gates      what each container waits for before it starts, by name
     * @param wake       called when the pool finished something, so that the caller steps again
     * @param clock      the time probe results are taken at (a made-up one in tests)
     */
    PodWorker(PodSpec pod, List<ContainerSpec> containers, Mode mode, Restarts restarts, ContainerLifecycle.Jobs jobs,
            Map<String, Integer> maxRestarts, Function<String, PodActions.Gate> gates, Engine engine, Listener listener, Executor pool,
            Runnable wake, InstantSource clock) {
        this.pod = pod;
        this.mode = mode;
        this.engine = engine;
        this.listener = listener;
        this.pool = pool;
        this.wake = wake;
        this.gates = gates;
        this.clock = clock;
        for (ContainerSpec c : containers) {
            slots.put(c.name(), new Slot(c, new ContainerLifecycle(pod, c, restarts, jobs, mode != Mode.SUPERVISE), maxRestarts.getOrDefault(c.name(), 0)));
        }
    }

    /**
     * Takes in what the pool finished, looks at every container, and acts. Returns when the next
     * thing falls due (a probe, the end of a back-off), or null when nothing will without a change
     * being seen; {@link #watching} says whether anything is left to look after.
     */
    Instant step(Instant now) {
        List<Result> probes = new ArrayList<>();
        for (Result r; (r = results.poll()) != null; ) {
            r.slot().busy = false;
            if (r.check() == null) {
                taken(r);
            } else {
                probes.add(r);
            }
        }
        for (Slot s : slots.values()) {
            if (!s.busy) {
                s.seen = observe(s, now);
            }
        }
        probes.forEach(this::probed); // after the look: a probe of a run that ended meanwhile is not taken
        List<PodActions.Container> inputs = new ArrayList<>();
        for (Slot s : slots.values()) {
            if (s.failed != null) {
                s.over = s.failed;
                continue;
            }
            inputs.add(new PodActions.Container(s.spec, s.seen, s.life, gates.apply(s.spec.name()), s.busy, s.killSent, s.maxRestarts,
                    mode == Mode.START && !s.startedAgain));
        }
        Instant next = null;
        boolean someoneWaits = inputs.stream().anyMatch(c -> !c.gate().open() && c.gate().blocked() == null);
        for (Action a : PodActions.compute(inputs, now)) {
            Slot s = slots.get(a.container());
            s.over = a instanceof PodActions.Done d ? d.why() : a instanceof PodActions.Blocked b ? b.why() : null;
            Instant due = act(s, a, now);
            if (someoneWaits && opensGates(a)) {
                due = now; // what waits (its gate was read before this) is looked at again at once
            }
            if (due != null && (next == null || due.isBefore(next))) {
                next = due;
            }
        }
        return next;
    }

    /** Whether an action may open another container's gate: it became ready, or it exited (completed, or failed for good). */
    private static boolean opensGates(Action a) {
        return a instanceof PodActions.SetReady r && r.ready() || a instanceof PodActions.Exited;
    }

    /** Whether a container is started (its startup probe passed) in the run last seen. */
    boolean started(String container) {
        Slot s = slots.get(container);
        return s.seen.state() == State.RUNNING && s.life.isStarted();
    }

    /** Whether a container is ready in the run last seen. */
    boolean ready(String container) {
        Slot s = slots.get(container);
        return s.seen.state() == State.RUNNING && s.life.isReady();
    }

    /** Whether a container's life ended with success (exit code 0, not to start again). */
    boolean completed(String container) {
        Slot s = slots.get(container);
        return s.over != null && s.seen.state() == State.EXITED && Integer.valueOf(0).equals(s.seen.exitCode());
    }

    /** Why a container will not run again (completed, failed, blocked), or null while it goes on. */
    String over(String container) {
        return slots.get(container).over;
    }

    /**
     * In {@link Mode#START}: whether a container is still to be started (neither seen running nor
     * started again by this worker, nor given up on).
     */
    boolean awaitingStart(String container) {
        Slot s = slots.get(container);
        return mode == Mode.START && !s.startedAgain && (s.busy || s.seen.state() != State.RUNNING) && s.over == null;
    }

    /** A container's lifecycle, for a driver that reports on it (restarts, its last exit); the worker alone changes it. */
    ContainerLifecycle life(String container) {
        return slots.get(container).life;
    }

    /** Takes in what the pool finished without acting on it: a driver that stopped stepping (an interrupted play) waits for the pool so. */
    void drain() {
        for (Result r; (r = results.poll()) != null; ) {
            r.slot().busy = false;
        }
    }

    /** Whether the pool is working for any container. */
    boolean busy() {
        return slots.values().stream().anyMatch(s -> s.busy);
    }

    /** Whether any container is still looked after: running, busy, or waiting to start again. */
    boolean watching() {
        return slots.values().stream().anyMatch(s -> s.busy || s.over == null);
    }

    /** Whether the last step changed a container's recorded readiness (then cleared): its Services need their rules again. */
    boolean readinessChanged() {
        boolean changed = readinessChanged;
        readinessChanged = false;
        return changed;
    }

    /** The containers last seen running, for work the caller does beside the worker (log rotation). */
    List<ContainerSpec> running() {
        return slots.values().stream().filter(s -> s.seen.state() == State.RUNNING).map(s -> s.spec).toList();
    }

    /** What a container is now, its lifecycle told of a run it had not seen: started (taken over), or started and ended. */
    private Seen observe(Slot s, Instant now) {
        Seen seen = engine.look(pod, s.spec);
        boolean newRun = seen.run() != null && !seen.run().equals(s.run);
        if (seen.state() == State.RUNNING && newRun) {
            if (s.run == null && engine.startMayBeUnfinished(pod, s.spec)) {
                return new Seen(State.CREATED, null, seen.run(), null, seen.restarts(), seen.readyOnDisk());
            }
            s.run = seen.run();
            s.killSent = false;
            s.killTold = false;
            s.life.started(seen.run(), seen.restarts());
            hookFailed(s);
            if (seen.readyOnDisk()) {
                s.life.assumeReady(now); // taken over ready: it stays in its Services until a probe says otherwise
            }
        } else if (seen.state() == State.RUNNING && seen.readyOnDisk() && !s.life.isReady() && s.life.killedBecause() == null) {
            s.life.assumeReady(now); // a play found it ready while this worker waited for its own check: not undone
        } else if (seen.state() == State.EXITED && newRun) {
            boolean takeover = s.run == null && !s.startedAgain;
            s.run = seen.run();
            s.life.started(seen.run(), seen.restarts());
            hookFailed(s);
            if (takeover) {
                // an exit no worker saw happen: its back-off counted from the record, its died event told once
                s.life.exited(seen.exitCode(), seen.finishedAt() != null ? seen.finishedAt() : now);
                if (mode == Mode.SUPERVISE) {
                    listener.exitBeforeTakeover(s.spec, seen.exitCode());
                }
            }
        }
        return seen;
    }

    /** A run whose postStart hook failed was stopped for it: its lifecycle knows, so that its exit says why. */
    private static void hookFailed(Slot s) {
        if (s.hookFailed != null) {
            s.life.killed(s.hookFailed);
            s.killSent = true;
            s.hookFailed = null;
        }
    }

    /** Carries out one action; returns when its container next needs a look, if it says. */
    private Instant act(Slot s, Action action, Instant now) {
        if (action instanceof PodActions.SetReady r) {
            engine.setReady(pod, s.spec, r.ready(), !r.ready() && s.seen.state() == State.EXITED ? "exited" : s.readyMessage);
            listener.event(s.spec, r.ready() ? Event.READY : Event.UNREADY, r.ready() ? s.readyMessage : "");
            readinessChanged = true;
        } else if (action instanceof PodActions.Exited e) {
            ContainerLifecycle.Exit exit = s.life.exited(e.code(), e.at());
            String killed = s.life.lastState().message();
            listener.event(s.spec, Event.DIED, "exit code " + e.code() + (killed == null ? "" : " (" + killed + ")"));
            if (exit.outcome() == ContainerLifecycle.Outcome.RESTART) {
                listener.event(s.spec, Event.RESTARTING, "in " + Math.max(0, Duration.between(now, exit.restartAt()).toMillis())
                        + " ms, CrashLoopBackOff (" + exit.why() + ")");
                return exit.restartAt();
            }
        } else if (action instanceof PodActions.Probe p) {
            dev.berth.api.Probe probe = s.life.probe(p.check());
            Instant run = s.run;
            onPool(s, () -> {
                ProbeResult result;
                try {
                    result = engine.probe(pod, s.spec, p.check(), probe);
                } catch (RuntimeException e) {
                    result = ProbeResult.failed(e.getMessage() == null ? e.toString() : e.getMessage());
                }
                return new Result(s, run, p.check(), result, clock.instant());
            });
        } else if (action instanceof PodActions.Kill k) {
            if (s.life.killedBecause() == null) {
                s.life.killed(k.reason()); // a Job's deadline: the lifecycle learns it here
            }
            if (!s.killTold) {
                s.killTold = true;
                String why = k.reason() + (s.readyMessage.isEmpty() || k.reason().startsWith("Job ") ? "" : " (" + s.readyMessage + ")");
                listener.event(s.spec, Event.cause(k.reason()), why);
                listener.event(s.spec, Event.KILLED, k.reason());
            }
            Instant run = s.run;
            onPool(s, () -> new Result(s, engine.kill(pod, s.spec, grace()) ? run : null, null, null, null));
        } else if (action instanceof PodActions.Restart) {
            onPool(s, () -> {
                if (!engine.restart(pod, s.spec)) {
                    return new Result(s, null, null, null, null);
                }
                return new Result(s, null, null, started(s, "restart " + (s.seen.restarts() + 1)), null);
            });
        } else if (action instanceof PodActions.FinishStart) {
            onPool(s, () -> {
                String done = engine.finishStart(pod, s.spec);
                if (done != null) {
                    listener.event(s.spec, Event.NOTE, "a start left half way by a killed process: " + done);
                }
                return new Result(s, null, null, null, null);
            });
        } else if (action instanceof PodActions.Wait w) {
            return w.until();
        } else if (action instanceof PodActions.Create) {
            onPool(s, () -> {
                try {
                    engine.create(pod, s.spec);
                } catch (RuntimeException e) {
                    return new Result(s, null, null, null, null, e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage() : "internal error: " + e);
                }
                return new Result(s, null, null, started(s, ""), null);
            });
        }
        return null; // Blocked, Done: nothing to do, ever
    }

    /**
     * A run was started (on the pool): its postStart hook runs, then it counts as started, or it
     * is stopped when the hook failed (the result says why).
     */
    private ProbeResult started(Slot s, String detail) {
        String hookFailed = engine.postStart(pod, s.spec);
        if (hookFailed != null) {
            listener.event(s.spec, Event.HOOK_FAILED, hookFailed + "; stopping it");
            engine.kill(pod, s.spec, grace());
            return ProbeResult.failed(hookFailed);
        }
        listener.event(s.spec, Event.STARTED, s.spec.postStart() == null ? detail : (detail.isEmpty() ? "" : detail + ", ") + "postStart hook done");
        return ProbeResult.ok("started");
    }

    private Duration grace() {
        return Duration.ofSeconds(KubePlay.grace(pod));
    }

    /** Work of the pool's other than a probe, ended (before the step's look): a start made, a kill made. */
    private void taken(Result r) {
        Slot s = r.slot();
        if (r.error() != null) {
            s.failed = r.error();
        } else if (r.result() != null) {
            s.startedAgain = true; // a start was made: its run is seen at this step's look
            s.hookFailed = r.result().success() ? null : r.result().message();
        } else if (r.run() != null && r.run().equals(s.run)) {
            s.killSent = true;
        }
    }

    /** A probe's result (after the step's look): its lifecycle told what it saw, unless its run has ended. */
    private void probed(Result r) {
        Slot s = r.slot();
        if (!r.run().equals(s.run) || s.seen.state() != State.RUNNING) {
            return; // a probe of a run that has ended since
        }
        switch (s.life.probed(r.check(), r.result().success(), r.at())) {
            case READY, UNREADY -> s.readyMessage = r.result().message();
            case STARTED -> {
                s.readyMessage = r.result().message();
                listener.event(s.spec, Event.STARTUP_PASSED, r.result().message());
            }
            case KILL -> s.readyMessage = r.result().message(); // the kill follows in this step, and says why
            default -> {
            }
        }
    }

    /** Runs slow work for a container on the pool; the container is left alone until its result is taken in. */
    private void onPool(Slot s, java.util.function.Supplier<Result> work) {
        s.busy = true;
        pool.execute(() -> {
            Result r;
            try {
                r = work.get();
            } catch (RuntimeException e) {
                listener.event(s.spec, Event.NOTE, "failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                r = new Result(s, null, null, null, null);
            }
            results.add(r);
            wake.run();
        });
    }
}
