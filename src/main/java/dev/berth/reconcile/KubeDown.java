package dev.berth.reconcile;

import dev.berth.api.Manifests;
import dev.berth.api.PodSpec;
import dev.berth.engine.Berth;
import dev.berth.plan.Node;
import dev.berth.plan.Plan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * {@code kube down}: removes the pods of the manifests, in parallel, each stopped in reverse
 * dependency order (dependents first, sidecars after the main containers) with SIGTERM then
 * SIGKILL after its grace period. Whatever is missing is skipped, so it also cleans up after an
 * interrupted play.
 */
public final class KubeDown {
    private KubeDown() {}

    /** @param timeout overrides each pod's terminationGracePeriodSeconds when not null; returns the failures */
    public static List<String> down(Berth berth, Manifests manifests, Plan plan, Duration timeout, int parallelism, Consumer<PlayEvent> events) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, parallelism));
        List<Future<?>> futures = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<String> pods = manifests.pods().stream().map(PodSpec::name).toList();
        try {
            for (PodSpec pod : manifests.pods()) {
                futures.add(pool.submit(() -> {
                    List<String> order = plan.stopOrder().stream()
                            .filter(n -> n.kind() == Node.Kind.CONTAINER && n.pod().equals(pod.name())).map(Node::container).toList();
                    Duration grace = timeout != null ? timeout : Duration.ofSeconds(KubePlay.grace(pod));
                    boolean existed;
                    try (PodLocks held = PodLocks.take(berth, List.of(pod.name()), events)) {
                        events.accept(new PlayEvent(Instant.now(), "Pod/" + pod.name(), "stopping", ""));
                        existed = Hooks.removePod(berth, pod.name(), order, grace);
                    }
                    events.accept(new PlayEvent(Instant.now(), "Pod/" + pod.name(), existed ? "removed" : "absent", existed ? "" : "nothing to remove"));
                }));
            }
            for (int i = 0; i < futures.size(); i++) {
                try {
                    futures.get(i).get();
                } catch (ExecutionException e) {
                    failures.add("Pod/" + pods.get(i) + ": " + e.getCause().getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failures.add("interrupted");
                }
            }
            // Services after their pods: a client still running while its Service goes would find no rule
            try {
                Networking.removeServices(berth, manifests);
                Networking.releaseGuardIfUnused(berth);
            } catch (RuntimeException e) {
                failures.add("Services: " + e.getMessage());
            }
        } finally {
            pool.shutdown();
        }
        return failures;
    }
}
