package dev.berth.reconcile;

import dev.berth.api.BerthException;
import dev.berth.api.ContainerName;
import dev.berth.api.ContainerSpec;
import dev.berth.api.PodSpec;
import dev.berth.api.Readiness;
import dev.berth.engine.Berth;
import dev.berth.engine.ContainerEngine;
import dev.berth.probe.ProbeResult;
import dev.berth.probe.Prober;
import dev.berth.reconcile.ContainerLifecycle.Check;
import dev.berth.state.ContainerRecord;
import dev.berth.state.Locks;
import dev.berth.state.PodRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The real engine of a {@link PodWorker}: containers as the state database (read once per look
 * of the driver, a {@link Snapshot}) and conmon's files show them, started and stopped through
 * {@link ContainerEngine} (runc, conmon), probed and hooked through the {@link Prober}; what
 * changes a container done under the pod's lock, taken here unless the driver holds it. As the
 * worker's listener it logs and records events.
 */
final class WorkerEngine implements PodWorker.Engine, PodWorker.Listener {
    /**
     * The pods' and containers' records (by name), the IDs recorded ready and the restart counts,
     * read once for every worker of a look, with the state's {@code version} they were read at.
     */
    record Snapshot(long version, List<PodRecord> pods, Map<String, ContainerRecord> containers, Set<String> ready, Map<String, Integer> restarts) {
        static Snapshot read(Berth berth) {
            long version = berth.state().version();
            Map<String, ContainerRecord> byName = new HashMap<>();
            berth.state().containers().forEach(c -> byName.put(c.name(), c));
            return new Snapshot(version, berth.state().pods(), byName, berth.state().readyContainers(), berth.state().restartCounts());
        }

        /** This one while the state has not changed since it was read (a look after a probe's result, say), else a new one. */
        Snapshot fresh(Berth berth) {
            return berth.state().version() == version ? this : read(berth);
        }
    }

    private final Berth berth;
    private final Prober prober;
    private final PodSpec pod;
    private final boolean standalone;
    private final boolean lockHeld;
    private final Supplier<Snapshot> snapshot;
    /** The pod's netns file once read (empty: the host's network). */
    private volatile Optional<Path> netns;
    private final Consumer<String> log;
    private final Events events;

    /**
     * @param standalone a container of {@code run --restart}, as a pod of one of its own name
     * @param lockHeld   whether the driver holds the pod's lock (else it is tried for each change)
     * @param events     where events are recorded, or null
     */
    WorkerEngine(Berth berth, Prober prober, PodSpec pod, boolean standalone, boolean lockHeld, Supplier<Snapshot> snapshot,
            Consumer<String> log, Events events) {
        this.berth = berth;
        this.prober = prober;
        this.pod = pod;
        this.standalone = standalone;
        this.lockHeld = lockHeld;
        this.snapshot = snapshot;
        this.log = log;
        this.events = events;
    }

    private ContainerRecord record(PodSpec p, ContainerSpec c) {
        return snapshot.get().containers().get(standalone ? c.name() : new ContainerName(p.name(), c.name()).full());
    }

    @Override
    public PodActions.Seen look(PodSpec pod, ContainerSpec c) {
        ContainerRecord r = record(pod, c);
        if (r == null) {
            return PodActions.Seen.ABSENT;
        }
        ContainerEngine engine = berth.containers();
        Integer code = engine.exitCode(r.id()); // a file read: no runtime call for a running container
        Instant run = r.started() == null ? r.created() : r.started();
        int restarts = snapshot.get().restarts().getOrDefault(r.id(), 0);
        boolean isReady = snapshot.get().ready().contains(r.id());
        if (code != null) {
            return new PodActions.Seen(PodActions.State.EXITED, code, run, engine.exitTime(r.id()), restarts, isReady);
        }
        PodActions.State state = r.status() == ContainerRecord.Status.CREATING || r.status() == ContainerRecord.Status.CREATED
                ? PodActions.State.CREATED : PodActions.State.RUNNING;
        return new PodActions.Seen(state, null, run, null, restarts, isReady);
    }

    /** Keeps the cut files of a running container's log (two stats while nothing was cut). */
    void rotateLog(ContainerSpec c) {
        ContainerRecord r = record(pod, c);
        if (r != null) {
            berth.containers().rotateLog(r.id());
        }
    }

    @Override
    public boolean startMayBeUnfinished(PodSpec pod, ContainerSpec c) {
        return berth.containers().startMayBeUnfinished(record(pod, c).id());
    }

    @Override
    public String finishStart(PodSpec pod, ContainerSpec c) {
        return underLock(pod, () -> berth.containers().finishInterruptedStart(record(pod, c).id()));
    }

    @Override
    public void create(PodSpec pod, ContainerSpec c) {
        throw new IllegalStateException("a supervisor creates no container");
    }

    @Override
    public boolean restart(PodSpec pod, ContainerSpec c) {
        ContainerRecord r = record(pod, c);
        Boolean done = underLock(pod, () -> {
            ContainerEngine engine = berth.containers();
            // a down (or a stop by hand) may have come between the look and the lock (a driver holding it decided itself)
            boolean wanted = lockHeld || (standalone ? engine.restartPolicy(r.id()) != null
                    : berth.state().pod(pod.name()).map(now -> now.status() == PodRecord.Status.RUNNING).orElse(false));
            if (wanted) {
                int code = Objects.requireNonNullElse(engine.exitCode(r.id()), -1);
                engine.restart(engine.find(r.id()));
                log.accept("restarted " + r.name() + " (exit code " + code + ", restart " + engine.restarts(r.id())
                        + ", restartPolicy " + Restarts.policy(pod, c) + ")");
            }
            return wanted;
        });
        return done != null && done;
    }

    @Override
    public String postStart(PodSpec pod, ContainerSpec c) {
        return Hooks.postStart(prober, c, netns(pod), record(pod, c).id());
    }

    @Override
    public ProbeResult probe(PodSpec pod, ContainerSpec c, Check check, dev.berth.api.Probe probe) {
        Path netns = netns(pod);
        String id = record(pod, c).id();
        return check == Check.READINESS ? prober.readiness(Readiness.of(pod, c), netns, id, Prober.namedPorts(c))
                : prober.probe(probe.action(), netns, id, Prober.namedPorts(c), Duration.ofSeconds(probe.timeoutSeconds()));
    }

    @Override
    public boolean kill(PodSpec pod, ContainerSpec c, Duration grace) {
        ContainerRecord r = record(pod, c);
        Boolean done = underLock(pod, () -> {
            Hooks.stop(berth, prober, c, netns(pod), berth.containers().find(r.id()), grace);
            return true;
        });
        return done != null;
    }

    @Override
    public void setReady(PodSpec pod, ContainerSpec c, boolean isReady, String message) {
        ContainerRecord r = record(pod, c);
        berth.state().setReady(r.id(), isReady, message);
        log.accept(r.name() + (isReady ? " is ready" : " is not ready"));
    }

    @Override
    public void event(ContainerSpec c, PodWorker.Event event, String message) {
        ContainerRecord r = record(pod, c);
        if (event == PodWorker.Event.STARTUP_PASSED) {
            return; // its ready event follows
        }
        if (event == PodWorker.Event.NOTE || r == null) {
            log.accept(c.name() + ": " + message);
            return;
        }
        switch (event) {
            case LIVENESS_FAILED, STARTUP_FAILED, DEADLINE_EXCEEDED -> log.accept(r.name() + ": " + message + "; stopping it");
            case HOOK_FAILED -> log.accept(r.name() + ": " + message);
            default -> {
            }
        }
        if (events != null) {
            events.record(r.pod(), r.ownName(), event.word, message);
        }
    }

    /** Records the {@code died} event of an exit no supervisor saw happen, unless a play or an earlier supervisor told it. */
    @Override
    public void exitBeforeTakeover(ContainerSpec c, int code) {
        ContainerRecord r = record(pod, c);
        Instant exited = berth.containers().exitTime(r.id());
        String object = r.pod() == null ? "Container/" + r.ownName() : "Container/" + r.pod() + "/" + r.ownName();
        boolean told = berth.state().events(0, exited.minusSeconds(1), r.pod()).stream()
                .anyMatch(e -> e.object().equals(object) && (e.type().equals("died") || e.type().equals("exited"))); // exited: a play saw it
        if (!told) {
            event(c, PodWorker.Event.DIED, "exit code " + code);
        }
    }

    /** Runs {@code work} holding the pod's lock; null (tried again at a later look) while another command holds it, or on failure. */
    private <T> T underLock(PodSpec pod, Supplier<T> work) {
        Optional<Locks.Held> lock = lockHeld ? Optional.of(() -> {}) : berth.locks().tryPod(pod.name());
        if (lock.isEmpty()) {
            return null;
        }
        try (Locks.Held held = lock.get()) {
            return work.get();
        } catch (BerthException e) {
            log.accept(pod.name() + ": " + e.getMessage());
            return null;
        }
    }

    /** The pod's network namespace file, or null for the host's network: fixed for the pod's life, read once. */
    private Path netns(PodSpec pod) {
        if (netns == null) {
            netns = berth.state().pod(pod.name()).map(PodRecord::netns).map(Path::of);
        }
        return netns.orElse(null);
    }
}
