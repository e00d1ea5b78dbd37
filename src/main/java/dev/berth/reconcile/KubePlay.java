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
 * {@code kube play}: runs a plan as an event-driven DAG. A coordinator thread creates each
 * pod's sandbox once the conditions of all its incoming edges hold (on a bounded pool, so
 * independent ones go in parallel), then steps the pod's {@link PodWorker}, which creates each
 * container once its gate (the plan's edges into it, judged here) opens, probes it quickly
 * while anything may wait on it, and follows its restart policy while the play lasts. The play
 * ends when every node is ready, completed, failed or blocked.
 */
public final class KubePlay {
    /** The longest the coordinator sleeps with nothing due: what bounds the check of --timeout. */
    private static final Duration LONGEST_SLEEP = Duration.ofSeconds(1);

    private enum State { WAITING, STARTING, RUNNING, READY, COMPLETED, FAILED, BLOCKED, UNCHANGED }

    /**
     * The play-time state of one node of the plan. A container's own life (creation, probes,
     * restarts) is its pod's {@link PodWorker}'s, which the coordinator steps; its state here is
     * what play reports, moved by what the worker tells.
     */
    private static final class Run {
        final Node node;
        final PodSpec pod;
        final ContainerSpec spec;
        volatile State state = State.WAITING;
        volatile boolean busy;
        volatile String containerId;
        volatile String lastProbe = "no probe yet";
        long since = System.nanoTime();
        long firstStart;
        int probes;
        String waitingFor = "";
        String failure;

        Run(Node node, PodSpec pod, ContainerSpec spec) {
            this.node = node;
            this.pod = pod;
            this.spec = spec;
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
    /** Released by whatever may let the play go on: the pool's work ending, an exit file written, an interrupt. */
    private final java.util.concurrent.Semaphore wakeup = new java.util.concurrent.Semaphore(0);
    /** Whether the workers' last step told of a container ready, started or ended (read on the coordinator's thread). */
    private volatile boolean moved;
    private final Networking networking;
    /** Each pod's worker, made once its sandbox is ready; stepped by the coordinator only. */
    private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
    /** How long a running container's exit file may go unread though the exit directory's watch named none. */
    private static final Duration READ_EXIT_AT_LEAST = Duration.ofSeconds(1);
    private Prober prober;
    private volatile boolean interrupted;
    /** Set when the coordinator has done: nodes keep the state play reports. */
    private volatile boolean finished;
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
            Run r = new Run(n, pod, spec);
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
                List<dev.berth.image.AuthFile.PullSecret> secrets = p.getValue().stream().map(this::dockerConfig).toList();
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

    private void pull(String image, List<dev.berth.image.AuthFile.PullSecret> secrets) {
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
    private dev.berth.image.AuthFile.PullSecret dockerConfig(String secret) {
        dev.berth.api.ObjectSpec s = manifests.object(dev.berth.api.ObjectKind.SECRET, secret).orElseThrow(() -> new BerthException(
                BerthException.Kind.NOT_FOUND, "nothing was started: the imagePullSecret \"" + secret + "\" is not in the manifests"));
        String json = s.data().get(".dockerconfigjson");
        if (json == null && s.data().containsKey(".dockercfg")) {
            json = "{\"auths\": " + s.data().get(".dockercfg") + "}";
        }
        try {
            if (json != null) {
                return new dev.berth.image.AuthFile.PullSecret(secret, json);
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
        boolean job = pod.ofJob();
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
            Instant due = null;
            if (interrupted) {
                workers.values().forEach(PodWorker::drain); // nothing more is started: only the pool's work in hand is waited for
            } else {
                moved = false;
                due = stepWorkers(pool, prober); // first: what it moves counts for this turn's look at every node
                if (moved) {
                    due = Instant.now(); // a container became ready, started or ended: what waits for it (in any pod) is looked at again at once
                }
            }
            boolean allDone = true;
            for (Run r : runs.values()) {
                if (r.busy) {
                    allDone = false;
                    continue;
                }
                if (r.node.kind() == Node.Kind.CONTAINER) {
                    allDone &= r.terminal() && !(r.state == State.READY && runsToCompletion(r)); // a Job's containers are done when they exit
                    if (r.state == State.WAITING && !interrupted && !workers.containsKey(r.pod.name())) {
                        waitsFor(r, timeout); // its sandbox is not there yet: said waiting, or blocked when the sandbox failed
                    }
                    checkTimeout(r, timeout);
                    continue;
                }
                if (r.state == State.WAITING) {
                    allDone = false;
                    if (!interrupted) {
                        consider(r, pool, timeout);
                    }
                } else if (r.state == State.STARTING) {
                    allDone = false;
                }
            }
            if (hostsDirty) {
                hostsDirty = false;
                networking.refreshHosts();
            }
            if (allDone || (interrupted && runs.values().stream().noneMatch(r -> r.busy) && workers.values().stream().noneMatch(PodWorker::busy))) {
                finished = true; // what the pool still finishes (a restart, a probe) no longer moves the play's nodes
                reportLateExits();
                return;
            }
            try {
                long sleep = due == null ? LONGEST_SLEEP.toMillis() : Math.min(LONGEST_SLEEP.toMillis(), Duration.between(Instant.now(), due).toMillis());
                wakeup.tryAcquire(Math.max(1, sleep), TimeUnit.MILLISECONDS);
                wakeup.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                interrupted = true;
            }
        }
    }

    /**
     * A container started and not yet ready (nor done), for longer than --timeout: failed (its
     * worker goes on with it; after play, the supervisor).
     */
    private void checkTimeout(Run r, long timeout) {
        if (r.firstStart == 0 || r.terminal() || System.nanoTime() - r.firstStart <= timeout || workers.get(r.pod.name()) == null) {
            return;
        }
        ContainerLifecycle life = workers.get(r.pod.name()).life(r.spec.name());
        if (life.runsToCompletion() || runsToCompletion(r)) {
            return;
        }
        if (life.restartAt() != null) {
            fail(r, "not ready within " + options.timeout().toSeconds() + "s (--timeout): it keeps exiting (CrashLoopBackOff, "
                    + life.restarts() + " restarts)" + lastLogLine(r));
        } else {
            fail(r, "not ready within " + options.timeout().toSeconds() + "s (--timeout): " + Readiness.of(r.pod, r.spec).describe()
                    + " never held; last probe (" + r.probes + " tries): " + r.lastProbe);
        }
    }

    /**
     * Steps the worker of every pod whose sandbox is ready (made at its first step), then moves
     * each container's node to what its worker decided: completed, failed or blocked for good.
     * Returns when a worker next has something due (a probe, a restart), or null.
     */
    private Instant stepWorkers(ExecutorService pool, Prober prober) {
        Instant now = Instant.now();
        Instant due = null;
        for (Run sandbox : runs.values()) {
            if (sandbox.node.kind() != Node.Kind.POD || sandbox.state != State.READY) {
                continue;
            }
            PodWorker worker = workers.computeIfAbsent(sandbox.pod.name(), name -> {
                PlayEngine engine = new PlayEngine(sandbox.pod, prober);
                return new PodWorker(sandbox.pod, sandbox.pod.allContainers(), PodWorker.Mode.PLAY, restarts, jobFailures, Map.of(),
                        c -> gate(runs.get(Node.container(name, c))), engine, engine, pool, this::wake, Instant::now);
            });
            Instant next = worker.step(now);
            if (next != null && (due == null || next.isBefore(due))) {
                due = next;
            }
            for (ContainerSpec c : sandbox.pod.allContainers()) {
                Run r = runs.get(Node.container(sandbox.pod.name(), c.name()));
                String over = worker.over(c.name());
                if (over != null && (!r.terminal() || r.state == State.READY)) {
                    ended(r, worker, over);
                }
            }
        }
        return due;
    }

    /** A container whose worker will not start it (again): completed, failed with its last exit and output, or blocked. */
    private void ended(Run r, PodWorker worker, String over) {
        ContainerLifecycle life = worker.life(r.spec.name());
        ContainerLifecycle.Termination last = life.lastState();
        if (r.state == State.BLOCKED || r.state == State.FAILED) {
            return;
        }
        if (last == null && r.state == State.WAITING) {
            block(r, over); // what it waited for will not come
        } else if (last == null) {
            fail(r, over); // it could not be created, or its Job was past its deadline when its turn came
        } else if (worker.completed(r.spec.name())) {
            r.state = State.COMPLETED;
            emit(r.node, "completed", "exit code 0");
        } else {
            String why = life.lastExit().why();
            String killed = last.message() == null ? "" : " (" + last.message() + ")";
            fail(r, (why.startsWith("Job ") ? why + "; this one exited with code " + last.exitCode() : "exited with code " + last.exitCode())
                    + killed + lastLogLine(r));
        }
    }

    private void wake() {
        wakeup.release();
    }

    /** A waiting sandbox: created when every edge holds, blocked when one never will, given up after the timeout. */
    private void consider(Run r, ExecutorService pool, long timeout) {
        if (waitsFor(r, timeout)) {
            r.state = State.STARTING;
            r.since = System.nanoTime();
            launch(r, pool);
        }
    }

    /**
     * What a container waits for, as its worker asks before creating it: open once every edge
     * holds (the node then starting), blocked when one never will or after the timeout.
     */
    private PodActions.Gate gate(Run r) {
        if (r.state != State.WAITING) {
            return r.state == State.BLOCKED ? PodActions.Gate.blocked(r.failure) : PodActions.Gate.OPEN;
        }
        if (!waitsFor(r, options.timeout().toNanos())) {
            return r.state == State.BLOCKED ? PodActions.Gate.blocked(r.failure) : PodActions.Gate.waiting(r.waitingFor);
        }
        r.state = State.STARTING;
        r.since = System.nanoTime();
        return PodActions.Gate.OPEN;
    }

    /** Whether every edge into a waiting node holds; if not, says what it waits for, and blocks it when one never will. */
    private boolean waitsFor(Run r, long timeout) {
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
                return false;
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
            return false;
        }
        if (unmet.isEmpty()) {
            return true;
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
        return false;
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
                emit(r.node, "exited", "exit code " + code);
                if (code == 0) {
                    r.state = State.COMPLETED;
                    emit(r.node, "completed", "exit code 0");
                } else {
                    fail(r, "exited with code " + code + lastLogLine(r));
                }
            }
        }
    }

    private static boolean runsToCompletion(Run r) {
        return r.node.kind() == Node.Kind.CONTAINER && r.pod.ofJob();
    }

    /** Whether a Job already runs as many pods as its parallelism allows. */
    private boolean jobSlotsFull(PodSpec pod) {
        if (!pod.ofJob()) {
            return false;
        }
        long running = runs.values().stream().filter(x -> x.node.kind() == Node.Kind.POD && x.pod.ofJob() && x.pod.owner().name().equals(pod.owner().name())
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

    private boolean holds(Run dep, StartCondition condition) {
        return switch (dep.state) {
            case UNCHANGED -> true;
            case COMPLETED -> true;
            case READY -> condition != StartCondition.COMPLETED;
            case RUNNING -> condition == StartCondition.STARTED && workers.get(dep.pod.name()).started(dep.spec.name());
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

    /** Creates a sandbox on the pool (its containers are its worker's). */
    private void launch(Run r, ExecutorService pool) {
        r.busy = true;
        pool.submit(() -> {
            try {
                {
                    Sandbox.Kind sandboxKind = Sandbox.Kind.of(r.pod, options.infra());
                    emit(r.node, "creating", (r.pod.hostNetwork() ? "host network" : "network") + (sandboxKind == Sandbox.Kind.INFRA_CONTAINER ? ", infra container" : ", namespaces"));
                    String hostname = r.pod.hostname() != null ? r.pod.hostname() : r.pod.name();
                    Sandbox s = berth.pods().createSandbox(new PodEngine.SandboxSpec(r.pod.name(), r.pod.namespace(), hostname,
                            r.pod.hostNetwork(), sandboxKind, r.pod.shareProcessNamespace(), Canonical.hash(r.pod), Canonical.json(r.pod),
                            r.pod.annotations().get("berth.dev/network"), networking.portMappings(r.pod)));
                    sandboxes.put(r.pod.name(), s);
                    berth.pods().prepareVolumes(r.pod, (kind, name) -> manifests.object(kind, name).map(o -> o.data()));
                    networking.refreshHosts(r.pod.name()); // its own names before its containers start
                    hostsDirty = true; // the others learn its name on the coordinator's next turn
                    r.state = State.READY;
                    emit(r.node, "ready", s.ip() == null ? "" : "ip " + s.ip());
                }
            } catch (RuntimeException e) {
                fail(r, describe(e));
            } finally {
                r.busy = false;
                wake();
            }
        });
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

    private java.nio.file.Path netns(PodSpec pod) {
        Sandbox sandbox = sandboxes.get(pod.name());
        return sandbox == null ? null : sandbox.netns();
    }

    /**
     * The engine and listener of a pod's worker in a play: containers created from the manifests
     * in the pod's sandbox, what they are known from what this play did and from conmon's exit
     * files (read when the exit directory's watch names one, and at most a second apart anyway),
     * readiness written for Services; what the worker tells becomes the play's events.
     */
    private final class PlayEngine implements PodWorker.Engine, PodWorker.Listener {
        /** A container this play made: its ID, and its current run as far as the play knows. */
        private static final class Known {
            final String id;
            volatile Instant run;
            volatile int restarts;
            volatile boolean ready;
            volatile Integer exit;
            volatile Instant finished;
            long lastRead = System.nanoTime();

            Known(String id, Instant run, int restarts) {
                this.id = id;
                this.run = run;
                this.restarts = restarts;
            }
        }

        private final PodSpec pod;
        private final Prober prober;
        private final Map<String, Known> known = new ConcurrentHashMap<>();

        PlayEngine(PodSpec pod, Prober prober) {
            this.pod = pod;
            this.prober = prober;
        }

        private Run run(ContainerSpec c) {
            return runs.get(Node.container(pod.name(), c.name()));
        }

        @Override
        public PodActions.Seen look(PodSpec p, ContainerSpec c) {
            Known k = known.get(c.name());
            if (k == null) {
                return PodActions.Seen.ABSENT;
            }
            if (k.exit == null && (exitsWritten.remove(k.id) || System.nanoTime() - k.lastRead > READ_EXIT_AT_LEAST.toNanos())) {
                k.lastRead = System.nanoTime();
                Integer code = berth.containers().exitCode(k.id);
                if (code != null) {
                    k.finished = berth.containers().exitTime(k.id);
                    k.exit = code;
                }
            }
            return k.exit != null ? new PodActions.Seen(PodActions.State.EXITED, k.exit, k.run, k.finished, k.restarts, k.ready)
                    : new PodActions.Seen(PodActions.State.RUNNING, null, k.run, null, k.restarts, k.ready);
        }

        @Override
        public boolean startMayBeUnfinished(PodSpec p, ContainerSpec c) {
            return false; // this play started it
        }

        @Override
        public String finishStart(PodSpec p, ContainerSpec c) {
            return null;
        }

        @Override
        public void create(PodSpec p, ContainerSpec c) {
            Run r = run(c);
            emit(r.node, "starting", "");
            Environment.Resolved env = Environment.of(manifests, pod, c, podFields(pod));
            ContainerEngine engine = berth.containers();
            ContainerEngine.Container created = engine.create(new ContainerEngine.CreateOptions(new ContainerName(pod.name(), c.name()).full(), c.image(),
                    env.command().isEmpty() ? null : env.command(), env.args().isEmpty() ? null : env.args(),
                    env.env(), c.workingDir(), null, null, false, sandboxes.get(pod.name()), null,
                    berth.pods().volumeBinds(pod, c), env.secret(),
                    new ContainerEngine.Security(c.securityContext().over(pod.securityContext()), c.limits(), c.requests()),
                    Supervisor.watched(pod, c), dev.berth.api.LogLimits.of(pod.annotations(), options.logs())));
            r.containerId = created.id();
            engine.start(created);
            known.put(c.name(), new Known(created.id(), Instant.now(), 0));
        }

        @Override
        public boolean restart(PodSpec p, ContainerSpec c) {
            Known k = known.get(c.name());
            emit(run(c).node, "starting", "restart " + (k.restarts + 1));
            exitsWritten.remove(k.id); // a mark of the run that ended: the next run's exit gets its own
            berth.containers().restart(berth.containers().find(k.id)); // the same container, its restart counted, as the supervisor does
            k.restarts = berth.containers().restarts(k.id);
            k.run = Instant.now();
            k.finished = null;
            k.exit = null;
            return true;
        }

        @Override
        public String postStart(PodSpec p, ContainerSpec c) {
            return Hooks.postStart(prober, c, netns(pod), known.get(c.name()).id);
        }

        @Override
        public ProbeResult probe(PodSpec p, ContainerSpec c, ContainerLifecycle.Check check, dev.berth.api.Probe probe) {
            String id = known.get(c.name()).id;
            Map<String, Integer> ports = Prober.namedPorts(c);
            ProbeResult result;
            try {
                result = check == ContainerLifecycle.Check.READINESS ? prober.readiness(Readiness.of(pod, c), netns(pod), id, ports)
                        : prober.probe(probe.action(), netns(pod), id, ports, Duration.ofSeconds(probe.timeoutSeconds()));
            } catch (RuntimeException e) {
                result = ProbeResult.failed(describe(e));
            }
            Run r = run(c);
            r.probes++;
            r.lastProbe = (check == ContainerLifecycle.Check.READINESS ? "" : check == ContainerLifecycle.Check.STARTUP ? "startupProbe " : "livenessProbe ")
                    + result.message();
            return result;
        }

        @Override
        public boolean kill(PodSpec p, ContainerSpec c, Duration grace) {
            Hooks.stop(berth, prober, c, netns(pod), berth.containers().find(known.get(c.name()).id), grace);
            return true;
        }

        @Override
        public void setReady(PodSpec p, ContainerSpec c, boolean ready, String message) {
            Known k = known.get(c.name());
            berth.state().setReady(k.id, ready, message);
            k.ready = ready;
            if (!manifests.services().isEmpty()) {
                updateEndpoints();
            }
        }

        @Override
        public void event(ContainerSpec c, PodWorker.Event event, String message) {
            Run r = run(c);
            boolean over = finished || r.state == State.FAILED || r.state == State.BLOCKED;
            moved |= event == PodWorker.Event.READY || event == PodWorker.Event.STARTED || event == PodWorker.Event.STARTUP_PASSED
                    || event == PodWorker.Event.DIED;
            switch (event) {
                case STARTED -> {
                    if (r.firstStart == 0) {
                        r.firstStart = System.nanoTime();
                    }
                    r.state = over ? r.state : State.RUNNING;
                    emit(r.node, "running", message);
                }
                case READY -> {
                    r.state = over ? r.state : State.READY;
                    emit(r.node, "ready", message);
                }
                case UNREADY -> {
                    r.state = r.state == State.READY && !over ? State.RUNNING : r.state;
                    emit(r.node, "unready", message);
                }
                case DIED -> emit(r.node, "exited", message);
                case RESTARTING -> {
                    r.state = over ? r.state : State.STARTING;
                    emit(r.node, "restarting", message + ", restart " + (workers.get(pod.name()).life(c.name()).restarts() + 1));
                }
                case STARTUP_PASSED -> emit(r.node, "started", message);
                case KILLED -> emit(r.node, "killing", message);
                case HOOK_FAILED, NOTE -> emit(r.node, event.word, message);
                default -> {
                    // liveness-failed, startup-failed, deadline-exceeded: the killing event says it
                }
            }
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
