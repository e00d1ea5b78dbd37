package dev.berth.reconcile;

import dev.berth.api.Canonical;
import dev.berth.api.ContainerSpec;
import dev.berth.api.Manifests;
import dev.berth.api.ObjectRef;
import dev.berth.api.Owner;
import dev.berth.api.PodSpec;
import dev.berth.api.Rollout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What one pass of {@code berth reconcile} does, decided from the manifests and the pods berth
 * has, without touching anything: which pods to play (kept ones as they run, new and changed ones
 * as wanted), which Deployments to roll, which pods to remove, which are orphaned and which belong
 * to somebody else. Pure, so that every decision is unit-tested without root.
 */
public final class Desired {
    /** The label that says which reconcile made a pod: only those pods are its to change. */
    public static final String OWNER_LABEL = "berth.dev/reconcile";
    /** The hash of the ConfigMaps and Secrets a pod uses: a changed value changes the pod, which is then replaced (rolled). */
    public static final String CONFIG_HASH = "berth.dev/config-hash";
    /** A Deployment pod's template hash, as Kubernetes' pod-template-hash: what tells a roll's old pods from its new ones. */
    public static final String TEMPLATE_HASH = "berth.dev/template-hash";

    private Desired() {}

    /** A pod berth has, as recorded. */
    public record Live(PodSpec spec, String hash) {
        String name() {
            return spec.name();
        }

        String reconcile() {
            return spec.labels().get(OWNER_LABEL);
        }

        String template() {
            return spec.annotations().get(TEMPLATE_HASH);
        }
    }

    /** A Deployment whose template changed: its old pods give way to the fresh ones as its rollout says. */
    public record Roll(String deployment, Rollout rollout, List<PodSpec> old, List<PodSpec> fresh) {}

    /**
     * One pass's decisions.
     *
     * @param pods      the pods to play: kept ones with the spec they run, new and changed ones as wanted
     * @param rolls     Deployments to roll once those are played
     * @param first     pods to remove before the play (a Recreate Deployment's old pods)
     * @param after     pods to remove after it (replicas scaled down; orphans with --prune)
     * @param orphans   pods of this reconcile whose manifest is gone, kept without --prune
     * @param conflicts pods the manifests name that were made outside this reconcile, not touched without --adopt
     * @param actions   every object with what the pass does to it and why, in the order of the manifests
     */
    public record Pass(List<PodSpec> pods, List<Roll> rolls, List<String> first, List<String> after, List<String> orphans,
            List<String> conflicts, Map<String, String> actions) {
        /** Whether the pass changes nothing (a pod to create, replace, roll or remove). */
        public boolean inSync() {
            return rolls.isEmpty() && first.isEmpty() && after.isEmpty() && orphans.isEmpty() && conflicts.isEmpty()
                    && actions.values().stream().allMatch(a -> a.equals("keep"));
        }
    }

    /** The manifests' pods marked as this reconcile's: its label, the hash of the config they use, a Deployment's template hash. */
    public static Manifests stamp(String reconcile, Manifests manifests) {
        List<PodSpec> pods = new ArrayList<>();
        for (PodSpec pod : manifests.pods()) {
            Map<String, String> labels = new TreeMap<>(pod.labels());
            labels.put(OWNER_LABEL, reconcile);
            Map<String, String> annotations = new TreeMap<>(pod.annotations());
            String config = configHash(pod, manifests);
            if (config != null) {
                annotations.put(CONFIG_HASH, config);
            }
            PodSpec stamped = pod.withMetadata(labels, annotations);
            if (pod.deployment() != null) {
                // the template alone: no name, no index, no rollout (changing the strategy rolls nothing, as in Kubernetes)
                Owner o = pod.owner();
                String template = Canonical.hash(stamped.withIdentity(o.name(), new Owner(o.kind(), o.name(), 0))).substring(0, 10);
                annotations.put(TEMPLATE_HASH, template);
                stamped = pod.withMetadata(labels, annotations);
            }
            pods.add(stamped);
        }
        return new Manifests(pods, manifests.objects(), manifests.services(), manifests.warnings());
    }

    /** The hash of the data of the ConfigMaps and Secrets a pod uses, or null when it uses none. */
    static String configHash(PodSpec pod, Manifests manifests) {
        Map<String, Object> data = new TreeMap<>();
        for (ContainerSpec c : pod.allContainers()) {
            for (ObjectRef r : c.references(pod.volumes())) {
                manifests.object(r.kind(), r.name()).filter(o -> o.kind() != dev.berth.api.ObjectKind.PERSISTENT_VOLUME_CLAIM)
                        .ifPresent(o -> data.put(o.kind().kubernetesName() + "/" + o.name(), o.data()));
            }
        }
        return data.isEmpty() ? null : Canonical.hash(data).substring(0, 16);
    }

    /**
     * Sets the stamped manifests against the pods berth has.
     *
     * @param live  every pod berth has (this reconcile's and others')
     * @param adopt take over pods of the manifests' names made outside this reconcile
     * @param prune remove this reconcile's pods whose manifest is gone
     */
    public static Pass plan(String reconcile, Manifests stamped, List<Live> live, boolean adopt, boolean prune) {
        Map<String, Live> byName = new HashMap<>();
        live.forEach(l -> byName.put(l.name(), l));
        List<Live> ours = live.stream().filter(l -> reconcile.equals(l.reconcile())).toList();
        List<PodSpec> world = new ArrayList<>();
        List<Roll> rolls = new ArrayList<>();
        List<String> first = new ArrayList<>();
        List<String> after = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        Map<String, String> actions = new LinkedHashMap<>();
        Map<String, List<PodSpec>> deployments = new LinkedHashMap<>();
        for (PodSpec pod : stamped.pods()) {
            if (pod.deployment() != null) {
                deployments.computeIfAbsent(pod.owner().name(), k -> new ArrayList<>()).add(pod);
                continue;
            }
            Live l = byName.get(pod.name());
            if (l != null && !reconcile.equals(l.reconcile()) && !adopt) {
                conflicts.add(pod.name());
                actions.put("Pod/" + pod.name(), "conflict: made outside this reconcile (--adopt takes it over)");
                continue;
            }
            world.add(pod);
            actions.put("Pod/" + pod.name(), l == null ? "create" : l.hash().equals(Canonical.hash(pod)) ? "keep"
                    : !reconcile.equals(l.reconcile()) ? "replace: adopted" : "replace: spec changed");
        }
        deployments.forEach((name, pods) -> deployment(reconcile, name, pods, ours, byName, adopt, world, rolls, first, after, conflicts, actions));
        Set<String> kept = world.stream().map(PodSpec::name).collect(Collectors.toSet());
        rolls.forEach(r -> r.fresh().forEach(p -> kept.add(p.name())));
        Set<String> workloads = stamped.pods().stream().filter(p -> p.owner() != null)
                .map(p -> p.owner().kind() + "/" + p.owner().name()).collect(Collectors.toSet());
        List<String> orphans = new ArrayList<>();
        for (Live l : ours) {
            if (kept.contains(l.name()) || first.contains(l.name()) || after.contains(l.name())) {
                continue;
            }
            Owner o = l.spec().owner();
            if (o != null && workloads.contains(o.kind() + "/" + o.name())) {
                after.add(l.name());
                actions.put("Pod/" + l.name(), "remove: " + o.kind() + "/" + o.name() + " has fewer pods now");
            } else if (prune) {
                after.add(l.name());
                actions.put("Pod/" + l.name(), "prune: no longer in the manifests");
            } else {
                orphans.add(l.name());
                actions.put("Pod/" + l.name(), "orphaned: no longer in the manifests (kept; --prune removes it)");
            }
        }
        return new Pass(world, rolls, first, after, orphans, conflicts, actions);
    }

    /**
     * A Deployment's pods: the ones running its template are kept (their count follows the
     * replicas), the missing ones are new; when pods of an older template run, the new ones roll
     * them (or, for Recreate, replace them after they are gone). The first pods of a Deployment
     * are named as {@code kube play} names them ({@code web-0}); a roll's new pods
     * {@code web-<template hash>-0}, so they never clash with the pods they replace.
     */
    private static void deployment(String reconcile, String name, List<PodSpec> pods, List<Live> ours, Map<String, Live> byName, boolean adopt,
            List<PodSpec> world, List<Roll> rolls, List<String> first, List<String> after, List<String> conflicts, Map<String, String> actions) {
        String template = pods.get(0).annotations().get(TEMPLATE_HASH);
        Rollout rollout = Objects.requireNonNullElse(pods.get(0).owner().rollout(), Rollout.DEFAULT);
        List<Live> mine = ours.stream().filter(l -> name.equals(l.spec().deployment())).sorted(Comparator.comparingInt(l -> l.spec().owner().index())).toList();
        List<Live> current = mine.stream().filter(l -> template.equals(l.template())).toList();
        List<Live> old = mine.stream().filter(l -> !template.equals(l.template())).toList();
        String prefix = !current.isEmpty() ? prefix(current.get(0)) : old.isEmpty() ? name + "-" : name + "-" + template.substring(0, 5) + "-";
        List<PodSpec> fresh = new ArrayList<>();
        for (PodSpec pod : pods) {
            int index = pod.owner().index();
            String podName = prefix + index;
            Live running = current.stream().filter(l -> l.name().equals(podName)).findFirst().orElse(null);
            if (running != null) {
                world.add(running.spec()); // as it runs: its owner's replicas or rollout may differ, its template does not
                actions.put("Pod/" + podName, "keep");
                continue;
            }
            Live other = byName.get(podName);
            if (other != null && !reconcile.equals(other.reconcile()) && !adopt) {
                conflicts.add(podName);
                actions.put("Pod/" + podName, "conflict: made outside this reconcile (--adopt takes it over)");
                continue;
            }
            PodSpec wanted = pod.withIdentity(podName, pod.owner());
            if (old.isEmpty() || rollout.recreate()) {
                world.add(wanted);
                actions.put("Pod/" + podName, old.isEmpty() ? (other == null ? "create" : "replace: adopted") : "create: Deployment/" + name + " is recreated");
            } else {
                fresh.add(wanted);
                actions.put("Pod/" + podName, "create: rolling Deployment/" + name);
            }
        }
        for (Live l : current) {
            if (world.stream().noneMatch(p -> p.name().equals(l.name()))) {
                after.add(l.name());
                actions.put("Pod/" + l.name(), "remove: Deployment/" + name + " scaled to " + pods.size());
            }
        }
        // pods of this Deployment made outside this reconcile (a kube play of its file): they would serve its Services too
        for (Live l : byName.values().stream().sorted(Comparator.comparing(Live::name)).toList()) {
            if (name.equals(l.spec().deployment()) && !reconcile.equals(l.reconcile()) && !actions.containsKey("Pod/" + l.name())) {
                if (adopt) {
                    after.add(l.name());
                    actions.put("Pod/" + l.name(), "remove: a pod of Deployment/" + name + " made outside this reconcile (adopted)");
                } else {
                    conflicts.add(l.name());
                    actions.put("Pod/" + l.name(), "conflict: a pod of Deployment/" + name + " made outside this reconcile (--adopt removes it)");
                }
            }
        }
        if (old.isEmpty()) {
            return;
        }
        if (rollout.recreate() || fresh.isEmpty()) {
            old.forEach(l -> {
                first.add(l.name());
                actions.put("Pod/" + l.name(), "remove: Deployment/" + name + (rollout.recreate() ? " is recreated" : " has a new template"));
            });
            return;
        }
        old.forEach(l -> {
            world.add(l.spec()); // serving until the roll takes it away
            actions.put("Pod/" + l.name(), "roll away: Deployment/" + name + " has a new template");
        });
        rolls.add(new Roll(name, rollout, old.stream().map(Live::spec).toList(), fresh));
    }

    /** The name of a pod without its index: {@code web-} or {@code web-3f2a1-}. */
    private static String prefix(Live l) {
        String name = l.name();
        return name.substring(0, name.length() - Integer.toString(l.spec().owner().index()).length());
    }

    /**
     * The steps of a roll, as Kubernetes bounds them: never more than {@code replicas + surge}
     * pods, never fewer than {@code replicas - unavailable} of them available. Each step takes
     * {@code down} old pods away, starts {@code up} new ones and waits for them to be ready, then
     * takes {@code extra} more old pods away.
     */
    public record Step(int down, int up, int extra) {}

    public static List<Step> steps(int oldCount, int freshCount, int replicas, Rollout rollout) {
        int surge = rollout.surge(replicas);
        int unavailable = rollout.unavailable(replicas);
        List<Step> steps = new ArrayList<>();
        int old = oldCount;
        int fresh = freshCount;
        while (fresh > 0 || old > 0) {
            int down = Math.min(unavailable, old);
            int up = old - down == 0 ? fresh : Math.min(fresh, Math.max(1, surge + down));
            old -= down;
            fresh -= up;
            int extra = fresh == 0 ? old : Math.min(old, Math.max(0, up - down));
            old -= extra;
            steps.add(new Step(down, up, extra));
        }
        return steps;
    }
}
