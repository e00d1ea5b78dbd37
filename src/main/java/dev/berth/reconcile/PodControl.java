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
import dev.berth.probe.ProbeResult;
import dev.berth.probe.Prober;
import dev.berth.state.Locks;
import dev.berth.state.PodRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    /** Starts a pod's app containers that are not running, in its plan's order; returns whether the supervisor has any to watch. */
    public static boolean start(Berth berth, String pod, Consumer<String> waiting) {
        try (Locks.Held held = berth.locks().pod(pod, waiting)) {
            PodSpec spec = spec(berth, pod);
            PodRecord record = berth.state().pod(pod).orElseThrow();
            if (!berth.pods().sandboxUp(record)) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "pod " + pod + " has lost its sandbox; play it again (kube play --replace)");
            }
            ContainerEngine engine = berth.containers();
            Path netns = netns(berth, pod);
            boolean watched = false;
            Plan plan = plan(spec);
            try (Prober prober = new Prober(engine)) {
                for (String name : containers(plan.startOrder())) {
                    ContainerSpec c = spec.containers().stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
                    if (c == null) {
                        continue; // an init container: done before
                    }
                    for (Edge e : plan.edges()) {
                        if (e.to().equals(Node.container(pod, name)) && e.from().kind() == Node.Kind.CONTAINER
                                && e.condition() != StartCondition.COMPLETED) {
                            awaitReady(berth, engine, prober, spec, e.from().container(), name, netns);
                        }
                    }
                    ContainerEngine.Container container = engine.find(new ContainerName(pod, name).full());
                    if (Supervisor.watched(spec, c)) {
                        engine.supervise(container.id());
                        watched = true;
                    }
                    if (!container.running()) {
                        engine.restart(container);
                        String hookFailed = Hooks.postStart(prober, c, netns, container.id());
                        if (hookFailed != null) {
                            throw new BerthException(BerthException.Kind.FAILED, new ContainerName(pod, name) + ": " + hookFailed);
                        }
                    }
                }
            }
            berth.state().updatePod(pod, null, PodRecord.Status.RUNNING);
            return watched;
        }
    }

    /** How long {@code pod start} waits for a container its next one depends on, as play's --timeout default. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    /** Waits until {@code dependency} is ready as play means it (its probe, its ports, or running), for {@code dependent}. */
    private static void awaitReady(Berth berth, ContainerEngine engine, Prober prober, PodSpec pod, String dependency, String dependent, Path netns) {
        ContainerSpec c = pod.container(dependency).orElseThrow();
        Readiness readiness = Readiness.of(pod, c);
        String id = engine.find(new ContainerName(pod.name(), dependency).full()).id();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        ProbeResult last = ProbeResult.failed("not probed");
        while (System.nanoTime() < deadline) {
            if (engine.exitCode(id) != null) {
                throw new BerthException(BerthException.Kind.FAILED, new ContainerName(pod.name(), dependent) + " waited for " + dependency
                        + ", which exited (" + engine.exitCode(id) + ")");
            }
            last = prober.readiness(readiness, netns, id, Prober.namedPorts(c));
            if (last.success()) {
                berth.state().setReady(id, true, last.message());
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BerthException(BerthException.Kind.FAILED, "interrupted");
            }
        }
        throw new BerthException(BerthException.Kind.FAILED, new ContainerName(pod.name(), dependent) + " waited for " + dependency + ": not ready within "
                + READY_TIMEOUT.toSeconds() + " s (" + readiness.describe() + "); last probe: " + last.message());
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
