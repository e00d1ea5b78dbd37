package dev.berth.reconcile;

import dev.berth.api.BerthException;
import dev.berth.api.Canonical;
import dev.berth.api.ContainerName;
import dev.berth.api.ContainerSpec;
import dev.berth.api.Json;
import dev.berth.api.Manifests;
import dev.berth.api.PodSpec;
import dev.berth.api.Readiness;
import dev.berth.api.StartCondition;
import dev.berth.engine.Berth;
import dev.berth.engine.ContainerEngine;
import dev.berth.plan.Edge;
import dev.berth.plan.Node;
import dev.berth.plan.Plan;
import dev.berth.plan.PlanBuilder;
import dev.berth.probe.Prober;
import dev.berth.state.Locks;
import dev.berth.state.PodRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code pod stop} and {@code pod start}, as podman's: a played pod's containers stopped in
 * the reverse of its plan's order (preStop hooks, then SIGTERM, SIGKILL after the grace period),
 * the supervisor leaving them be; then the same containers (their writable layers and logs
 * kept) started again in the plan's order, each after the containers it depends on are ready
 * (as play waits, one at a time), postStart hooks run, watched by the supervisor again. Init
 * containers, done before, are not run again.
 */
public final class PodControl {
    private PodControl() {}

    /** Stops a pod's containers; {@code timeout} overrides its terminationGracePeriodSeconds when not null. */
    public static void stop(Berth berth, String pod, Duration timeout, Consumer<String> waiting) {
        try (Locks.Held held = berth.locks().pod(pod, waiting)) {
            PodSpec spec = spec(berth, pod);
            Duration grace = timeout != null ? timeout : Duration.ofSeconds(KubePlay.grace(spec));
            List<String> order = containers(plan(spec).stopOrder());
            Path netns = netns(berth, pod);
            try (Prober prober = new Prober(berth.containers())) {
                berth.pods().stop(pod, order, grace, (c, left) -> Hooks.preStop(prober,
                        spec.container(ContainerName.own(pod, c.name())).orElse(null), netns, c, left));
            }
        }
    }

    /**
     * Removes a pod whose lock the caller holds, as {@code kube down} removes one: its containers
     * stopped in the reverse of its plan's order, each after its preStop hook, within
     * {@code timeout} or else the pod's terminationGracePeriodSeconds. A pod whose record is gone
     * (what a killed command left) is removed with no order and the default grace.
     */
    public static void removeLocked(Berth berth, String pod, Duration timeout) {
        PodSpec spec = berth.state().pod(pod).map(r -> Canonical.read(Json.parse(r.spec()), PodSpec.class)).orElse(null);
        List<String> order = spec == null ? List.of() : containers(plan(spec).stopOrder());
        Duration grace = timeout != null ? timeout : Duration.ofSeconds(spec == null ? 30 : KubePlay.grace(spec));
        Hooks.removePod(berth, pod, order, grace);
    }

    /** How long {@code pod start} waits for what a container waits for, as play's --timeout default. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    /**
     * Starts a pod's app containers that are not running, through a {@link PodWorker} in its
     * {@code START} mode: each once what it waits for (its plan's edges between containers) holds,
     * probed as play probes; returns whether the supervisor has any to watch.
     */
    public static boolean start(Berth berth, String pod, Consumer<String> waiting) {
        try (Locks.Held held = berth.locks().pod(pod, waiting)) {
            PodSpec spec = spec(berth, pod);
            PodRecord record = berth.state().pod(pod).orElseThrow();
            if (!berth.pods().sandboxUp(record)) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "pod " + pod + " has lost its sandbox; play it again (kube play --replace)");
            }
            ContainerEngine engine = berth.containers();
            List<ContainerSpec> apps = containers(plan(spec).startOrder()).stream()
                    .map(name -> spec.containers().stream().filter(c -> c.name().equals(name)).findFirst().orElse(null))
                    .filter(java.util.Objects::nonNull).toList(); // init containers were done before
            boolean watched = false;
            for (ContainerSpec c : apps) {
                if (Supervisor.watched(spec, c)) {
                    engine.supervise(engine.find(new ContainerName(pod, c.name()).full()).id());
                    watched = true;
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "pod-start");
                t.setDaemon(true);
                return t;
            });
            try (Prober prober = new Prober(engine); Events events = new Events(berth.state())) {
                run(berth, spec, apps, prober, events, pool);
            } finally {
                pool.shutdownNow();
            }
            berth.state().updatePod(pod, null, PodRecord.Status.RUNNING);
            return watched;
        }
    }

    /** Steps the pod's worker until every container was started, or throws what kept one from starting. */
    private static void run(Berth berth, PodSpec spec, List<ContainerSpec> apps, Prober prober, Events events, ExecutorService pool) {
        WorkerEngine.Snapshot[] snapshot = {WorkerEngine.Snapshot.read(berth)};
        WorkerEngine real = new WorkerEngine(berth, prober, spec, false, true, () -> snapshot[0], line -> {}, events);
        List<String> failures = new ArrayList<>();
        PodWorker.Listener told = (c, event, message) -> {
            real.event(c, event, message);
            if (event == PodWorker.Event.HOOK_FAILED) {
                failures.add(new ContainerName(spec.name(), c.name()) + ": " + message);
            }
        };
        Plan plan = plan(spec);
        Semaphore wake = new Semaphore(0);
        PodWorker[] worker = new PodWorker[1];
        worker[0] = new PodWorker(spec, apps, PodWorker.Mode.START, new Restarts(), new ContainerLifecycle.Jobs(), Map.of(), name -> gate(plan, spec, worker[0], name),
                real, told, pool, wake::release, Instant::now);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            snapshot[0] = WorkerEngine.Snapshot.read(berth);
            Instant next = worker[0].step(Instant.now());
            List<String> left = apps.stream().map(ContainerSpec::name).filter(worker[0]::awaitingStart).toList();
            if (!failures.isEmpty()) {
                throw new BerthException(BerthException.Kind.FAILED, String.join("; ", failures));
            }
            if (left.isEmpty()) {
                List<String> blocked = apps.stream().filter(c -> worker[0].over(c.name()) != null && !worker[0].started(c.name()))
                        .map(c -> new ContainerName(spec.name(), c.name()) + " " + worker[0].over(c.name())).toList();
                if (!blocked.isEmpty()) {
                    throw new BerthException(BerthException.Kind.FAILED, "not started: " + String.join("; ", blocked));
                }
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new BerthException(BerthException.Kind.FAILED, left.stream().map(c -> new ContainerName(spec.name(), c) + " waited "
                        + gate(plan, spec, worker[0], c).unmet().stream().map(u -> "for " + u).reduce((x, y) -> x + ", " + y).orElse("to start")
                        + ": not within " + READY_TIMEOUT.toSeconds() + " s").reduce((x, y) -> x + "; " + y).orElseThrow());
            }
            try {
                long sleep = next == null ? 200 : Math.min(200, Duration.between(Instant.now(), next).toMillis());
                wake.tryAcquire(Math.max(1, sleep), TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BerthException(BerthException.Kind.FAILED, "interrupted");
            }
        }
    }

    /**
     * What a container waits for before {@code pod start} starts it: the containers its plan's
     * edges name started or ready (as the edge says); blocked when one of them has stopped for good.
     */
    private static PodActions.Gate gate(Plan plan, PodSpec spec, PodWorker worker, String name) {
        List<String> unmet = new ArrayList<>();
        for (Edge e : plan.edges()) {
            String dep = e.from().container();
            if (!e.to().equals(Node.container(spec.name(), name)) || e.from().kind() != Node.Kind.CONTAINER
                    || e.condition() == StartCondition.COMPLETED || spec.containers().stream().noneMatch(c -> c.name().equals(dep))) {
                continue;
            }
            if (worker.over(dep) != null) {
                return PodActions.Gate.blocked("waited for " + dep + ", which exited (" + worker.over(dep) + ")");
            }
            if (!(e.condition() == StartCondition.STARTED ? worker.started(dep) : worker.ready(dep))) {
                Readiness readiness = Readiness.of(spec, spec.container(dep).orElseThrow());
                unmet.add(dep + " " + e.condition().label() + " (" + readiness.describe() + ")");
            }
        }
        return new PodActions.Gate(unmet, null);
    }

    private static PodSpec spec(Berth berth, String pod) {
        PodRecord record = berth.state().pod(pod).filter(p -> !berth.pods().ownedByContainer(pod))
                .orElseThrow(() -> new BerthException(BerthException.Kind.NOT_FOUND, "no pod \"" + pod + "\""));
        if (record.status() == PodRecord.Status.CREATING || record.status() == PodRecord.Status.REMOVING) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "pod " + pod + " is being "
                    + (record.status() == PodRecord.Status.CREATING ? "played" : "removed") + "; try again when that has finished");
        }
        return Canonical.read(Json.parse(record.spec()), PodSpec.class);
    }

    private static Plan plan(PodSpec spec) {
        return PlanBuilder.build(new Manifests(List.of(spec), List.of(), List.of(), List.of()), new PlanBuilder.Options(true));
    }

    private static List<String> containers(List<Node> order) {
        return order.stream().filter(n -> n.kind() == Node.Kind.CONTAINER).map(Node::container).toList();
    }

    private static Path netns(Berth berth, String pod) {
        return berth.state().pod(pod).map(PodRecord::netns).map(Path::of).orElse(null);
    }
}
