package dev.berth.reconcile;

import dev.berth.api.Canonical;
import dev.berth.api.ContainerName;
import dev.berth.api.ContainerSpec;
import dev.berth.api.Hook;
import dev.berth.api.Json;
import dev.berth.api.PodSpec;
import dev.berth.engine.Berth;
import dev.berth.engine.ContainerEngine;
import dev.berth.probe.ProbeResult;
import dev.berth.probe.Prober;
import dev.berth.state.PodRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Lifecycle hooks as the kubelet runs them: exec inside the container, httpGet from the pod's
 * network namespace, sleep here. {@code postStart} right after a start, before the container may
 * be probed or counted ready (a failure kills it, and its restart policy decides); {@code preStop}
 * before the SIGTERM of every stop berth makes (down, replace, {@code pod rm}, a liveness kill),
 * inside the grace period, whose rest is what SIGTERM then gets.
 */
public final class Hooks {
    /** How long a postStart hook may take (Kubernetes sets no bound; a hung hook must not hold a play forever). */
    static final Duration POST_START_TIMEOUT = Duration.ofMinutes(2);

    private Hooks() {}

    static ProbeResult run(Prober prober, Hook hook, Path netns, String containerId, ContainerSpec c, Duration timeout) {
        if (hook.action() == null) {
            Duration sleep = Duration.ofSeconds(hook.sleepSeconds());
            try {
                Thread.sleep((sleep.compareTo(timeout) < 0 ? sleep : timeout).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ProbeResult.ok("slept " + hook.sleepSeconds() + "s");
        }
        return prober.probe(hook.action(), netns, containerId, Prober.namedPorts(c), timeout);
    }

    /** Runs a container's postStart hook, if it has one: null when it passed (or there is none), else why it failed. */
    static String postStart(Prober prober, ContainerSpec c, Path netns, String containerId) {
        if (c.postStart() == null) {
            return null;
        }
        ProbeResult r = run(prober, c.postStart(), netns, containerId, c, POST_START_TIMEOUT);
        return r.success() ? null : "postStart hook failed: " + r.message();
    }

    /**
     * Stops a running container as the kubelet does: its preStop hook first, then SIGTERM with what
     * is left of the grace period, then SIGKILL.
     */
    static void stop(Berth berth, Prober prober, ContainerSpec c, Path netns, ContainerEngine.Container container, Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        preStop(prober, c, netns, container, grace);
        berth.containers().stop(container, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    static void preStop(Prober prober, ContainerSpec c, Path netns, ContainerEngine.Container container, Duration grace) {
        if (c != null && c.preStop() != null && container.running()) {
            run(prober, c.preStop(), netns, container.id(), c, grace); // its failure changes nothing: the container stops all the same
        }
    }

    /**
     * Removes a pod ({@link dev.berth.engine.PodEngine#remove}) with each running container's
     * preStop hook run before its SIGTERM, as the pod's recorded spec says.
     */
    public static boolean removePod(Berth berth, String pod, List<String> stopOrder, Duration grace) {
        Optional<PodRecord> record = berth.state().pod(pod);
        PodSpec spec = record.map(r -> Canonical.read(Json.parse(r.spec()), PodSpec.class)).orElse(null);
        if (spec == null || spec.allContainers().stream().noneMatch(c -> c.preStop() != null)) {
            return berth.pods().remove(pod, stopOrder, grace, (container, left) -> {});
        }
        Path netns = record.get().netns() == null ? null : Path.of(record.get().netns());
        try (Prober prober = new Prober(berth.containers())) {
            return berth.pods().remove(pod, stopOrder, grace, (container, left) -> preStop(prober,
                    spec.container(ContainerName.own(pod, container.name())).orElse(null), netns, container, left));
        }
    }
}
