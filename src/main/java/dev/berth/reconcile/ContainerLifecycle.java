package dev.berth.reconcile;

import dev.berth.api.ContainerSpec;
import dev.berth.api.PodSpec;
import dev.berth.api.Probe;
import dev.berth.api.Readiness;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One container's life as a kubelet keeps it, the same for {@code kube play}, the supervisor
 * and reconcile: started, probed (startup first, then liveness and readiness), killed when
 * liveness fails, restarted after the crash-loop back-off as its policy says, a Job's failed
 * runs counted against its backoffLimit.
 *
 * <p>Pure: the caller reports what happened (a start, a probe's result, an exit) with the time,
 * and the lifecycle answers what follows (probe this now, kill it, start it again at T, it is
 * done). The caller does the I/O on its own threads, so tests drive it with a made-up clock.
 */
final class ContainerLifecycle {
    /** The probes a running container has, in the order the kubelet gates them. */
    enum Check { STARTUP, LIVENESS, READINESS }

    /** What a probe's result means for the container. */
    enum Verdict { NONE, STARTED, READY, UNREADY, KILL }

    enum Outcome { RESTART, COMPLETED, FAILED }

    /** What follows an exit: started again at {@code restartAt}, or done for good. */
    record Exit(Outcome outcome, Instant restartAt, String why) {}

    /** A finished run, as Kubernetes' {@code lastState.terminated}. */
    record Termination(int exitCode, String reason, String message, Instant startedAt, Instant finishedAt) {}

    /** What the containers of a Job's pods share: its failed runs, and when it first started. */
    static final class Jobs {
        private final Map<String, Integer> counts = new ConcurrentHashMap<>();
        private final Map<String, Instant> starts = new ConcurrentHashMap<>();

        int add(String job) {
            return counts.merge(job, 1, Integer::sum);
        }

        void started(String job, Instant now) {
            starts.putIfAbsent(job, now);
        }

        /**
         * Why a Job is past its {@code activeDeadlineSeconds}, counted from the first start of any
         * of its pods, or null (also for what is not a Job).
         */
        String pastDeadline(dev.berth.api.Owner job, Instant now) {
            int deadline = job != null && job.isJob() ? job.activeDeadlineSeconds() : 0;
            Instant start = deadline > 0 ? starts.get(job.name()) : null;
            return start != null && !now.isBefore(start.plusSeconds(deadline))
                    ? "Job " + job.name() + " ran past its activeDeadlineSeconds (" + deadline + " s): DeadlineExceeded" : null;
        }
    }

    private final PodSpec pod;
    private final ContainerSpec spec;
    private final Restarts restarts;
    private final Jobs jobs;
    /** Play's mode: readiness probed eagerly until the first success. */
    private final boolean eager;
    private int restartCount;
    private Instant runningSince;
    private Instant restartAt;
    private boolean started;
    private boolean ready;
    private ProbeSchedule startup;
    private ProbeSchedule liveness;
    private ProbeSchedule readiness;
    private String killedBecause;
    private Termination last;
    private Exit lastExit;

    ContainerLifecycle(PodSpec pod, ContainerSpec spec, Restarts restarts, Jobs jobs, boolean eager) {
        this.pod = pod;
        this.spec = spec;
        this.restarts = restarts;
        this.jobs = jobs;
        this.eager = eager;
    }

    /**
     * A run began at {@code now}; {@code restartsSoFar} is how many runs came before it (known on
     * disk when a supervisor takes over a running container).
     */
    void started(Instant now, int restartsSoFar) {
        if (isJob()) {
            jobs.started(pod.owner().name(), now);
        }
        restartCount = restartsSoFar;
        runningSince = now;
        restartAt = null;
        killedBecause = null;
        started = spec.startupProbe() == null;
        startup = started ? null : new ProbeSchedule(spec.startupProbe(), now, eager);
        liveness = spec.livenessProbe() == null ? null : new ProbeSchedule(spec.livenessProbe(), now, false);
        readiness = null;
        ready = false;
        if (started) {
            becameStarted(now);
        }
    }

    /** A run began at {@code now}, one more than the last. */
    void started(Instant now) {
        started(now, last == null ? restartCount : restartCount + 1);
    }

    private void becameStarted(Instant now) {
        started = true;
        if (runsToCompletion()) {
            return;
        }
        Probe probe = readinessProbe();
        if (probe == null) {
            ready = true; // ready once started: no readiness check of its own
        } else {
            // the implicit check is probed eagerly in every mode: it is done once it holds, and until then the pod serves nothing
            readiness = new ProbeSchedule(probe, now, eager || spec.readinessProbe() == null);
        }
    }

    /**
     * A supervisor taking over a run it did not see start, recorded ready: ready (and so started)
     * it stays until a probe says otherwise, so that taking over does not take a pod out of its
     * Services.
     */
    void assumeReady(Instant now) {
        if (!started) {
            startup = null;
            becameStarted(now);
        }
        ready = true;
    }

    /**
     * The probe readiness is judged by, or null when being started is enough. berth's implicit
     * readiness (every declared TCP port accepts) is checked by play and the supervisor alike: a
     * supervisor that took a started container for ready put it in its Services before it
     * listened, and clients got "connection refused" (issue 29).
     */
    private Probe readinessProbe() {
        if (spec.readinessProbe() != null) {
            return spec.readinessProbe();
        }
        if (Readiness.of(pod, spec) instanceof Readiness.PortsOpen) {
            return Probe.withDefaults(null);
        }
        return null;
    }

    /** An init container (not a sidecar) is done when it exits: it is never ready, only completed. */
    boolean runsToCompletion() {
        return pod.initContainers().contains(spec) && !spec.isSidecar();
    }

    /** The check to run now, or null when none is due. */
    Check due(Instant now) {
        if (runningSince == null || killedBecause != null) {
            return null;
        }
        if (!started) {
            return startup.due(now) ? Check.STARTUP : null;
        }
        if (liveness != null && liveness.due(now)) {
            return Check.LIVENESS;
        }
        return readiness != null && readiness.due(now) ? Check.READINESS : null;
    }

    /** When the next check falls due (for a caller that sleeps until then), or null when none will. */
    Instant nextCheck() {
        if (runningSince == null || killedBecause != null) {
            return null;
        }
        if (!started) {
            return startup.next();
        }
        Instant next = liveness == null ? null : liveness.next();
        if (readiness != null && (next == null || readiness.next().isBefore(next))) {
            next = readiness.next();
        }
        return next;
    }

    Probe probe(Check check) {
        return switch (check) {
            case STARTUP -> startup.probe();
            case LIVENESS -> liveness.probe();
            case READINESS -> readiness.probe();
        };
    }

    /** Records a probe's result; the verdict says what the caller must do or report. */
    Verdict probed(Check check, boolean success, Instant now) {
        if (runningSince == null || killedBecause != null) {
            return Verdict.NONE;
        }
        switch (check) {
            case STARTUP -> {
                startup.record(now, success);
                if (startup.passed()) {
                    becameStarted(now);
                    return Verdict.STARTED;
                }
                return startup.failing() ? kill("startupProbe failed " + startup.failures() + " times") : Verdict.NONE;
            }
            case LIVENESS -> {
                liveness.record(now, success);
                return liveness.failing() ? kill("livenessProbe failed " + liveness.failures() + " times") : Verdict.NONE;
            }
            default -> {
                readiness.record(now, success);
                if (!ready && readiness.succeeding()) {
                    ready = true;
                    if (spec.readinessProbe() == null) {
                        readiness = null; // an implicit check is done once it held
                    }
                    return Verdict.READY;
                }
                if (ready && readiness.failing()) {
                    ready = false;
                    return Verdict.UNREADY;
                }
                return Verdict.NONE;
            }
        }
    }

    private Verdict kill(String why) {
        killed(why);
        return Verdict.KILL;
    }

    /** The running container is being killed for {@code why} (a probe, a failed postStart hook): no more probes in this run. */
    void killed(String why) {
        killedBecause = why;
        ready = false;
    }

    private boolean isJob() {
        return pod.ofJob();
    }

    /** For a Job's container: why its Job is past its deadline (its running containers are then killed, none starts again), or null. */
    String pastDeadline(Instant now) {
        return jobs.pastDeadline(pod.owner(), now);
    }

    /** The container exited with {@code code} at {@code now}: started again (when), or done. */
    Exit exited(int code, Instant now) {
        lastExit = decide(code, now);
        return lastExit;
    }

    private Exit decide(int code, Instant now) {
        Duration ran = runningSince == null ? Duration.ZERO : Duration.between(runningSince, now);
        String message = killedBecause != null ? killedBecause : null;
        last = new Termination(code, code == 0 ? "Completed" : "Error", message, runningSince, now);
        runningSince = null;
        started = false;
        ready = false;
        String deadline = pastDeadline(now);
        if (deadline != null && !(code == 0 && killedBecause == null)) {
            return new Exit(Outcome.FAILED, null, deadline);
        }
        Restarts.Decision decision = restarts.onExit(pod, spec, code, restartCount, ran);
        String why = "restartPolicy " + decision.policy();
        Duration delay = decision.delay();
        if (code != 0 && isJob() && !pod.initContainers().contains(spec)) {
            // a Job retries a failed run (a new pod in Kubernetes, the container again here) up to its backoffLimit
            int failures = jobs.add(pod.owner().name());
            if (failures > pod.owner().backoffLimit()) {
                return new Exit(Outcome.FAILED, null, "Job " + pod.owner().name() + " reached its backoffLimit ("
                        + pod.owner().backoffLimit() + "): " + failures + " failed runs");
            }
            delay = restarts.delay(restartCount, ran);
            why = "Job retry " + failures + " of backoffLimit " + pod.owner().backoffLimit() + ", " + why;
        }
        if (delay != null) {
            restartAt = now.plus(delay);
            return new Exit(Outcome.RESTART, restartAt, why);
        }
        return new Exit(code == 0 ? Outcome.COMPLETED : Outcome.FAILED, null, why);
    }

    int restarts() {
        return restartCount;
    }

    boolean isStarted() {
        return started;
    }

    boolean isReady() {
        return ready;
    }

    /** While in crash-loop back-off: when it starts again; else null. */
    Instant restartAt() {
        return restartAt;
    }

    /** Why the caller was told to kill the running container, or null. */
    String killedBecause() {
        return killedBecause;
    }

    /** What the last exit led to, or null before one. */
    Exit lastExit() {
        return lastExit;
    }

    Termination lastState() {
        return last;
    }

    Instant runningSince() {
        return runningSince;
    }
}
