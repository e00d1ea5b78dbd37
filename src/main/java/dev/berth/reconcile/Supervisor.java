package dev.berth.reconcile;

import dev.berth.api.BerthException;
import dev.berth.api.Canonical;
import dev.berth.api.ContainerSpec;
import dev.berth.api.Json;
import dev.berth.api.PodSpec;
import dev.berth.engine.Berth;
import dev.berth.engine.ContainerEngine;
import dev.berth.state.ContainerRecord;
import dev.berth.state.Locks;
import dev.berth.probe.ProbeResult;
import dev.berth.probe.Prober;
import dev.berth.state.PodRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Keeps pods going after {@code kube play} returned, as a kubelet does: a container that exits
 * is started again as its restart policy says, after the crash-loop back-off ({@link Restarts}).
 * One process per root ({@code berth system supervise}), started by {@code kube play} when a
 * pod needs it and ending by itself once none does. Everything it knows is on disk (container
 * records, conmon's exit files, restart counts), so killing it loses nothing but time.
 *
 * <p>A pod a command is changing (its lock held: a play, a down) is left alone until the lock is
 * free; a pod being created or removed is not touched. Job pods are not supervised: play runs
 * them to their end. Liveness (behind a startup probe) is probed for containers whose policy may
 * restart them. Not yet: readiness after play (Service endpoints), lifecycle hooks.
 */
public final class Supervisor {
    static final Duration PERIOD = Duration.ofMillis(500);

    private final Berth berth;
    private final Consumer<String> log;
    /** The probe schedule of each run of each probed container, by container ID and start time. */
    private final Map<String, Liveness> schedules = new HashMap<>();
    private Prober prober;
    /** Pod specs by their hash: parsed once, not at every pass. */
    private final Map<String, PodSpec> specs = new HashMap<>();

    public Supervisor(Berth berth, Consumer<String> log) {
        this.berth = berth;
        this.log = log;
    }

    /** Whether some pod of the root has a container that its restart policy may start again. */
    public static boolean needed(Berth berth) {
        return new Supervisor(berth, line -> {}).pass(false);
    }

    /** What a supervisor watches now: a line per container its policy may start again (pod/container: state). */
    public static List<String> watched(Berth berth) {
        List<String> lines = new ArrayList<>();
        for (PodRecord p : berth.state().pods()) {
            PodSpec pod = Canonical.read(Json.parse(p.spec()), PodSpec.class);
            if (p.status() != PodRecord.Status.RUNNING || pod.owner() != null && pod.owner().kind().equals("Job")) {
                continue;
            }
            for (ContainerSpec c : pod.allContainers()) {
                Optional<ContainerRecord> r = berth.state().containerByName(pod.name() + "-" + c.name());
                if (Restarts.policy(pod, c).equals("Never") || r.isEmpty()) {
                    continue;
                }
                Integer code = berth.containers().exitCode(r.get().id());
                String state = code == null ? "running" + (c.livenessProbe() == null ? "" : ", livenessProbe every " + c.livenessProbe().periodSeconds() + "s")
                        : Optional.ofNullable(nextStart(berth, pod, c, berth.containers().find(r.get().id())))
                                .map(t -> "CrashLoopBackOff, starts again at " + t).orElse("exited " + code + ", done");
                lines.add(pod.name() + "/" + c.name() + ": " + state + ", restarts " + berth.containers().restarts(r.get().id()));
            }
        }
        return lines;
    }

    /** Watches until nothing needs it; returns at once when another supervisor holds the root. */
    public void run() {
        Optional<Locks.Held> lock = berth.locks().trySupervisor();
        if (lock.isEmpty()) {
            log.accept("another supervisor watches this root; leaving");
            return;
        }
        try (Locks.Held held = lock.get()) {
            log.accept("watching");
            while (pass(true)) {
                try {
                    Thread.sleep(PERIOD.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            log.accept("nothing left to watch; leaving");
        } finally {
            if (prober != null) {
                prober.close();
            }
        }
    }

    /**
     * One look at every pod: restarts what is due when {@code act}; returns whether anything still
     * needs watching.
     */
    boolean pass(boolean act) {
        boolean watching = false;
        Map<String, ContainerRecord> containers = new HashMap<>();
        berth.state().containers().forEach(c -> containers.put(c.name(), c)); // one query a pass
        for (PodRecord p : berth.state().pods()) {
            if (p.status() != PodRecord.Status.RUNNING) {
                continue;
            }
            PodSpec pod = specs.computeIfAbsent(p.specHash(), h -> Canonical.read(Json.parse(p.spec()), PodSpec.class));
            if (pod.owner() != null && pod.owner().kind().equals("Job")) {
                continue;
            }
            for (ContainerSpec c : pod.allContainers()) {
                if (Restarts.policy(pod, c).equals("Never")) {
                    continue;
                }
                ContainerRecord record = containers.get(pod.name() + "-" + c.name());
                if (record != null) {
                    watching |= watch(p, pod, c, record, act);
                }
            }
        }
        return watching;
    }

    /** One container: running (and probed), or exited and due (or not yet due) to start again, or done for good. */
    private boolean watch(PodRecord p, PodSpec pod, ContainerSpec c, ContainerRecord r, boolean act) {
        ContainerEngine engine = berth.containers();
        Integer code = engine.exitCode(r.id()); // a file read: no runtime call for a running container
        if (code == null) {
            if (act && r.started() != null && (c.livenessProbe() != null || c.startupProbe() != null)) {
                probe(p, pod, c, r);
            }
            return true;
        }
        Instant due = nextStart(berth, pod, c, engine.find(r.id()));
        if (due == null) {
            return false;
        }
        if (act && !Instant.now().isBefore(due)) {
            Optional<Locks.Held> lock = berth.locks().tryPod(pod.name());
            if (lock.isPresent()) {
                try (Locks.Held held = lock.get()) {
                    // a down may have begun between the look and the lock
                    if (berth.state().pod(pod.name()).map(now -> now.status() == PodRecord.Status.RUNNING).orElse(false)) {
                        engine.restart(engine.find(r.id()));
                        log.accept("restarted " + r.name() + " (exit code " + code + ", restart " + engine.restarts(r.id())
                                + ", restartPolicy " + Restarts.policy(pod, c) + ")");
                    }
                } catch (BerthException e) {
                    log.accept("cannot restart " + r.name() + ": " + e.getMessage());
                }
            }
        }
        return true;
    }

    /**
     * A running container's startup probe until it passes, then its liveness probe, each on its
     * schedule; past its failure threshold the container is stopped (SIGTERM, then SIGKILL after
     * the pod's grace period), and its exit is then handled like any other.
     */
    private void probe(PodRecord p, PodSpec pod, ContainerSpec c, ContainerRecord r) {
        String run = r.id() + "@" + r.started(); // one schedule per run of the container
        Instant now = Instant.now();
        Liveness startup = c.startupProbe() == null ? null : schedules.computeIfAbsent(run + "/startup", k -> new Liveness(c.startupProbe(), r.started()));
        boolean live = startup == null || startup.passed();
        Liveness check = live ? c.livenessProbe() == null ? null : schedules.computeIfAbsent(run, k -> new Liveness(c.livenessProbe(), now)) : startup;
        if (check == null || !check.due(now)) {
            return;
        }
        dev.berth.api.Probe probe = live ? c.livenessProbe() : c.startupProbe();
        if (prober == null) {
            prober = new Prober(berth.containers());
        }
        ProbeResult result = prober.probe(probe.action(), p.netns() == null ? null : Path.of(p.netns()), r.id(), Prober.namedPorts(c),
                Duration.ofSeconds(probe.timeoutSeconds()));
        if (!check.record(now, result.success())) {
            return;
        }
        Optional<Locks.Held> lock = berth.locks().tryPod(pod.name());
        if (lock.isEmpty()) {
            return;
        }
        try (Locks.Held held = lock.get()) {
            log.accept((live ? "livenessProbe" : "startupProbe") + " of " + r.name() + " failed " + check.failures() + " times ("
                    + result.message() + "); stopping it");
            berth.containers().stop(berth.containers().find(r.id()), Duration.ofSeconds(KubePlay.grace(pod)));
        } catch (BerthException e) {
            log.accept("cannot stop " + r.name() + ": " + e.getMessage());
        }
        schedules.keySet().removeIf(k -> k.startsWith(run));
    }

    /** When an exited container starts again (its back-off over), or null when its policy leaves it down. */
    public static Instant nextStart(Berth berth, PodSpec pod, ContainerSpec c, ContainerEngine.Container container) {
        if (container.running() || container.exitCode() == null || container.record().finished() == null
                || pod.owner() != null && pod.owner().kind().equals("Job")) {
            return null;
        }
        Duration ran = container.record().started() == null ? Duration.ZERO
                : Duration.between(container.record().started(), container.record().finished());
        Restarts.Decision d = new Restarts().onExit(pod, c, container.exitCode(), berth.containers().restarts(container.id()), ran);
        return d.restarts() ? container.record().finished().plus(d.delay()) : null;
    }
}
