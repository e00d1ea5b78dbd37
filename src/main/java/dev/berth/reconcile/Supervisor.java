package dev.berth.reconcile;

import dev.berth.api.Canonical;
import dev.berth.api.ContainerName;
import dev.berth.api.ContainerSpec;
import dev.berth.api.Json;
import dev.berth.api.PodSpec;
import dev.berth.engine.Berth;
import dev.berth.engine.ContainerEngine;
import dev.berth.probe.Prober;
import dev.berth.state.ContainerRecord;
import dev.berth.state.Locks;
import dev.berth.state.PodRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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

    private final Berth berth;
    private final Consumer<String> log;
    private final Restarts restarts;
    /** A worker per watched pod (by name and spec hash) and per container of {@code run --restart} (by ID and policy). */
    private final Map<String, Watched> workers = new HashMap<>();

    /** A pod's worker and its engine (which knows the pod's containers' records). */
    private record Watched(PodWorker worker, WorkerEngine engine) {}
    /** Released by the pool (a worker's action ended) and by the exit directory's watch (a container exited). */
    private final Semaphore wake = new Semaphore(0);
    /** When the next check or restart falls due, as the last look found. */
    private Instant nextWake = Instant.now();
    /** Pod specs by their hash: parsed once, not at every pass. */
    private final Map<String, PodSpec> specs = new HashMap<>();
    /** The state as a look read it: read again only when it changed (one query to know). */
    private WorkerEngine.Snapshot snapshot;
    private ExecutorService pool;
    private Prober prober;
    private Events events;
    /** What keeps it watching when no pod needs it: {@code reconcile --watch}, or the API served while wanted. */
    private volatile java.util.function.BooleanSupplier kept = () -> false;
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
        if (pod.ofJob()) {
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
        return host(() -> true);
    }

    /**
     * Watches, holding the supervisor's lock, while a pod needs it or {@code wanted} says so
     * (asked at every look, holding the lock: the API server is started and stopped there); returns
     * false at once when another supervisor holds the root.
     */
    public boolean host(java.util.function.BooleanSupplier wanted) {
        Optional<Locks.Held> lock = berth.locks().trySupervisor();
        kept = wanted;
        lock.ifPresent(this::watch);
        return lock.isPresent();
    }

    /** Makes it look again now (what keeps it may have changed). */
    public void wake() {
        wake.release();
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
                while ((pass(true) | kept.getAsBoolean()) && !stopped) {
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
                if (!pass(false) && !kept.getAsBoolean()) {
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
     * One look at every pod: with {@code act}, each watched pod's worker steps (takes in what its
     * pool finished, restarts what is due, starts the probes that are due) and Services whose pods'
     * readiness changed get their rules again; returns whether anything still needs watching.
     */
    boolean pass(boolean act) {
        nextWake = Instant.now().plus(IDLE);
        snapshot = snapshot == null || !act ? WorkerEngine.Snapshot.read(berth) : snapshot.fresh(berth);
        Map<String, ContainerRecord> byName = snapshot.containers();
        if (!act) {
            return needed(berth, byName);
        }
        Map<String, Watched> seen = new HashMap<>();
        for (PodRecord p : snapshot.pods()) {
            if (p.status() != PodRecord.Status.RUNNING) {
                continue;
            }
            PodSpec pod = specs.computeIfAbsent(p.specHash(), h -> Canonical.read(Json.parse(p.spec()), PodSpec.class));
            List<ContainerSpec> watched = pod.allContainers().stream()
                    .filter(c -> watched(pod, c) && byName.containsKey(new ContainerName(pod.name(), c.name()).full())).toList();
            if (!watched.isEmpty()) {
                String key = "pod " + p.name() + " " + p.specHash();
                seen.put(key, workers.computeIfAbsent(key, k -> worker(pod, watched, Map.of(), false)));
            }
        }
        for (ContainerRecord r : byName.values()) { // containers of run --restart
            String policy = r.standalone() ? berth.containers().restartPolicy(r.id()) : null;
            if (policy != null) {
                String key = "container " + r.id() + " " + policy;
                seen.put(key, workers.computeIfAbsent(key, k -> {
                    PodSpec pod = standalone(r, policy);
                    return worker(pod, pod.containers(), Map.of(r.name(), maxRestarts(policy)), true);
                }));
            }
        }
        workers.keySet().retainAll(seen.keySet());
        boolean watching = false;
        boolean readinessChanged = false;
        Instant now = Instant.now();
        for (Watched watched : seen.values()) {
            PodWorker w = watched.worker();
            Instant due = w.step(now);
            if (due != null && due.isBefore(nextWake)) {
                nextWake = due;
            }
            watching |= w.watching();
            readinessChanged |= w.readinessChanged();
            w.running().forEach(watched.engine()::rotateLog);
        }
        if (readinessChanged) {
            Networking.updateEndpoints(berth);
        }
        return watching;
    }

    /** A worker of a pod, or of a container of {@code run --restart} as a pod of one ({@code standalone}). */
    private Watched worker(PodSpec pod, List<ContainerSpec> containers, Map<String, Integer> maxRestarts, boolean standalone) {
        WorkerEngine real = new WorkerEngine(berth, prober, pod, standalone, false, () -> snapshot, log, events);
        return new Watched(new PodWorker(pod, containers, PodWorker.Mode.SUPERVISE, restarts, new ContainerLifecycle.Jobs(), maxRestarts,
                c -> PodActions.Gate.OPEN, real, real, pool, wake::release, Instant::now), real);
    }

    /** Whether some watched container runs, or has exited and will start again (read only: for a command that only asks). */
    private static boolean needed(Berth berth, Map<String, ContainerRecord> byName) {
        for (PodRecord p : berth.state().pods()) {
            if (p.status() != PodRecord.Status.RUNNING) {
                continue;
            }
            PodSpec pod = Canonical.read(Json.parse(p.spec()), PodSpec.class);
            for (ContainerSpec c : pod.allContainers()) {
                ContainerRecord r = byName.get(new ContainerName(pod.name(), c.name()).full());
                if (watched(pod, c) && r != null && (berth.containers().exitCode(r.id()) == null
                        || nextStart(berth, pod, c, berth.containers().find(r.id()), new Restarts()) != null)) {
                    return true;
                }
            }
        }
        for (ContainerRecord r : byName.values()) {
            String policy = r.standalone() ? berth.containers().restartPolicy(r.id()) : null;
            if (policy != null && (berth.containers().exitCode(r.id()) == null || maxRestarts(policy) == 0
                    || berth.containers().restarts(r.id()) < maxRestarts(policy))) {
                return true;
            }
        }
        return false;
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
                || pod.ofJob()) {
            return null;
        }
        ContainerLifecycle lc = new ContainerLifecycle(pod, c, restarts, new ContainerLifecycle.Jobs(), false);
        lc.started(Objects.requireNonNullElse(r.started(), r.finished()), berth.containers().restarts(container.id()));
        ContainerLifecycle.Exit exit = lc.exited(container.exitCode(), r.finished());
        return exit.restartAt();
    }
}
