package dev.berth.reconcile;

import dev.berth.api.BerthException;
import dev.berth.api.Canonical;
import dev.berth.api.ContainerName;
import dev.berth.api.ContainerSpec;
import dev.berth.api.Json;
import dev.berth.api.PodSpec;
import dev.berth.api.Readiness;
import dev.berth.engine.Berth;
import dev.berth.engine.ContainerEngine;
import dev.berth.probe.ProbeResult;
import dev.berth.probe.Prober;
import dev.berth.reconcile.ContainerLifecycle.Check;
import dev.berth.reconcile.ContainerLifecycle.Verdict;
import dev.berth.state.ContainerRecord;
import dev.berth.state.Locks;
import dev.berth.state.PodRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Keeps pods going after {@code kube play} returned, as a kubelet does, each container through
 * its {@link ContainerLifecycle}: an exited container is started again as its restart policy
 * says after the crash-loop back-off; startup, liveness and readiness probes run on their
 * schedules (a liveness failure stops the container, which its policy may then restart); a pod
 * whose readiness changes joins or leaves its Services' rules. One process per root
 * ({@code berth system supervise}), started by {@code kube play} when a pod needs it and ending
 * by itself once none does. Everything it knows is on disk (container records, conmon's exit
 * files, restart counts, readiness), so killing it loses nothing but time.
 *
 * <p>It also rotates the logs of the containers it watches (others are only cut at their size
 * limit by conmon). Probes run on a small pool; the loop only reads their results, so a slow probe holds up no
 * other container. A pod a command is changing (its lock held: a play, a down) is left alone until
 * the lock is free. Job pods are not supervised: play runs them to their end.
 */
public final class Supervisor {
    /** The longest it sleeps: what bounds a log's rotation and a change no event announces (a pod played, removed). */
    static final Duration IDLE = Duration.ofSeconds(2);
    /** The shortest: a burst of events is taken in one look. */
    static final Duration SHORTEST = Duration.ofMillis(20);

    /** A probe's result (or, with no check, the end of a restart or stop), handed from the pool to the loop. */
    private record Result(String containerId, Instant run, Check check, ProbeResult result, Instant at) {}

    private final Berth berth;
    private final Consumer<String> log;
    private final Restarts restarts;
    /** The lifecycle of each watched container, by ID; a new run (another start time) starts a new one. */
    private final Map<String, ContainerLifecycle> lifecycles = new HashMap<>();
    private final Map<String, Instant> runs = new HashMap<>();
    /** Containers the pool is working on (a probe, a restart with its postStart hook, a stop): the loop leaves them alone. */
    private final Set<String> busy = new HashSet<>();
    private final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
    /** Released by the pool (a result came back) and by the exit directory's watch (a container exited). */
    private final Semaphore wake = new Semaphore(0);
    /** When the next check or restart falls due, as the last look found. */
    private Instant nextWake = Instant.now();
    /** Pod specs by their hash: parsed once, not at every pass. */
    private final Map<String, PodSpec> specs = new HashMap<>();
    private ExecutorService pool;
    private Prober prober;
    private Events events;
    private boolean endpointsChanged;
    private boolean hosted;
    private volatile boolean stopped;

    public Supervisor(Berth berth, Consumer<String> log, Duration backoffMax) {
        this.berth = berth;
        this.log = log;
        this.restarts = new Restarts(backoffMax);
    }

    public Supervisor(Berth berth, Consumer<String> log) {
        this(berth, log, Restarts.DEFAULT_MAX);
    }

    /** Present while the root wants a supervisor: the next berth command starts one when none runs. */
    public static Path wanted(Berth berth) {
        return berth.layout().runroot().resolve("supervisor.wanted");
    }

    /** Whether some pod of the root has a container that needs watching. */
    public static boolean needed(Berth berth) {
        return new Supervisor(berth, line -> {}).pass(false);
    }

    /**
     * Whether a container needs a supervisor: its policy may start it again, or it has a probe
     * whose result still matters after play (liveness, startup, readiness).
     */
    static boolean watched(PodSpec pod, ContainerSpec c) {
        if (pod.owner() != null && pod.owner().kind().equals("Job")) {
            return false;
        }
        return !Restarts.policy(pod, c).equals("Never") || c.livenessProbe() != null || c.readinessProbe() != null || c.startupProbe() != null;
    }

    /** What a supervisor watches now: a line per watched container (pod/container: state). */
    public static List<String> watched(Berth berth) {
        List<String> lines = new ArrayList<>();
        for (PodRecord p : berth.state().pods()) {
            PodSpec pod = Canonical.read(Json.parse(p.spec()), PodSpec.class);
            if (p.status() != PodRecord.Status.RUNNING) {
                continue;
            }
            for (ContainerSpec c : pod.allContainers()) {
                Optional<ContainerRecord> r = berth.state().containerByName(new ContainerName(pod.name(), c.name()).full());
                if (!watched(pod, c) || r.isEmpty()) {
                    continue;
                }
                Integer code = berth.containers().exitCode(r.get().id());
                List<String> probes = new ArrayList<>();
                for (var probe : new Object[][] {{"startupProbe", c.startupProbe()}, {"livenessProbe", c.livenessProbe()}, {"readinessProbe", c.readinessProbe()}}) {
                    if (probe[1] != null) {
                        probes.add(probe[0] + " every " + ((dev.berth.api.Probe) probe[1]).periodSeconds() + "s");
                    }
                }
                String state = code == null ? "running" + (probes.isEmpty() ? "" : ", " + String.join(", ", probes))
                        : Optional.ofNullable(nextStart(berth, pod, c, berth.containers().find(r.get().id())))
                                .map(t -> "CrashLoopBackOff, starts again at " + t).orElse("exited " + code + ", done");
                lines.add(pod.name() + "/" + c.name() + ": " + state + ", restarts " + berth.containers().restarts(r.get().id()));
            }
        }
        for (ContainerRecord r : berth.state().containers()) {
            String policy = r.standalone() ? berth.containers().restartPolicy(r.id()) : null;
            if (policy != null) {
                ContainerEngine.Container c = berth.containers().find(r.id());
                lines.add(r.name() + ": " + (c.running() ? "running" : "exited " + c.exitCode()) + ", --restart " + policy
                        + ", restarts " + berth.containers().restarts(r.id()));
            }
        }
        return lines;
    }

    /** Watches until nothing needs it; returns at once when another supervisor holds the root. */
    public void run() {
        berth.locks().trySupervisor().ifPresentOrElse(this::watch, () -> log.accept("another supervisor watches this root; leaving"));
    }

    /**
     * Watches, holding the supervisor's lock, until {@link #stop} even when nothing needs it
     * (inside {@code reconcile --watch}, which plays pods meanwhile); returns false at once when
     * another supervisor holds the root.
     */
    public boolean host() {
        Optional<Locks.Held> lock = berth.locks().trySupervisor();
        hosted = true;
        lock.ifPresent(this::watch);
        return lock.isPresent();
    }

    /** Ends {@link #host} (or {@link #run}) at its next look. */
    public void stop() {
        stopped = true;
        wake.release();
    }

    private void watch(Locks.Held lock) {
        pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "probe");
            t.setDaemon(true);
            return t;
        });
        prober = new Prober(berth.containers());
        events = new Events(berth.state());
        try (Locks.Held held = lock; ExitWatch exits = new ExitWatch(berth.layout().exits(), name -> wake.release())) {
            log.accept("watching");
            while (!stopped) {
                while ((pass(true) || hosted) && !stopped) {
                    try {
                        long sleep = Duration.between(Instant.now(), nextWake).toMillis();
                        wake.tryAcquire(Math.max(SHORTEST.toMillis(), Math.min(IDLE.toMillis(), sleep)), TimeUnit.MILLISECONDS);
                        wake.drainPermits();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                // no longer wanted; a play that made a pod to watch meanwhile finds it in the look after
                Files.deleteIfExists(wanted(berth));
                if (!pass(false)) {
                    break;
                }
                Files.writeString(wanted(berth), "");
            }
            log.accept("nothing left to watch; leaving");
        } catch (java.io.IOException e) {
            log.accept("cannot change " + wanted(berth) + ": " + e.getMessage() + "; leaving");
        } finally {
            pool.shutdownNow();
            prober.close();
            events.close();
        }
    }

    /**
     * One look at every pod: with {@code act}, takes in the probes' results, restarts what is due,
     * starts the probes that are due and rewrites Services whose pods' readiness changed; returns
     * whether anything still needs watching.
     */
    boolean pass(boolean act) {
        nextWake = Instant.now().plus(IDLE);
        Map<String, ContainerRecord> containers = new HashMap<>();
        berth.state().containers().forEach(c -> containers.put(c.name(), c)); // one query a pass
        if (act) {
            for (Result r; (r = results.poll()) != null; ) {
                busy.remove(r.containerId());
                ContainerLifecycle lc = lifecycles.get(r.containerId());
                if (lc != null && r.check() != null && r.run().equals(runs.get(r.containerId()))) {
                    verdict(containers, lc, r);
                }
            }
        }
        Set<String> ready = berth.state().readyContainers(); // after the verdicts, which may have changed it
        boolean watching = false;
        Set<String> seen = new HashSet<>();
        for (PodRecord p : berth.state().pods()) {
            if (p.status() != PodRecord.Status.RUNNING) {
                continue;
            }
            PodSpec pod = specs.computeIfAbsent(p.specHash(), h -> Canonical.read(Json.parse(p.spec()), PodSpec.class));
            for (ContainerSpec c : pod.allContainers()) {
                ContainerRecord record = containers.get(new ContainerName(pod.name(), c.name()).full());
                if (watched(pod, c) && record != null) {
                    seen.add(record.id());
                    watching |= watch(p, pod, c, record, ready.contains(record.id()), act, 0);
                }
            }
        }
        for (ContainerRecord r : containers.values()) { // containers of run --restart
            String policy = r.standalone() ? berth.containers().restartPolicy(r.id()) : null;
            if (policy != null) {
                PodSpec pod = specs.computeIfAbsent(r.id() + " " + policy, k -> standalone(r, policy));
                seen.add(r.id());
                watching |= watch(null, pod, pod.containers().get(0), r, false, act, maxRestarts(policy));
            }
        }
        lifecycles.keySet().retainAll(seen);
        takenOver.retainAll(seen);
        runs.keySet().retainAll(seen);
        if (endpointsChanged) {
            endpointsChanged = false;
            Networking.updateEndpoints(berth);
        }
        return watching;
    }

    /** The lifecycle of a container's current run, taken over from what is on disk when it is new to this supervisor. */
    private ContainerLifecycle lifecycle(PodSpec pod, ContainerSpec c, ContainerRecord r, boolean readyOnDisk) {
        Instant run = r.started() == null ? r.created() : r.started();
        ContainerLifecycle lc = lifecycles.get(r.id());
        if (lc == null || !run.equals(runs.get(r.id()))) {
            lc = new ContainerLifecycle(pod, c, restarts, new ContainerLifecycle.Jobs(), false);
            lc.started(run, berth.containers().restarts(r.id()));
            if (readyOnDisk) {
                lc.assumeReady(Instant.now());
            }
            lifecycles.put(r.id(), lc);
            runs.put(r.id(), run);
        }
        return lc;
    }

    /**
     * A container of {@code run --restart} as a pod of one, so that the same lifecycle decides:
     * {@code always} and {@code unless-stopped} are Always, {@code on-failure[:N]} OnFailure.
     */
    private static PodSpec standalone(ContainerRecord r, String policy) {
        ContainerSpec c = new ContainerSpec(r.name(), r.imageName(), null, List.of(), List.of(), null, List.of(), List.of(), List.of(), List.of(),
                null, null, null, null, null, Map.of(), Map.of(), null, null, dev.berth.api.Source.NONE);
        return new PodSpec(r.name(), "default", Map.of(), Map.of(), List.of(), List.of(c), List.of(), policy.startsWith("on-failure") ? "OnFailure" : "Always",
                false, false, null, null, null, List.of(), true, null, null, null, dev.berth.api.Source.NONE);
    }

    /** N of {@code on-failure:N}, else 0 (no limit). */
    static int maxRestarts(String policy) {
        return policy.startsWith("on-failure:") ? Integer.parseInt(policy.substring("on-failure:".length())) : 0;
    }

    /**
     * One container: running (and probed), or exited and due (or not yet due) to start again, or
     * done for good.
     *
     * @param p           the pod's record, or null for a container of {@code run --restart}
     * @param maxRestarts how many restarts its policy allows (0: no limit)
     */
    private boolean watch(PodRecord p, PodSpec pod, ContainerSpec c, ContainerRecord r, boolean readyOnDisk, boolean act, int maxRestarts) {
        if (busy.contains(r.id())) {
            return true;
        }
        ContainerEngine engine = berth.containers();
        Integer code = engine.exitCode(r.id()); // a file read: no runtime call for a running container
        if (code == null) {
            if (act && !lifecycles.containsKey(r.id()) && !takenOver.contains(r.id()) && !engine.startMayBeUnfinished(r.id())) {
                takenOver.add(r.id()); // runs, as its files say: nothing to look at
            }
            if (act && !lifecycles.containsKey(r.id()) && !takenOver.contains(r.id())) {
                // new to this supervisor: a restart a killed supervisor left half way (created, no exit) would count as running for ever
                berth.locks().tryPod(pod.name()).ifPresent(lock -> onPool(r, () -> {
                    try (Locks.Held held = lock) {
                        String done = engine.finishInterruptedStart(r.id());
                        if (done != null) {
                            log.accept(r.name() + ": a restart left half way by a killed supervisor: " + done);
                        }
                        takenOver.add(r.id());
                    } catch (BerthException e) {
                        log.accept("cannot finish the restart of " + r.name() + ": " + e.getMessage());
                    }
                }));
                return true;
            }
            if (act) {
                ContainerLifecycle lc = lifecycle(pod, c, r, readyOnDisk);
                if (p != null && lc.killedBecause() == null) {
                    if (readyOnDisk && !lc.isReady()) {
                        lc.assumeReady(Instant.now()); // a play found it ready while this supervisor waited for its own check: not undone
                    } else if (!readyOnDisk && lc.isReady() && r.started() != null) {
                        setReady(r, true, "running"); // e.g. restarted, with no readiness check of its own (not one a play has yet to start)
                    }
                }
                startProbe(p, c, r, lc);
                engine.rotateLog(r.id()); // two stats while nothing was cut
                Instant next = lc.nextCheck();
                if (next != null && next.isBefore(nextWake)) {
                    nextWake = next;
                }
            }
            return true;
        }
        if (readyOnDisk && act) {
            setReady(r, false, "exited"); // an exited container serves nothing
        }
        ContainerLifecycle seen = lifecycles.get(r.id());
        if (act && seen == null && exitsTakenOver.add(r.id() + " " + engine.restarts(r.id()))) {
            diedBeforeTakeover(r, code); // an exit that started this supervisor, say: it saw no run end
        }
        if (act && seen != null && seen.runningSince() != null) { // an exit this supervisor saw happen
            Instant now = Instant.now();
            ContainerLifecycle.Exit exit = seen.exited(code, now);
            record(r, "died", "exit code " + code + (seen.lastState().message() == null ? "" : " (" + seen.lastState().message() + ")"));
            if (exit.outcome() == ContainerLifecycle.Outcome.RESTART) {
                record(r, "restarting", "in " + Duration.between(now, exit.restartAt()).toMillis() + " ms, CrashLoopBackOff (" + exit.why() + ")");
            }
        }
        Instant due = nextStart(berth, pod, c, engine.find(r.id()), restarts);
        if (maxRestarts > 0 && engine.restarts(r.id()) >= maxRestarts) {
            due = null; // on-failure:N used up
        }
        if (due == null) {
            lifecycles.remove(r.id());
            return false;
        }
        if (due.isBefore(nextWake)) {
            nextWake = due;
        }
        if (act && !Instant.now().isBefore(due)) {
            berth.locks().tryPod(pod.name()).ifPresent(lock -> onPool(r, () -> {
                try (Locks.Held held = lock) {
                    // a down (or a stop by hand) may have come between the look and the lock
                    if (p == null ? engine.restartPolicy(r.id()) != null
                            : berth.state().pod(pod.name()).map(now -> now.status() == PodRecord.Status.RUNNING).orElse(false)) {
                        ContainerEngine.Container restarted = engine.restart(engine.find(r.id()));
                        log.accept("restarted " + r.name() + " (exit code " + code + ", restart " + engine.restarts(r.id())
                                + ", restartPolicy " + Restarts.policy(pod, c) + ")");
                        record(r, "started", "restart " + engine.restarts(r.id()));
                        String hookFailed = Hooks.postStart(prober, c, netns(p), r.id());
                        if (hookFailed != null) {
                            log.accept(r.name() + ": " + hookFailed + "; stopping it");
                            record(r, "hook-failed", hookFailed + "; stopping it");
                            engine.stop(restarted, Duration.ofSeconds(KubePlay.grace(pod)));
                        }
                    }
                } catch (BerthException e) {
                    log.accept("cannot restart " + r.name() + ": " + e.getMessage());
                }
            }));
        }
        return true;
    }

    private static Path netns(PodRecord p) {
        return p == null || p.netns() == null ? null : Path.of(p.netns());
    }

    /** Runs {@code work} for a container on the pool; the loop leaves the container alone until it is done. */
    private void onPool(ContainerRecord r, Runnable work) {
        busy.add(r.id());
        pool.submit(() -> {
            try {
                work.run();
            } finally {
                results.add(new Result(r.id(), null, null, null, Instant.now()));
                wake.release();
            }
        });
    }

    /** Running containers this supervisor checked when it took them over (files; a runc call only for one its files say may be unstarted). */
    private final Set<String> takenOver = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Exits this supervisor found on taking over, by container and run (restart count), each looked at once. */
    private final Set<String> exitsTakenOver = new HashSet<>();

    /** Records the {@code died} event of an exit no supervisor saw happen (none was running, or it was killed before it told). */
    private void diedBeforeTakeover(ContainerRecord r, int code) {
        Instant exited;
        try {
            exited = Files.getLastModifiedTime(berth.layout().exitFile(r.id())).toInstant();
        } catch (java.io.IOException gone) {
            return;
        }
        String object = r.pod() == null ? "Container/" + r.ownName() : "Container/" + r.pod() + "/" + r.ownName();
        boolean told = berth.state().events(0, exited.minusSeconds(1), r.pod()).stream()
                .anyMatch(e -> e.object().equals(object) && (e.type().equals("died") || e.type().equals("exited"))); // exited: a play saw it
        if (!told) {
            record(r, "died", "exit code " + code);
        }
    }

    /** Records an event of a container, when this is the running supervisor (not a look from another command). */
    private void record(ContainerRecord r, String type, String message) {
        if (events != null) {
            events.record(r.pod(), r.ownName(), type, message);
        }
    }

    private void setReady(ContainerRecord r, boolean ready, String message) {
        berth.state().setReady(r.id(), ready, message);
        log.accept(r.name() + (ready ? " is ready" : " is not ready"));
        record(r, ready ? "ready" : "unready", "");
        endpointsChanged = true;
    }

    /** Hands the check that is due, if any, to the pool; its result comes back through {@link #results}. */
    private void startProbe(PodRecord p, ContainerSpec c, ContainerRecord r, ContainerLifecycle lc) {
        Check check = lc.due(Instant.now());
        if (check == null || !busy.add(r.id())) {
            return;
        }
        Instant run = runs.get(r.id());
        PodSpec pod = specs.get(p.specHash());
        Path netns = netns(p);
        pool.submit(() -> {
            ProbeResult result;
            try {
                result = check == Check.READINESS ? prober.readiness(Readiness.of(pod, c), netns, r.id(), Prober.namedPorts(c))
                        : prober.probe(lc.probe(check).action(), netns, r.id(), Prober.namedPorts(c), Duration.ofSeconds(lc.probe(check).timeoutSeconds()));
            } catch (RuntimeException e) {
                result = ProbeResult.failed(e.getMessage() == null ? e.toString() : e.getMessage());
            }
            results.add(new Result(r.id(), run, check, result, Instant.now()));
            wake.release();
        });
    }

    /** What a probe's result means: a container becomes ready or unready, or is stopped. */
    private void verdict(Map<String, ContainerRecord> containers, ContainerLifecycle lc, Result r) {
        ContainerRecord record = containers.values().stream().filter(c -> c.id().equals(r.containerId())).findFirst().orElse(null);
        if (record == null) {
            return;
        }
        Verdict v = lc.probed(r.check(), r.result().success(), r.at());
        switch (v) {
            case READY -> setReady(record, true, r.result().message());
            case UNREADY -> setReady(record, false, r.result().message());
            case KILL -> stop(record, lc, r.result());
            default -> {
            }
        }
    }

    /**
     * Past a liveness or startup probe's failure threshold: SIGTERM, then SIGKILL after the pod's
     * grace period, on the pool (the loop does not wait for it); the exit is then seen like any other.
     */
    private void stop(ContainerRecord r, ContainerLifecycle lc, ProbeResult last) {
        setReady(r, false, last.message());
        Optional<PodRecord> p = berth.state().pod(r.pod());
        PodSpec pod = p.map(x -> specs.computeIfAbsent(x.specHash(), h -> Canonical.read(Json.parse(x.spec()), PodSpec.class))).orElse(null);
        Optional<Locks.Held> lock = pod == null ? Optional.empty() : berth.locks().tryPod(pod.name());
        if (lock.isEmpty()) {
            return;
        }
        log.accept(r.name() + ": " + lc.killedBecause() + " (" + last.message() + "); stopping it");
        record(r, Events.failedProbe(lc.killedBecause()), lc.killedBecause() + " (" + last.message() + ")");
        record(r, "killed", lc.killedBecause());
        ContainerSpec c = pod.container(r.ownName()).orElseThrow();
        onPool(r, () -> {
            try (Locks.Held held = lock.get()) {
                Hooks.stop(berth, prober, c, netns(p.get()), berth.containers().find(r.id()), Duration.ofSeconds(KubePlay.grace(pod)));
            } catch (BerthException e) {
                log.accept("cannot stop " + r.name() + ": " + e.getMessage());
            }
        });
    }

    /** When an exited container starts again (its back-off over), or null when its policy leaves it down. */
    public static Instant nextStart(Berth berth, PodSpec pod, ContainerSpec c, ContainerEngine.Container container) {
        if (!berth.state().pod(pod.name()).map(p -> p.status() == PodRecord.Status.RUNNING).orElse(false)) {
            return null; // stopped (pod stop) or going: nothing starts it again
        }
        return nextStart(berth, pod, c, container, new Restarts());
    }

    private static Instant nextStart(Berth berth, PodSpec pod, ContainerSpec c, ContainerEngine.Container container, Restarts restarts) {
        ContainerRecord r = container.record();
        if (container.running() || container.exitCode() == null || r.finished() == null
                || pod.owner() != null && pod.owner().kind().equals("Job")) {
            return null;
        }
        ContainerLifecycle lc = new ContainerLifecycle(pod, c, restarts, new ContainerLifecycle.Jobs(), false);
        lc.started(Objects.requireNonNullElse(r.started(), r.finished()), berth.containers().restarts(container.id()));
        ContainerLifecycle.Exit exit = lc.exited(container.exitCode(), r.finished());
        return exit.restartAt();
    }
}
