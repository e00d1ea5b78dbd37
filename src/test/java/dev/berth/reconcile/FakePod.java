package dev.berth.reconcile;

import dev.berth.api.ContainerSpec;
import dev.berth.api.PodSpec;
import dev.berth.probe.ProbeResult;
import dev.berth.reconcile.ContainerLifecycle.Check;
import dev.berth.reconcile.PodActions.Seen;
import dev.berth.reconcile.PodActions.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * A pod's containers without runc: a {@link PodWorker.Engine} whose containers are boxes the test
 * moves (a container exits when the test says), a made-up clock, and a log of what the worker did
 * and told, so that tests of the worker need no root and no waiting.
 */
final class FakePod implements PodWorker.Engine, PodWorker.Listener {
    static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    static final Duration TICK = Duration.ofMillis(100);

    /** One container as the fake runtime has it. */
    static final class Box {
        State state = State.ABSENT;
        Integer exitCode;
        Instant run;
        Instant finished;
        int restarts;
        boolean ready;
        /** A start cut short: runc has it created, no process was started. */
        boolean unfinished;
        /** How long each run lives before it exits by itself with {@link #exitWith} (null: until killed). */
        Duration lives;
        int exitWith;
        /** How many runs ended by a kill. */
        int kills;
    }

    final PodSpec pod;
    final Map<String, Box> boxes = new HashMap<>();
    /** What the worker did and told, in order: "restart app", "event app died exit code 1", … */
    final List<String> log = new ArrayList<>();
    /** Each probe's answer: (container, check) → success. */
    BiPredicate<String, Check> probes = (c, check) -> true;
    /** Whether the pod's lock is free for a restart or a kill. */
    boolean lockFree = true;
    /** Containers whose creation fails (a bad spec, a missing image). */
    final Set<String> createFails = new HashSet<>();
    /** Containers whose postStart hook fails. */
    final Set<String> hookFails = new HashSet<>();
    Instant now = T0;

    FakePod(PodSpec pod) {
        this.pod = pod;
        pod.allContainers().forEach(c -> boxes.put(c.name(), new Box()));
    }

    /** A worker over this pod's containers (all of them, init ones first) in {@code mode}. */
    PodWorker worker(PodWorker.Mode mode, Function<String, PodActions.Gate> gates) {
        return worker(mode, gates, pod.allContainers(), Map.of());
    }

    PodWorker worker(PodWorker.Mode mode, Function<String, PodActions.Gate> gates, List<ContainerSpec> containers, Map<String, Integer> maxRestarts) {
        return new PodWorker(pod, containers, mode, new Restarts(), new ContainerLifecycle.Jobs(), maxRestarts, gates, this, this, Runnable::run, () -> {}, () -> now);
    }

    Box box(String name) {
        return boxes.get(name);
    }

    /** Makes a container run now, as if an earlier process had started it. */
    FakePod running(String name, int restarts, boolean ready) {
        Box b = box(name);
        b.state = State.RUNNING;
        b.run = now;
        b.restarts = restarts;
        b.ready = ready;
        return this;
    }

    /** The container's process ends now with {@code code}. */
    void exit(String name, int code) {
        Box b = box(name);
        b.state = State.EXITED;
        b.exitCode = code;
        b.finished = now;
    }

    /**
     * Steps the worker every {@link #TICK} for {@code duration}, exits due by {@link Box#lives}
     * happening between steps.
     */
    void run(PodWorker worker, Duration duration) {
        Instant end = now.plus(duration);
        while (!now.isAfter(end)) {
            for (Box b : boxes.values()) {
                if (b.state == State.RUNNING && b.lives != null && !now.isBefore(b.run.plus(b.lives))) {
                    b.state = State.EXITED;
                    b.exitCode = b.exitWith;
                    b.finished = now;
                }
            }
            worker.step(now);
            now = now.plus(TICK);
        }
    }

    /** The entries of the log that start with {@code prefix}. */
    List<String> logged(String prefix) {
        return log.stream().filter(l -> l.startsWith(prefix)).toList();
    }

    long count(String entry) {
        return log.stream().filter(entry::equals).count();
    }

    // the engine

    @Override
    public Seen look(PodSpec p, ContainerSpec c) {
        Box b = box(c.name());
        return new Seen(b.state, b.exitCode, b.run, b.finished, b.restarts, b.ready);
    }

    @Override
    public boolean startMayBeUnfinished(PodSpec p, ContainerSpec c) {
        return box(c.name()).unfinished;
    }

    @Override
    public String finishStart(PodSpec p, ContainerSpec c) {
        Box b = box(c.name());
        log.add("finish " + c.name());
        if (!b.unfinished) {
            return null;
        }
        b.unfinished = false;
        b.run = now;
        return "started it (left created)";
    }

    @Override
    public void create(PodSpec p, ContainerSpec c) {
        if (createFails.contains(c.name())) {
            log.add("create failed " + c.name());
            throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT, "runAsNonRoot is set, but it would run as root");
        }
        Box b = box(c.name());
        log.add("create " + c.name());
        b.state = State.RUNNING;
        b.run = now;
    }

    @Override
    public boolean restart(PodSpec p, ContainerSpec c) {
        if (!lockFree) {
            log.add("restart refused " + c.name());
            return false;
        }
        Box b = box(c.name());
        log.add("restart " + c.name());
        b.restarts++;
        b.state = State.RUNNING;
        b.exitCode = null;
        b.finished = null;
        b.run = now;
        return true;
    }

    @Override
    public String postStart(PodSpec p, ContainerSpec c) {
        return hookFails.contains(c.name()) ? "postStart hook failed: exit code 1" : null;
    }

    @Override
    public ProbeResult probe(PodSpec p, ContainerSpec c, Check check, dev.berth.api.Probe probe) {
        boolean ok = probes.test(c.name(), check);
        log.add("probe " + c.name() + " " + check + " " + (ok ? "ok" : "failed"));
        return ok ? ProbeResult.ok("fine") : ProbeResult.failed("refused");
    }

    @Override
    public boolean kill(PodSpec p, ContainerSpec c, Duration grace) {
        if (!lockFree) {
            log.add("kill refused " + c.name());
            return false;
        }
        Box b = box(c.name());
        log.add("kill " + c.name() + " grace " + grace.toSeconds());
        if (b.state == State.RUNNING) {
            b.state = State.EXITED;
            b.exitCode = 137;
            b.finished = now;
            b.kills++;
        }
        return true;
    }

    @Override
    public void setReady(PodSpec p, ContainerSpec c, boolean ready, String message) {
        box(c.name()).ready = ready;
        log.add((ready ? "ready " : "unready ") + c.name());
    }

    // the listener

    @Override
    public void event(ContainerSpec c, PodWorker.Event event, String message) {
        log.add("event " + c.name() + " " + event.word + (message.isEmpty() ? "" : " " + message));
    }
}
