package dev.berth.reconcile;

import dev.berth.api.BerthException;
import dev.berth.api.Canonical;
import dev.berth.api.Json;
import dev.berth.api.Manifests;
import dev.berth.api.PodSpec;
import dev.berth.api.ServiceSpec;
import dev.berth.engine.Berth;
import dev.berth.plan.Plan;
import dev.berth.plan.PlanBuilder;
import dev.berth.state.PodRecord;
import dev.berth.state.StateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code berth reconcile}: one pass that brings the host to what a reconcile's manifests say.
 * {@link Desired} decides; this runs the decisions: removes what must go first, plays the pods
 * (a {@link KubePlay} keeps unchanged ones, replaces changed ones, creates new ones, all in
 * dependency order), rolls Deployments whose template changed step by step, removes what is no
 * longer wanted, rewrites Service rules that vanished, and records each object's sync and health.
 */
public final class Reconciler {
    /**
     * @param name   the reconcile's name: its pods carry it in {@link Desired#OWNER_LABEL}
     * @param prune  remove this reconcile's objects whose manifests are gone
     * @param adopt  take over pods of the manifests' names made outside this reconcile
     * @param infer  infer dependencies as {@code kube play} does
     */
    public record Options(String name, boolean prune, boolean adopt, boolean infer, PlayOptions play) {}

    /** One object of a pass, as {@code reconcile status} shows it. */
    public record ObjectStatus(String object, String hash, String sync, String health, String message) {}

    /**
     * How a pass ended.
     *
     * @param failures what failed: a container that did not get ready, a roll stopped
     */
    public record Outcome(Desired.Pass pass, List<ObjectStatus> objects, List<String> failures) {
        /** In sync and healthy: what {@code --once} exits 0 for. */
        public boolean ok() {
            return failures.isEmpty() && objects.stream().allMatch(o -> o.sync().equals("Synced") && o.health().equals("Healthy"));
        }
    }

    private final Berth berth;
    private final Options options;
    private final Consumer<PlayEvent> events;
    private volatile KubePlay playing;
    private volatile boolean interrupted;

    public Reconciler(Berth berth, Options options, Consumer<PlayEvent> events) {
        this.berth = berth;
        this.options = options;
        this.events = events;
    }

    /** Stops a pass between steps (Ctrl-C); a play under way stops starting things. */
    public void interrupt() {
        interrupted = true;
        KubePlay p = playing;
        if (p != null) {
            p.interrupt();
        }
    }

    /** What a pass over these manifests would do, touching nothing. */
    public Desired.Pass plan(Manifests read) {
        return Desired.plan(options.name(), Desired.stamp(options.name(), read), live(), options.adopt(), options.prune());
    }

    /** One pass; {@code source} and {@code revision} are recorded with its outcome. */
    public Outcome run(Manifests read, String source, String revision) {
        Manifests stamped = Desired.stamp(options.name(), read);
        Desired.Pass pass = Desired.plan(options.name(), stamped, live(), options.adopt(), options.prune());
        Set<String> stalled = stalledRolls();
        pass.actions().forEach((object, action) -> {
            if (!action.equals("keep")) {
                emit(object, "planned", action);
            }
        });
        List<String> failures = new ArrayList<>();
        remove(pass.first(), false, failures);
        List<PodSpec> world = new ArrayList<>(pass.pods());
        failures.addAll(play(stamped, world, options.play().timeout()));
        Map<String, String> rollErrors = new LinkedHashMap<>();
        for (Desired.Roll roll : pass.rolls()) {
            String template = roll.fresh().get(0).annotations().get(Desired.TEMPLATE_HASH);
            if (stalled.contains(roll.deployment() + "@" + template)) {
                rollErrors.put(roll.deployment(), "roll stalled at an earlier pass (new pods never got ready); the old pods keep serving until the template changes");
                continue;
            }
            String error = interrupted ? "not rolled: interrupted" : roll(stamped, world, roll);
            if (error != null) {
                rollErrors.put(roll.deployment(), error);
                failures.add("Deployment/" + roll.deployment() + ": " + error);
            }
        }
        remove(pass.after(), true, failures);
        List<String> orphanServices = services(read, failures);
        try {
            Networking.repairRules(berth).forEach(name -> emit("Service/" + name, "repaired", "its rules were gone from the kernel's tables: written again"));
        } catch (BerthException e) {
            failures.add("Services: " + e.getMessage());
        }
        List<ObjectStatus> objects = status(stamped, pass, rollErrors, orphanServices, failures);
        berth.state().putReconcile(new StateStore.ReconcileRecord(options.name(), source, revision, Json.write(Canonical.of(objects)), null, Instant.now()));
        return new Outcome(pass, objects, failures);
    }

    /** Records that a pass changed nothing, and why (manifests that do not read, a fetch that failed); the last objects stay. */
    public void failed(String source, String revision, String error) {
        var last = last();
        berth.state().putReconcile(new StateStore.ReconcileRecord(options.name(), source,
                revision != null ? revision : last.map(StateStore.ReconcileRecord::revision).orElse(null),
                last.map(StateStore.ReconcileRecord::objects).orElse("[]"), error, Instant.now()));
    }

    /** Removes every pod and Service of this reconcile, its record and its git clone ({@code --down-on-exit}, {@code reconcile down}). */
    public List<String> down() {
        List<String> failures = new ArrayList<>();
        remove(live().stream().filter(l -> options.name().equals(l.reconcile())).map(Desired.Live::name).toList(), true, failures);
        try {
            Networking.removeServices(berth, new Manifests(List.of(), List.of(), ownedServices(), List.of()));
            Networking.releaseGuardIfUnused(berth);
        } catch (BerthException e) {
            failures.add("Services: " + e.getMessage());
        }
        if (failures.isEmpty()) {
            berth.state().deleteReconcile(options.name());
            try {
                dev.berth.image.LayerUnpacker.deleteTree(berth.layout().gitClone(options.name()));
            } catch (java.io.IOException e) {
                failures.add("git clone " + berth.layout().gitClone(options.name()) + ": " + e.getMessage());
            }
        }
        return failures;
    }

    private List<Desired.Live> live() {
        List<Desired.Live> live = new ArrayList<>();
        for (PodRecord p : berth.state().pods()) {
            live.add(new Desired.Live(Canonical.read(Json.parse(p.spec()), PodSpec.class), p.specHash()));
        }
        return live;
    }

    /** Plays the world's pods: unchanged ones are kept, so each step of a roll costs only its new pods. */
    private List<String> play(Manifests stamped, List<PodSpec> world, Duration timeout) {
        if (interrupted) {
            return List.of("interrupted");
        }
        Manifests manifests = new Manifests(world, stamped.objects(), stamped.services(), List.of());
        Plan plan = PlanBuilder.build(manifests, new PlanBuilder.Options(options.infer()));
        PlayOptions o = options.play();
        KubePlay play = new KubePlay(berth, manifests, plan, new PlayOptions(timeout, false, o.parallelism(), o.publish(), o.logs(), o.backoffMax(), o.registries(), false, false, false),
                events);
        playing = play;
        try {
            return play.run().failures();
        } finally {
            playing = null;
        }
    }

    /**
     * Rolls a Deployment in {@link Desired#steps}: old pods leave the Services before they stop,
     * new ones join them once ready. A step whose new pods are not ready within
     * progressDeadlineSeconds stops the roll; the old pods left keep serving.
     */
    private String roll(Manifests stamped, List<PodSpec> world, Desired.Roll roll) {
        List<PodSpec> old = new ArrayList<>(roll.old());
        old.sort((a, b) -> b.owner().index() - a.owner().index()); // the highest index goes first
        List<PodSpec> fresh = new ArrayList<>(roll.fresh());
        int replicas = (int) world.stream().filter(p -> roll.deployment().equals(p.deployment()) && !old.contains(p)).count() + fresh.size();
        emit("Deployment/" + roll.deployment(), "rolling", old.size() + " old pods, " + fresh.size() + " new, surge "
                + roll.rollout().surge(replicas) + ", unavailable " + roll.rollout().unavailable(replicas));
        for (Desired.Step step : Desired.steps(old.size(), fresh.size(), replicas, roll.rollout())) {
            List<String> down = take(old, step.down());
            world.removeIf(p -> down.contains(p.name()));
            remove(down, true, new ArrayList<>());
            List<PodSpec> up = new ArrayList<>(fresh.subList(0, step.up()));
            fresh.subList(0, step.up()).clear();
            world.addAll(up);
            List<String> failed = play(stamped, world, Duration.ofSeconds(roll.rollout().progressDeadlineSeconds()));
            if (!failed.isEmpty()) {
                emit("Deployment/" + roll.deployment(), "failed", "roll stopped: " + String.join("; ", failed));
                return "roll stopped, the old pods keep serving: " + String.join("; ", failed);
            }
            if (roll.rollout().minReadySeconds() > 0) {
                sleep(Duration.ofSeconds(roll.rollout().minReadySeconds()));
            }
            List<String> extra = take(old, step.extra());
            world.removeIf(p -> extra.contains(p.name()));
            remove(extra, true, new ArrayList<>());
        }
        emit("Deployment/" + roll.deployment(), "rolled", "every pod runs the new template");
        return null;
    }

    private static List<String> take(List<PodSpec> from, int n) {
        List<String> names = from.subList(0, n).stream().map(PodSpec::name).toList();
        from.subList(0, n).clear();
        return names;
    }

    private void remove(List<String> pods, boolean drain, List<String> failures) {
        failures.addAll(KubeDown.removePods(berth, pods, drain, options.play().parallelism(), events));
    }

    /** Services this reconcile played before that its manifests no longer have: removed with --prune; returns the ones kept. */
    private List<String> services(Manifests read, List<String> failures) {
        Set<String> wanted = new HashSet<>();
        read.services().forEach(s -> wanted.add(s.name()));
        List<ServiceSpec> gone = ownedServices().stream().filter(s -> !wanted.contains(s.name())).toList();
        if (gone.isEmpty() || !options.prune()) {
            return gone.stream().map(ServiceSpec::name).toList();
        }
        try {
            Networking.removeServices(berth, new Manifests(List.of(), List.of(), gone, List.of()));
            Networking.releaseGuardIfUnused(berth); // the last Service gone takes the guard rules with it, as down does
            gone.forEach(s -> emit("Service/" + s.name(), "removed", "pruned: no longer in the manifests"));
        } catch (BerthException e) {
            failures.add("Services: " + e.getMessage());
        }
        return List.of();
    }

    /** The Services the last pass recorded as this reconcile's, as berth has them. */
    private List<ServiceSpec> ownedServices() {
        Set<String> recorded = new HashSet<>();
        lastObjects().stream().filter(o -> o.object().startsWith("Service/")).forEach(o -> recorded.add(o.object().substring("Service/".length())));
        return berth.state().services().stream().filter(s -> recorded.contains(s.name()) && s.spec() != null)
                .map(s -> Canonical.read(Json.parse(s.spec()), ServiceSpec.class)).toList();
    }

    /** Deployment rolls the last pass recorded as stalled: {@code deployment@template}. */
    private Set<String> stalledRolls() {
        Set<String> stalled = new HashSet<>();
        lastObjects().stream().filter(o -> o.object().startsWith("Deployment/") && o.health().equals("Degraded"))
                .forEach(o -> stalled.add(o.object().substring("Deployment/".length()) + "@" + o.hash()));
        return stalled;
    }

    /** The objects this reconcile's last pass recorded. */
    private List<ObjectStatus> lastObjects() {
        return last().map(r -> objects(r.objects())).orElse(List.of());
    }

    private java.util.Optional<StateStore.ReconcileRecord> last() {
        return berth.state().reconciles().stream().filter(r -> r.name().equals(options.name())).findFirst();
    }

    /** Every pod's status (no probe) and recorded spec hash, looked at once. */
    private record Pods(Map<String, PodStatus> status, Map<String, String> hashes) {
        static Pods now(Berth berth) {
            Map<String, PodStatus> status = new LinkedHashMap<>();
            PodStatus.all(berth).forEach(p -> status.put(p.name(), p));
            Map<String, String> hashes = new LinkedHashMap<>();
            berth.state().pods().forEach(p -> hashes.put(p.name(), p.specHash()));
            return new Pods(status, hashes);
        }
    }

    private static List<ObjectStatus> objects(String json) {
        return ((List<?>) Json.parse(json)).stream().map(o -> Canonical.read(o, ObjectStatus.class)).toList();
    }

    /** Each object's sync and health after the pass, as Argo CD shows them. */
    private List<ObjectStatus> status(Manifests stamped, Desired.Pass pass, Map<String, String> rollErrors, List<String> orphanServices,
            List<String> failures) {
        Pods now = Pods.now(berth);
        Map<String, PodStatus> pods = now.status();
        Map<String, String> hashes = now.hashes();
        List<ObjectStatus> objects = new ArrayList<>();
        Set<String> deployments = new java.util.LinkedHashSet<>();
        for (PodSpec p : stamped.pods()) {
            if (p.deployment() != null && deployments.add(p.deployment())) {
                String error = rollErrors.get(p.deployment());
                objects.add(new ObjectStatus("Deployment/" + p.deployment(), p.annotations().get(Desired.TEMPLATE_HASH),
                        error == null ? "Synced" : "OutOfSync", error == null ? "Healthy" : "Degraded", error == null ? "" : error));
            }
        }
        pass.actions().forEach((object, action) -> {
            String name = object.substring("Pod/".length());
            if (action.startsWith("remove") || action.startsWith("prune") || action.startsWith("roll away")) {
                if (hashes.containsKey(name)) {
                    objects.add(new ObjectStatus(object, hashes.get(name), "OutOfSync", "Degraded", "still there: " + action));
                }
                return;
            }
            if (action.startsWith("orphaned") || action.startsWith("conflict")) {
                objects.add(new ObjectStatus(object, hashes.get(name), "OutOfSync", "Healthy", action));
                return;
            }
            PodStatus s = pods.get(name);
            String failure = failures.stream().filter(f -> f.startsWith("Pod/" + name + ":") || f.startsWith("Container/" + name + "/"))
                    .findFirst().orElse("");
            objects.add(new ObjectStatus(object, hashes.get(name), s == null ? "OutOfSync" : "Synced", health(s), s == null ? "missing" : failure));
        });
        Set<String> services = new HashSet<>();
        berth.state().services().forEach(r -> services.add(r.name()));
        for (ServiceSpec s : stamped.services()) {
            boolean there = services.contains(s.name());
            objects.add(new ObjectStatus("Service/" + s.name(), Canonical.hash(s), there ? "Synced" : "OutOfSync", there ? "Healthy" : "Missing", ""));
        }
        orphanServices.forEach(s -> objects.add(new ObjectStatus("Service/" + s, "", "OutOfSync", "Healthy",
                "orphaned: no longer in the manifests (kept; --prune removes it)")));
        for (var o : stamped.objects()) {
            objects.add(new ObjectStatus(o.kind().kubernetesName() + "/" + o.name(), Canonical.hash(o.data()).substring(0, 16), "Synced", "Healthy", ""));
        }
        return objects;
    }

    /** A reconcile as {@code reconcile status} shows it: its last pass, with each pod's sync and health checked now. */
    public record Report(String name, String source, String revision, String error, Instant updated, List<ObjectStatus> objects) {}

    public static List<Report> reports(Berth berth) {
        Pods now = Pods.now(berth);
        Map<String, PodStatus> pods = now.status();
        Map<String, String> hashes = now.hashes();
        List<Report> reports = new ArrayList<>();
        for (StateStore.ReconcileRecord r : berth.state().reconciles()) {
            List<ObjectStatus> objects = new ArrayList<>();
            for (ObjectStatus s : objects(r.objects())) {
                String pod = s.object().startsWith("Pod/") ? s.object().substring(4) : null;
                if (pod != null && s.sync().equals("Synced")) {
                    String hash = hashes.get(pod);
                    s = hash == null ? new ObjectStatus(s.object(), s.hash(), "OutOfSync", "Missing", "gone since the last pass; the next one brings it back")
                            : !hash.equals(s.hash()) ? new ObjectStatus(s.object(), s.hash(), "OutOfSync", health(pods.get(pod)), "changed since the last pass")
                            : new ObjectStatus(s.object(), s.hash(), "Synced", health(pods.get(pod)), s.message());
                }
                objects.add(s);
            }
            reports.add(new Report(r.name(), r.source(), r.revision(), r.error(), r.updated(), objects));
        }
        return reports;
    }

    /** Argo CD's health of a pod: Healthy, Progressing, Degraded or Missing. */
    static String health(PodStatus s) {
        if (s == null) {
            return "Missing";
        }
        if (s.reason() != null || s.phase() == PodStatus.Phase.FAILED) {
            return "Degraded";
        }
        if (s.phase() == PodStatus.Phase.SUCCEEDED || s.phase() == PodStatus.Phase.RUNNING && s.ready() == s.total()) {
            return "Healthy";
        }
        return "Progressing";
    }

    private void emit(String object, String state, String detail) {
        events.accept(new PlayEvent(Instant.now(), object, state, detail));
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            interrupted = true;
        }
    }
}
