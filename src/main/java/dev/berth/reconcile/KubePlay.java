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
import dev.berth.engine.PodEngine;
import dev.berth.engine.Sandbox;
import dev.berth.plan.Edge;
import dev.berth.network.CniNetwork;
import dev.berth.plan.Node;
import dev.berth.plan.Plan;
import dev.berth.probe.ProbeResult;
import dev.berth.probe.Prober;
import dev.berth.state.PodRecord;
import dev.berth.sys.Linux;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code kube play}: runs a plan as an event-driven DAG. A coordinator loop starts every node as
 * soon as the conditions of all its incoming edges hold (sandboxes and containers are created on
 * a bounded pool, so independent ones go in parallel), probes running containers quickly while
 * anything may wait on them, follows restart policies while the play lasts, and ends when every
 * node is ready, completed, failed or blocked.
 */
public final class KubePlay {
    private static final long TICK_MS = 5;

    private enum State { WAITING, STARTING, RUNNING, READY, COMPLETED, FAILED, BLOCKED, UNCHANGED }

    /**
     * The play-time state of one node of the plan. A container's own life (probes, restarts) is
     * its {@link ContainerLifecycle}, touched only by whoever holds {@code busy} or, when nobody
     * does, by the coordinator.
     */
    private static final class Run {
        final Node node;
        final PodSpec pod;
        final ContainerSpec spec;
        final ContainerLifecycle life;
        volatile State state = State.WAITING;
        volatile boolean busy;
        volatile String containerId;
        volatile String lastProbe = "no probe yet";
        /** The exit code read from its exit file on the pool, for the coordinator to take. */
        volatile Integer exitRead;
        long since = System.nanoTime();
        long firstStart;
        int probes;
        String waitingFor = "";
        String failure;

        Run(Node node, PodSpec pod, ContainerSpec spec, ContainerLifecycle life) {
            this.node = node;
            this.pod = pod;
            this.spec = spec;
            this.life = life;
        }

        boolean terminal() {
            return switch (state) {
                case READY, COMPLETED, FAILED, BLOCKED, UNCHANGED -> true;
                default -> false;
            };
        }
    }

    private final Berth berth;
    private final Manifests manifests;
    private final Plan plan;
    private final PlayOptions options;
    private final Consumer<PlayEvent> events;
    private final Map<Node, Run> runs = new LinkedHashMap<>();
    private final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();
    private final Map<String, String> podOutcomes = new LinkedHashMap<>();
    private final Object wakeup = new Object();
    private final Networking networking;
    private Prober prober;
    private volatile boolean interrupted;
    /** Set when a pod got its address: every pod's /etc/hosts is rewritten on the coordinator's next turn. */
    private volatile boolean hostsDirty;

    public KubePlay(Berth berth, Manifests manifests, Plan plan, PlayOptions options, Consumer<PlayEvent> events) {
        this.berth = berth;
        this.manifests = manifests;
        this.plan = plan;
        this.options = options;
        this.events = events;
        this.restarts = new Restarts(options.backoffMax());
        this.networking = new Networking(berth, manifests, options.publish().stream().map(Networking.Publish::parse).toList());
    }

    /** Asks a running play to stop starting things (Ctrl-C); what was started stays and is reported. */
    public void interrupt() {
        interrupted = true;
        wake();
    }

    public PlayResult run() {
        checkImages();
        for (Node n : plan.startOrder()) {
            PodSpec pod = n.pod() == null ? null : manifests.pod(n.pod()).orElseThrow();
            ContainerSpec spec = n.kind() == Node.Kind.CONTAINER ? pod.container(n.container()).orElseThrow() : null;
            Run r = new Run(n, pod, spec, spec == null ? null : new ContainerLifecycle(pod, spec, restarts, jobFailures, true));
            runs.put(n, r);
            if (n.kind() != Node.Kind.POD && n.kind() != Node.Kind.CONTAINER) {
                r.state = State.READY; // the object is in the manifests
            }
        }
        reportUnappliedResources();
        List<String> beyond = options.byHand() ? beyondReplicas() : List.of();
        PlayResult result;
        try (PodLocks held = PodLocks.take(berth, manifests, events)) {
            result = runLocked();
        }
        if (beyond.isEmpty() || !result.ok()) {
            return result;
        }
        // after the wanted pods are ready, as a Deployment scales down; each removal takes its pod's lock
        Map<String, String> pods = new LinkedHashMap<>(result.pods());
        beyond.forEach(p -> pods.put(p, "removed: its workload has fewer replicas now"));
        return new PlayResult(pods, KubeDown.removePods(berth, beyond, true, options.parallelism(), events));
    }

    /**
     * A play by hand: the pods berth has of this play's workloads that its manifests no longer
     * ask for (replicas lowered), after refusing pods a reconcile owns unless {@code adopt}: a
     * pod of one of the manifests' names, or of one of their workloads, that carries
     * {@link Desired#OWNER_LABEL}.
     */
    private List<String> beyondReplicas() {
        java.util.Set<String> wanted = new java.util.HashSet<>();
        java.util.Set<String> workloads = new java.util.HashSet<>();
        for (PodSpec pod : manifests.pods()) {
            wanted.add(pod.name());
            if (pod.owner() != null) {
                workloads.add(workload(pod));
            }
        }
        List<String> beyond = new ArrayList<>();
        Map<String, String> reconciled = new java.util.TreeMap<>();
        for (PodRecord r : berth.state().pods()) {
            PodSpec live = Canonical.read(Json.parse(r.spec()), PodSpec.class);
            boolean ours = live.owner() != null && workloads.contains(workload(live));
            if (!wanted.contains(r.name()) && !ours) {
                continue;
            }
            String reconcile = live.labels().get(Desired.OWNER_LABEL);
            if (reconcile != null && !options.adopt()) {
                reconciled.put(ours ? live.owner().kind() + "/" + live.owner().name() : "Pod/" + r.name(), reconcile);
            }
            if (ours && !wanted.contains(r.name())) {
                beyond.add(r.name());
            }
        }
        if (!reconciled.isEmpty()) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "nothing was started: " + String.join(", ", reconciled.entrySet().stream()
                    .map(e -> e.getKey() + " is reconcile " + e.getValue() + "'s").distinct().toList())
                    + " (its pods carry the label " + Desired.OWNER_LABEL + "); kube play would change them behind the reconcile's back."
                    + " Change the reconcile's source, or pass --adopt to take them over");
        }
        return beyond;
    }

    private static String workload(PodSpec pod) {
        return pod.owner().kind() + "/" + pod.namespace() + "/" + pod.owner().name();
    }

    private PlayResult runLocked() {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, options.parallelism()), r -> {
            Thread t = new Thread(r, "play");
            t.setDaemon(true);
            return t;
        });
        try (Prober p = new Prober(berth.containers()); ExitWatch watch = new ExitWatch(berth.layout().exits(), this::exitWritten)) {
            prober = p;
            reconcileExisting(pool);
            loop(pool, p);
        } finally {
            pool.shutdown();
            try {
                pool.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<String> failures = new ArrayList<>();
        for (Run r : runs.values()) {
            if (r.state == State.FAILED || r.state == State.BLOCKED) {
                failures.add(r.node + ": " + r.failure);
                if (r.pod != null && podOutcomes.containsKey(r.pod.name())) {
                    podOutcomes.put(r.pod.name(), "failed"); // never "created" when its sandbox or a container of it failed
                }
            } else if (!r.terminal()) {
                failures.add(r.node + (r.state == State.RUNNING ? ": running, not yet ready when play was interrupted"
                        : ": not started, play was interrupted"));
            }
        }
        return new PlayResult(podOutcomes, failures);
    }

    /** Resources berth cannot apply through cgroups here are said once, never silently ignored. */
    private void reportUnappliedResources() {
        for (PodSpec pod : manifests.pods()) {
            for (ContainerSpec c : pod.allContainers()) {
                List<String> skipped = new ArrayList<>();
                boolean user = Linux.inUserNamespace();
                c.limits().keySet().stream().filter(k -> user || !k.equals("cpu") && !k.equals("memory")).forEach(k -> skipped.add("limits." + k));
                c.requests().keySet().stream().filter(k -> user || !k.equals("cpu")).forEach(k -> skipped.add("requests." + k));
                if (user && !skipped.isEmpty()) {
                    emit(Node.container(pod.name(), c.name()), "note", "not applied without root (no cgroup is this user's to write): "
                            + String.join(", ", skipped));
                } else if (!skipped.isEmpty()) {
                    emit(Node.container(pod.name(), c.name()), "note", "not applied (no cgroup setting for it on one host): "
                            + String.join(", ", skipped) + "; applied: limits.cpu (cfs quota), limits.memory, requests.cpu (shares)");
                }
            }
        }
    }

    /** How many images are pulled at once before a play starts. */
    private static final int PARALLEL_PULLS = 3;

    /**
     * Pulls what the containers' imagePullPolicy asks for (Always: every time; IfNotPresent: when
     * missing; Never: not), a few images at once, with the credentials of the pods'
     * imagePullSecrets, before anything starts; {@code localhost/} images are never pulled.
     */
    private void checkImages() {
        List<String> missing = new ArrayList<>();
        Map<String, java.util.Set<String>> pulls = new LinkedHashMap<>();
        for (PodSpec pod : manifests.pods()) {
            for (ContainerSpec c : pod.allContainers()) {
                if (c.image().equals(dev.berth.engine.IngressImage.NAME)) {
                    dev.berth.engine.IngressImage.ensure(berth.images(), berth.layout().tmp());
                }
                boolean present = berth.images().find(c.image()).isPresent();
                boolean pullable = !c.image().startsWith("localhost/") && !c.pullPolicy().equals("Never");
                if (pullable && (!present || c.pullPolicy().equals("Always"))) {
                    pulls.computeIfAbsent(c.image(), k -> new java.util.LinkedHashSet<>()).addAll(pod.pullSecrets());
                } else if (!present && !missing.contains(c.image())) {
                    missing.add(c.image());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new BerthException(BerthException.Kind.NOT_FOUND, "nothing was started: image" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing) + (missing.size() > 1 ? " are" : " is") + " not in berth's store (berth image load -i FILE, or berth image import TAR NAME)");
        }
        if (pulls.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL_PULLS, pulls.size()));
        try {
            Map<String, java.util.concurrent.Future<?>> running = new LinkedHashMap<>();
            for (Map.Entry<String, java.util.Set<String>> p : pulls.entrySet()) {
                List<Map<String, Object>> secrets = p.getValue().stream().map(this::dockerConfig).toList();
                String image = p.getKey();
                running.put(image, pool.submit(() -> pull(image, secrets)));
            }
            for (Map.Entry<String, java.util.concurrent.Future<?>> f : running.entrySet()) {
                try {
                    f.getValue().get();
                } catch (java.util.concurrent.ExecutionException e) {
                    BerthException be = e.getCause() instanceof BerthException b ? b
                            : new BerthException(BerthException.Kind.FAILED, String.valueOf(e.getCause().getMessage()), e.getCause());
                    throw new BerthException(be.kind(), "nothing was started: cannot pull " + f.getKey() + ": " + be.getMessage(), be);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException(BerthException.Kind.FAILED, "nothing was started: interrupted while pulling images");
        } finally {
            pool.shutdownNow();
        }
    }

    private void pull(String image, List<Map<String, Object>> secrets) {
        String object = "Image/" + image;
        emit(object, "pulling", "");
        var pulled = berth.images().pull(image, options.registries(), secrets, new dev.berth.image.PullProgress() {
            @Override
            public void layer(String digest, long size, boolean inStore) {
                emit(object, "pulling", "layer " + digest.substring(7, 19) + (inStore ? ": already in the store" : ": " + size + " bytes"));
            }
        });
        emit(object, "pulled", pulled.id().substring(0, 12));
    }

    /** The parsed {@code .dockerconfigjson} of a pull Secret of the manifests; never shown in a message. */
    private Map<String, Object> dockerConfig(String secret) {
        dev.berth.api.ObjectSpec s = manifests.object(dev.berth.api.ObjectKind.SECRET, secret).orElseThrow(() -> new BerthException(
                BerthException.Kind.NOT_FOUND, "nothing was started: the imagePullSecret \"" + secret + "\" is not in the manifests"));
        String json = s.data().get(".dockerconfigjson");
        if (json == null && s.data().containsKey(".dockercfg")) {
            json = "{\"auths\": " + s.data().get(".dockercfg") + "}";
        }
        try {
            if (json != null) {
                return dev.berth.api.Json.parseObject(json);
            }
        } catch (IllegalArgumentException e) {
            // said below, without the value
        }
        throw new BerthException(BerthException.Kind.INVALID_INPUT, "nothing was started: Secret \"" + secret + "\" (" + s.source()
                + ") is used as an imagePullSecret but has no valid .dockerconfigjson (type kubernetes.io/dockerconfigjson)");
    }

    /**
     * Pods that exist already: unchanged ones are kept, changed ones (or all, with --replace)
     * removed first, once the hostPorts of what will start are known to be free.
     */
    private void reconcileExisting(ExecutorService pool) {
        List<PodSpec> toRemove = new ArrayList<>();
        Map<String, String> replacing = new HashMap<>();
        for (PodSpec pod : manifests.pods()) {
            PodRecord existing = berth.pods().list().stream().filter(p -> p.name().equals(pod.name())).findFirst().orElse(null);
            boolean leftovers = existing != null || !berth.state().containersOfPod(pod.name()).isEmpty();
            if (!leftovers) {
                podOutcomes.put(pod.name(), "created");
                continue;
            }
            String change = change(pod, existing);
            if (change == null) {
                podOutcomes.put(pod.name(), "unchanged");
                for (Run r : runs.values()) {
                    if (pod.name().equals(r.node.pod())) {
                        r.state = State.UNCHANGED;
                    }
                }
                emit(Node.sandbox(pod.name()), "unchanged", "spec unchanged since it was played");
                continue;
            }
            podOutcomes.put(pod.name(), "replaced");
            toRemove.add(pod);
            replacing.put(pod.name(), change);
        }
        networking.checkHostPorts(podOutcomes.entrySet().stream().filter(e -> e.getValue().equals("unchanged"))
                .map(Map.Entry::getKey).collect(java.util.stream.Collectors.toSet()));
        networking.allocateServices();
        List<java.util.concurrent.Future<?>> removals = new ArrayList<>();
        for (PodSpec pod : toRemove) {
            emit(Node.sandbox(pod.name()), "replacing", replacing.get(pod.name()));
            removals.add(pool.submit(() -> Hooks.removePod(berth, pod.name(), stopOrder(pod.name()), Duration.ofSeconds(grace(pod)))));
        }
        for (var f : removals) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new BerthException(BerthException.Kind.FAILED, e.getMessage());
            }
        }
        updateEndpoints();
        networking.refreshHosts();
    }

    /**
     * Why a pod berth has must be played anew, or null when it is kept: its spec, the ports this
     * play publishes for it (--publish is not in the spec), a container that failed for good (for
     * {@code kube play}, not a Job's pod), a sandbox that is gone, a stop, or --replace.
     */
    private String change(PodSpec pod, PodRecord existing) {
        if (options.replace()) {
            return "--replace";
        }
        if (existing == null) {
            return "what an earlier play left of it";
        }
        if (!existing.specHash().equals(Canonical.hash(pod))) {
            return "its spec changed";
        }
        if (existing.status() != PodRecord.Status.RUNNING) {
            return existing.status() == PodRecord.Status.STOPPED ? "it was stopped (pod stop)" : "an earlier play or down of it did not finish";
        }
        List<CniNetwork.PortMapping> published = berth.network().attachment(pod.name()).map(a -> a.ports()).orElse(List.of());
        if (!new java.util.HashSet<>(published).equals(new java.util.HashSet<>(networking.portMappings(pod)))) {
            return "its published ports changed";
        }
        if (!berth.pods().sandboxUp(existing)) {
            return "its sandbox is gone";
        }
        boolean job = pod.owner() != null && pod.owner().kind().equals("Job");
        for (var c : !options.byHand() || job ? List.<dev.berth.state.ContainerRecord>of() : berth.state().containersOfPod(pod.name())) {
            ContainerSpec spec = pod.container(c.ownName()).orElse(null);
            Integer code = spec == null || !Restarts.policy(pod, spec).equals("Never") ? null : berth.containers().exitCode(c.id());
            if (code != null && code != 0) {
                return "its container " + c.name() + " failed (exit code " + code + ") and would not start again";
            }
        }
        return null;
    }

    /**
     * Rewrites the Services' rules and takes a copy of them, which the coordinator reads (it does
     * no I/O of its own) to know whether a Service forwards to a ready pod.
     */
    private void updateEndpoints() {
        Networking.updateEndpoints(berth);
        services = berth.state().services();
    }

    /** The pod's containers in the order to stop them (names without the pod prefix). */
    List<String> stopOrder(String pod) {
        return plan.stopOrder().stream().filter(n -> n.kind() == Node.Kind.CONTAINER && n.pod().equals(pod)).map(Node::container).toList();
    }

    static long grace(PodSpec pod) {
        return pod.terminationGracePeriodSeconds() == null ? 30 : pod.terminationGracePeriodSeconds();
    }

    private void loop(ExecutorService pool, Prober prober) {
        long timeout = options.timeout().toNanos();
        while (true) {
            boolean allDone = true;
            for (Run r : runs.values()) {
                if (r.busy) {
                    allDone = false;
                    continue;
                }
                switch (r.state) {
                    case WAITING -> {
                        allDone = false;
                        if (!interrupted) {
                            consider(r, pool, timeout);
                        }
                    }
                    case STARTING -> {
                        allDone = false;
                        if (crashLooping(r, timeout)) {
                            fail(r, "not ready within " + options.timeout().toSeconds() + "s (--timeout): it keeps exiting (CrashLoopBackOff, "
                                    + r.life.restarts() + " restarts)" + lastLogLine(r));
                        } else if (!interrupted && (r.life == null || r.life.restartAt() == null || !Instant.now().isBefore(r.life.restartAt()))) {
                            launch(r, pool);
                        }
                    }
                    case RUNNING, READY -> {
                        if (r.state == State.RUNNING || runsToCompletion(r)) {
                            allDone = false; // a Job's containers are done when they exit, not when ready
                        }
                        if (r.node.kind() == Node.Kind.CONTAINER) {
                            watch(r, pool, prober, timeout);
                        }
                    }
                    default -> {
                    }
                }
            }
            if (hostsDirty) {
                hostsDirty = false;
                networking.refreshHosts();
            }
            if (allDone || (interrupted && runs.values().stream().noneMatch(r -> r.busy))) {
                reportLateExits();
                return;
            }
            synchronized (wakeup) {
                try {
                    wakeup.wait(TICK_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    interrupted = true;
                }
            }
        }
    }

    /** A container that was started, exited and waits to start again, for longer than the timeout allows it to get ready. */
    private static boolean crashLooping(Run r, long timeout) {
        return r.life != null && r.life.restartAt() != null && r.firstStart != 0 && !r.life.runsToCompletion()
                && System.nanoTime() - r.firstStart > timeout;
    }

    private void wake() {
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
    }

    /** A waiting node: start it when every edge holds, block it when one never will, give up after the timeout. */
    private void consider(Run r, ExecutorService pool, long timeout) {
        List<String> unmet = new ArrayList<>();
        boolean progressing = false;
        for (Edge e : plan.waitsFor(r.node)) {
            Run dep = runs.get(e.from());
            if (holds(dep, e.condition()) && serviceForwards(e)) {
                continue;
            }
            // a dependency still on its way has a timeout of its own: blame it, not its dependents
            progressing |= !dep.terminal();
            if (dep.state == State.FAILED || dep.state == State.BLOCKED) {
                block(r, "waits for " + e.from() + " to be " + e.condition().label() + " (" + e.kind().label() + ": " + e.reason()
                        + "), which " + (dep.state == State.BLOCKED ? "was blocked" : "failed") + ": " + dep.failure);
                return;
            }
            unmet.add(e.from() + " " + e.condition().label());
        }
        if (unmet.isEmpty() && r.node.kind() == Node.Kind.POD && jobSlotsFull(r.pod)) {
            unmet.add("a free slot of Job " + r.pod.owner().name() + " (parallelism " + r.pod.owner().parallelism() + ")");
            progressing = true;
        }
        String deadline = r.node.kind() == Node.Kind.POD ? jobFailures.pastDeadline(r.pod.owner(), Instant.now()) : null;
        if (deadline != null) {
            block(r, deadline);
            return;
        }
        if (unmet.isEmpty()) {
            r.state = State.STARTING;
            r.since = System.nanoTime();
            launch(r, pool);
            return;
        }
        String waiting = String.join(", ", unmet);
        if (!waiting.equals(r.waitingFor)) {
            r.waitingFor = waiting;
            emit(r.node, "waiting", "for " + waiting);
        }
        if (progressing) {
            r.since = System.nanoTime();
        } else if (System.nanoTime() - r.since > timeout) {
            List<String> why = new ArrayList<>();
            for (Edge e : plan.waitsFor(r.node)) {
                Run dep = runs.get(e.from());
                if (!holds(dep, e.condition())) {
                    why.add(e.from() + " to be " + e.condition().label() + " (" + e.kind().label() + ": " + e.reason() + "), which is "
                            + dep.state.name().toLowerCase() + (dep.node.kind() == Node.Kind.CONTAINER ? "; its last probe: " + dep.lastProbe : ""));
                }
            }
            block(r, "waited " + options.timeout().toSeconds() + "s for " + String.join("; and for ", why));
        }
    }

    /** For an edge inferred from a Service mention: whether the Service's rules, as last copied, forward to a ready pod. */
    private boolean serviceForwards(Edge e) {
        return e.service() == null || Networking.forwards(berth, services, e.service(), e.servicePort());
    }

    /**
     * The exits of ready containers that ended after the loop last looked but before play
     * returns (the demo's client, a moment after it started): reported as any exit is, unless
     * the container will be started again (the supervisor's business from now on).
     */
    private void reportLateExits() {
        for (Run r : runs.values()) {
            if (r.state != State.READY || r.node.kind() != Node.Kind.CONTAINER || r.containerId == null) {
                continue;
            }
            Integer code = berth.containers().exitCode(r.containerId);
            String policy = code == null ? null : Restarts.policy(r.pod, r.spec);
            if (code != null && (policy.equals("Never") || policy.equals("OnFailure") && code == 0)) {
                exited(r, code);
            }
        }
    }

    private static boolean runsToCompletion(Run r) {
        return r.node.kind() == Node.Kind.CONTAINER && r.pod.owner() != null && r.pod.owner().kind().equals("Job");
    }

    /** Whether a Job already runs as many pods as its parallelism allows. */
    private boolean jobSlotsFull(PodSpec pod) {
        if (pod.owner() == null || !pod.owner().kind().equals("Job")) {
            return false;
        }
        long running = runs.values().stream().filter(x -> x.node.kind() == Node.Kind.POD && x.pod.owner() != null
                && x.pod.owner().kind().equals("Job") && x.pod.owner().name().equals(pod.owner().name())
                && x.state != State.WAITING && !jobPodDone(x.pod)).count();
        return running >= pod.owner().parallelism();
    }

    /** A Job pod is done once its app containers completed or one of them failed for good. */
    private boolean jobPodDone(PodSpec pod) {
        boolean allDone = true;
        for (Run x : runs.values()) {
            if (x.node.kind() == Node.Kind.CONTAINER && x.node.pod().equals(pod.name()) && pod.containers().contains(x.spec)) {
                if (x.state == State.FAILED || x.state == State.BLOCKED) {
                    return true;
                }
                allDone &= x.state == State.COMPLETED || x.state == State.UNCHANGED;
            }
        }
        return allDone;
    }

    private final ContainerLifecycle.Jobs jobFailures = new ContainerLifecycle.Jobs();
    private final Restarts restarts;
    /** Containers whose exit file was written since the coordinator last looked (see {@link #exitWritten}). */
    private final java.util.Set<String> exitsWritten = ConcurrentHashMap.newKeySet();
    /** The Services' records as last written (see {@link #updateEndpoints()}). */
    private volatile List<dev.berth.state.StateStore.ServiceRecord> services = List.of();

    private static boolean holds(Run dep, StartCondition condition) {
        return switch (dep.state) {
            case UNCHANGED -> true;
            case COMPLETED -> true;
            case READY -> condition != StartCondition.COMPLETED;
            case RUNNING -> condition == StartCondition.STARTED && dep.life.isStarted();
            default -> false;
        };
    }

    private void block(Run r, String why) {
        r.state = State.BLOCKED;
        r.failure = why;
        emit(r.node, "blocked", why);
    }

    private void fail(Run r, String why) {
        r.state = State.FAILED;
        r.failure = why;
        emit(r.node, "failed", why);
    }

    /** Creates and starts a sandbox or container on the pool. */
    private void launch(Run r, ExecutorService pool) {
        r.busy = true;
        pool.submit(() -> {
            try {
                if (r.node.kind() == Node.Kind.POD) {
                    emit(r.node, "creating", r.pod.hostNetwork() ? "host network" : "namespaces");
                    String hostname = r.pod.hostname() != null ? r.pod.hostname() : r.pod.name();
                    Sandbox s = berth.pods().createSandbox(new PodEngine.SandboxSpec(r.pod.name(), r.pod.namespace(), hostname,
                            r.pod.hostNetwork(), r.pod.shareProcessNamespace(), Canonical.hash(r.pod), Canonical.json(r.pod),
                            r.pod.annotations().get("berth.dev/network"), networking.portMappings(r.pod)));
                    sandboxes.put(r.pod.name(), s);
                    berth.pods().prepareVolumes(r.pod, (kind, name) -> manifests.object(kind, name).map(o -> o.data()));
                    networking.refreshHosts(r.pod.name()); // its own names before its containers start
                    hostsDirty = true; // the others learn its name on the coordinator's next turn
                    r.state = State.READY;
                    emit(r.node, "ready", s.ip() == null ? "" : "ip " + s.ip());
                } else {
                    startContainer(r);
                }
            } catch (RuntimeException e) {
                fail(r, describe(e));
            } finally {
                r.busy = false;
                wake();
            }
        });
    }

    private void startContainer(Run r) {
        String deadline = r.life.pastDeadline(Instant.now());
        if (deadline != null) {
            throw new BerthException(BerthException.Kind.FAILED, deadline);
        }
        ContainerEngine engine = berth.containers();
        if (r.containerId != null) {
            emit(r.node, "starting", "restart " + (r.life.restarts() + 1));
            engine.restart(engine.find(r.containerId)); // the same container, its restart counted, as the supervisor does
        } else {
            emit(r.node, "starting", "");
            Environment.Resolved env = Environment.of(manifests, r.pod, r.spec, podFields(r.pod));
            ContainerEngine.Container c = engine.create(new ContainerEngine.CreateOptions(new ContainerName(r.pod.name(), r.spec.name()).full(), r.spec.image(),
                    env.command().isEmpty() ? null : env.command(), env.args().isEmpty() ? null : env.args(),
                    env.env(), r.spec.workingDir(), null, null, false, sandboxes.get(r.pod.name()), null,
                    berth.pods().volumeBinds(r.pod, r.spec), env.secret(),
                    new ContainerEngine.Security(r.spec.securityContext().over(r.pod.securityContext()), r.spec.limits(), r.spec.requests()),
                    Supervisor.watched(r.pod, r.spec), dev.berth.api.LogLimits.of(r.pod.annotations(), options.logs())));
            r.containerId = c.id();
            engine.start(c);
            r.firstStart = System.nanoTime();
        }
        String hookFailed = Hooks.postStart(prober, r.spec, netns(r.pod), r.containerId);
        r.life.started(Instant.now());
        r.state = State.RUNNING;
        emit(r.node, "running", r.spec.postStart() == null ? "" : "postStart hook done");
        if (hookFailed != null) {
            emit(r.node, "hook-failed", hookFailed + "; stopping it");
            r.life.killed(hookFailed);
            engine.stop(engine.find(r.containerId), Duration.ofSeconds(grace(r.pod)));
            return;
        }
        if (r.life.isReady()) {
            ready(r, "running");
        }
    }

    private Environment.PodFields podFields(PodSpec pod) {
        Sandbox s = sandboxes.get(pod.name());
        String ip = s == null || s.ip() == null ? "127.0.0.1" : s.ip();
        String gateway = berth.network().gateway(pod.name());
        String node;
        try {
            node = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            node = "localhost";
        }
        return new Environment.PodFields(ip, gateway == null ? "127.0.0.1" : gateway, node);
    }

    /**
     * An exit file was written (on the watch's thread): the container is marked, and the
     * coordinator has its exit file read on the pool (it reads no file itself). With {@code name}
     * null (events lost), every container is marked.
     */
    private void exitWritten(String name) {
        if (name != null) {
            exitsWritten.add(name);
        } else {
            runs.values().stream().map(r -> r.containerId).filter(java.util.Objects::nonNull).forEach(exitsWritten::add);
        }
        wake();
    }

    /** A running container: notice when it exits, and probe it (on the pool) while anything may wait on it. */
    private void watch(Run r, ExecutorService pool, Prober prober, long timeout) {
        Integer code = r.exitRead;
        if (code != null) {
            r.exitRead = null;
            exited(r, code);
            return;
        }
        if (exitsWritten.remove(r.containerId)) {
            // read now, while this run is the container's only one: a mark left from a run before finds no file
            r.busy = true;
            pool.submit(() -> {
                try {
                    r.exitRead = berth.containers().exitCode(r.containerId);
                } finally {
                    r.busy = false;
                    wake();
                }
            });
            return;
        }
        String deadline = r.life.pastDeadline(Instant.now());
        if (deadline != null && r.life.killedBecause() == null) {
            r.life.killed(deadline);
            emit(r.node, "killing", deadline);
            r.busy = true;
            pool.submit(() -> {
                try {
                    berth.containers().stop(berth.containers().find(r.containerId), Duration.ofSeconds(grace(r.pod)));
                } finally {
                    r.busy = false;
                    wake();
                }
            });
            return;
        }
        if (r.state == State.READY || r.life.runsToCompletion()) {
            return; // an init container is done when it exits; a ready one waits for nothing more in a play
        }
        if (System.nanoTime() - r.firstStart > timeout) {
            fail(r, "not ready within " + options.timeout().toSeconds() + "s (--timeout): " + Readiness.of(r.pod, r.spec).describe()
                    + " never held; last probe (" + r.probes + " tries): " + r.lastProbe);
            return;
        }
        ContainerLifecycle.Check check = r.life.due(Instant.now());
        if (check == null) {
            return;
        }
        r.busy = true;
        pool.submit(() -> {
            try {
                probeOnce(r, prober, check);
            } finally {
                r.busy = false;
                wake();
            }
        });
    }

    /** Runs one check and acts on its verdict: started, ready, or killed (its exit is then seen like any other). */
    private java.nio.file.Path netns(PodSpec pod) {
        Sandbox sandbox = sandboxes.get(pod.name());
        return sandbox == null ? null : sandbox.netns();
    }

    private void probeOnce(Run r, Prober prober, ContainerLifecycle.Check check) {
        java.nio.file.Path netns = netns(r.pod);
        Map<String, Integer> ports = Prober.namedPorts(r.spec);
        ProbeResult result;
        try {
            result = check == ContainerLifecycle.Check.READINESS ? prober.readiness(Readiness.of(r.pod, r.spec), netns, r.containerId, ports)
                    : prober.probe(r.life.probe(check).action(), netns, r.containerId, ports, Duration.ofSeconds(r.life.probe(check).timeoutSeconds()));
        } catch (RuntimeException e) {
            result = ProbeResult.failed(describe(e));
        }
        r.probes++;
        r.lastProbe = (check == ContainerLifecycle.Check.READINESS ? "" : check == ContainerLifecycle.Check.STARTUP ? "startupProbe " : "livenessProbe ")
                + result.message();
        switch (r.life.probed(check, result.success(), Instant.now())) {
            case STARTED -> {
                emit(r.node, "started", result.message());
                if (r.life.isReady()) {
                    ready(r, result.message());
                }
            }
            case READY -> ready(r, result.message());
            case KILL -> {
                emit(r.node, "killing", r.life.killedBecause() + " (" + result.message() + ")");
                Hooks.stop(berth, prober, r.spec, netns, berth.containers().find(r.containerId), Duration.ofSeconds(grace(r.pod)));
            }
            default -> {
            }
        }
    }

    /** A container became ready: recorded (its pod may now serve its Services), and its dependents may start. */
    private void ready(Run r, String detail) {
        if (berth.containers().exitCode(r.containerId) != null) {
            return; // exited meanwhile: the coordinator sees the exit next
        }
        berth.state().setReady(r.containerId, true, detail);
        r.state = State.READY;
        emit(r.node, "ready", detail);
        if (!manifests.services().isEmpty()) {
            updateEndpoints();
        }
    }

    /** A container exited: complete, fail, or restart it as its restart policy (or its Job's backoffLimit) says. */
    private void exited(Run r, int code) {
        Instant now = Instant.now();
        ContainerLifecycle.Exit exit = r.life.exited(code, now);
        String killed = r.life.lastState().message();
        emit(r.node, "exited", "exit code " + code + (killed == null ? "" : " (" + killed + ")"));
        if (exit.outcome() == ContainerLifecycle.Outcome.RESTART && !interrupted) {
            r.state = State.STARTING;
            emit(r.node, "restarting", "in " + Duration.between(now, exit.restartAt()).toMillis() + " ms, CrashLoopBackOff ("
                    + exit.why() + ", restart " + (r.life.restarts() + 1) + ")");
        } else if (exit.outcome() == ContainerLifecycle.Outcome.COMPLETED) {
            r.state = State.COMPLETED;
            emit(r.node, "completed", "exit code 0");
        } else {
            boolean jobGaveUp = exit.why().startsWith("Job ");
            fail(r, (jobGaveUp ? exit.why() + "; this one exited with code " + code : "exited with code " + code)
                    + (killed == null ? "" : " (" + killed + ")") + lastLogLine(r));
        }
    }

    private String lastLogLine(Run r) {
        List<String> lines = new ArrayList<>();
        try {
            berth.containers().logs(r.containerId, false, 1, l -> lines.add(l.text()));
        } catch (BerthException e) {
            return "";
        }
        return lines.isEmpty() ? "" : "; its last output: " + lines.get(0);
    }

    /** What went wrong, in words: berth's own errors carry a message, others may not ("which failed: null"). */
    private static String describe(RuntimeException e) {
        return e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage() : "internal error: " + e;
    }

    private void emit(Node node, String state, String detail) {
        emit(node.id(), state, detail);
    }

    /** Emits an event; one at a time, so that they reach the view in the order of their times. */
    private synchronized void emit(String object, String state, String detail) {
        events.accept(new PlayEvent(Instant.now(), object, state, detail));
    }
}
