package dev.berth.reconcile;

import dev.berth.api.Canonical;
import dev.berth.api.Json;
import dev.berth.api.Manifests;
import dev.berth.api.PodSpec;
import dev.berth.engine.Berth;
import dev.berth.plan.Node;
import dev.berth.plan.Plan;
import dev.berth.state.PodRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * {@code kube down}: removes the pods of the manifests, in parallel, each stopped in reverse
 * dependency order (dependents first, sidecars after the main containers) with SIGTERM then
 * SIGKILL after its grace period. A pod that others wait for in the plan (a StatefulSet's
 * {@code NAME-i} for {@code NAME-i+1}, a server for its clients) is removed after them.
 * Whatever is missing is skipped, so it also cleans up after an interrupted play.
 */
public final class KubeDown {
    private KubeDown() {}

    /**
     * The manifests' pods, each with the pod of the manifests whose stop order it takes (itself),
     * and the pods berth has of the same Deployments under other names: those a reconcile's roll
     * made ({@code web-3f2a1-0}), with the order of the manifests' pod of that Deployment.
     */
    private static Map<PodSpec, PodSpec> withRolledPods(Berth berth, Manifests manifests) {
        Map<PodSpec, PodSpec> all = new LinkedHashMap<>();
        Map<String, PodSpec> byDeployment = new HashMap<>();
        for (PodSpec pod : manifests.pods()) {
            all.put(pod, pod);
            if (pod.deployment() != null) {
                byDeployment.putIfAbsent(pod.deployment(), pod);
            }
        }
        Set<String> names = manifests.pods().stream().map(PodSpec::name).collect(Collectors.toSet());
        for (PodRecord r : byDeployment.isEmpty() ? List.<PodRecord>of() : berth.state().pods()) {
            PodSpec live = Canonical.read(Json.parse(r.spec()), PodSpec.class);
            if (!names.contains(r.name()) && live.deployment() != null && byDeployment.containsKey(live.deployment())) {
                all.put(live, byDeployment.get(live.deployment()));
            }
        }
        return all;
    }

    /**
     * {@code kube down}: the manifests' pods, and the pods of their Deployments a reconcile's
     * roll named otherwise.
     *
     * @param timeout overrides each pod's terminationGracePeriodSeconds when not null; returns the failures
     */
    public static List<String> down(Berth berth, Manifests manifests, Plan plan, Duration timeout, int parallelism, Consumer<PlayEvent> events) {
        return down(berth, manifests, withRolledPods(berth, manifests), plan, timeout, parallelism, events);
    }

    /**
     * Removes pods berth has by name (in parallel, each in reverse dependency order, as
     * {@code kube down}): a reconcile's scale-downs and prunes, a play's scale-down. With
     * {@code drain}, they leave their Services first and get a moment for the requests under way.
     * Returns the failures.
     */
    static List<String> removePods(Berth berth, List<String> pods, boolean drain, int parallelism, Consumer<PlayEvent> events) {
        if (pods.isEmpty()) {
            return List.of();
        }
        List<PodSpec> specs = new ArrayList<>();
        for (String name : pods) {
            berth.state().pod(name).ifPresent(p -> {
                specs.add(Canonical.read(Json.parse(p.spec()), PodSpec.class));
                if (drain && p.status() == PodRecord.Status.RUNNING) {
                    berth.state().updatePod(p.name(), p.infraId(), PodRecord.Status.REMOVING);
                }
            });
        }
        if (drain && !berth.state().services().isEmpty()) {
            Networking.updateEndpoints(berth);
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // waits on pods that stay (a StatefulSet's db-1 on db-0) do not order a removal
        Set<String> leaving = new java.util.HashSet<>();
        specs.forEach(p -> leaving.add(p.name()));
        List<PodSpec> alone = specs.stream().map(p -> p.withDependsOn(p.dependsOn().stream()
                .filter(d -> p.container(d.target()).isPresent() || leaving.contains(d.target().split("/")[0])).toList())).toList();
        Manifests manifests = new Manifests(alone, List.of(), List.of(), List.of());
        Plan plan = dev.berth.plan.PlanBuilder.build(manifests, new dev.berth.plan.PlanBuilder.Options(false));
        return downExactly(berth, manifests, plan, null, parallelism, events);
    }

    /** Removes exactly the manifests' pods (and their Services). */
    static List<String> downExactly(Berth berth, Manifests manifests, Plan plan, Duration timeout, int parallelism, Consumer<PlayEvent> events) {
        Map<PodSpec, PodSpec> own = new LinkedHashMap<>();
        manifests.pods().forEach(p -> own.put(p, p));
        return down(berth, manifests, own, plan, timeout, parallelism, events);
    }

    /** @param all each pod to remove, with the pod of the plan whose stop order it takes */
    private static List<String> down(Berth berth, Manifests manifests, Map<PodSpec, PodSpec> all, Plan plan, Duration timeout, int parallelism,
            Consumer<PlayEvent> events) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, parallelism));
        List<Future<?>> futures = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        // dependents are submitted first, so a pod waits only for tasks that have already started
        List<String> podOrder = plan.stopOrder().stream().filter(n -> n.kind() == Node.Kind.POD).map(Node::pod).toList();
        List<Map.Entry<PodSpec, PodSpec>> entries = all.entrySet().stream()
                .sorted(java.util.Comparator.comparingInt(e -> podOrder.indexOf(e.getValue().name()))).toList();
        List<String> pods = entries.stream().map(e -> e.getKey().name()).toList();
        Map<String, List<java.util.concurrent.CompletableFuture<Void>>> removedByPlanPod = new HashMap<>();
        Map<PodSpec, java.util.concurrent.CompletableFuture<Void>> removed = new HashMap<>();
        for (Map.Entry<PodSpec, PodSpec> e : entries) {
            removed.put(e.getKey(), new java.util.concurrent.CompletableFuture<>());
            removedByPlanPod.computeIfAbsent(e.getValue().name(), k -> new ArrayList<>()).add(removed.get(e.getKey()));
        }
        try {
            for (Map.Entry<PodSpec, PodSpec> entry : entries) {
                PodSpec pod = entry.getKey();
                List<java.util.concurrent.CompletableFuture<Void>> dependents = plan.edges().stream()
                        .filter(edge -> entry.getValue().name().equals(edge.from().pod()) && edge.to().pod() != null
                                && !edge.to().pod().equals(edge.from().pod()))
                        .flatMap(edge -> removedByPlanPod.getOrDefault(edge.to().pod(), List.of()).stream()).toList();
                futures.add(pool.submit(() -> {
                    try {
                        java.util.concurrent.CompletableFuture.allOf(dependents.toArray(java.util.concurrent.CompletableFuture[]::new)).join(); // each completes, failed or not
                        removeOne(berth, plan, pod, entry.getValue(), timeout, events);
                    } finally {
                        removed.get(pod).complete(null);
                    }
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

    /** Stops and removes one pod, its containers in the reverse of the plan's order for {@code planPod}. */
    private static void removeOne(Berth berth, Plan plan, PodSpec pod, PodSpec planPod, Duration timeout, Consumer<PlayEvent> events) {
        List<String> order = plan.stopOrder().stream()
                .filter(n -> n.kind() == Node.Kind.CONTAINER && n.pod().equals(planPod.name())).map(Node::container).toList();
        Duration grace = timeout != null ? timeout : Duration.ofSeconds(KubePlay.grace(pod));
        boolean existed;
        try (PodLocks held = PodLocks.take(berth, List.of(pod.name()), events)) {
            events.accept(new PlayEvent(Instant.now(), "Pod/" + pod.name(), "stopping", ""));
            existed = Hooks.removePod(berth, pod.name(), order, grace);
        }
        events.accept(new PlayEvent(Instant.now(), "Pod/" + pod.name(), existed ? "removed" : "absent", existed ? "" : "nothing to remove"));
    }
}
