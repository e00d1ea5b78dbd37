package dev.berth.reconcile;

import dev.berth.api.Canonical;
import dev.berth.api.ContainerName;
import dev.berth.api.ContainerSpec;
import dev.berth.api.Json;
import dev.berth.api.PodSpec;
import dev.berth.api.Readiness;
import dev.berth.engine.Berth;
import dev.berth.engine.ContainerEngine;
import dev.berth.engine.ContainerState;
import dev.berth.state.PodRecord;
import dev.berth.state.StateStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A pod as {@code pod ps} and {@code pod inspect} show it: its phase, conditions and containers, read
 * from the state (the containers' exit files and the readiness play and the supervisor last
 * recorded), never probing: a listing does not act on the applications it lists.
 *
 * @param reason what overrides the phase in a listing, as kubectl's STATUS does, or null: {@code Terminating}
 *               while (or after an interrupted) removal, {@code SandboxExited} when its namespaces are gone
 *               (its infra container, for a pod that has one, or its namespace files)
 * @param infraId the pod's infra container, or null (its namespaces are kept in files)
 */
public record PodStatus(String name, Phase phase, String reason, int ready, int total, Instant created, Map<String, Boolean> conditions,
        List<ContainerStatus> containers, dev.berth.api.Owner owner, String infraId) {

    /** How many times its containers were restarted. */
    public int restarts() {
        return containers.stream().mapToInt(ContainerStatus::restarts).sum();
    }

    /** What a listing shows: the reason when there is one, else the phase. */
    public String status() {
        return reason != null ? reason : phase.word();
    }

    /** Kubernetes' pod phases. */
    public enum Phase {
        PENDING, RUNNING, SUCCEEDED, FAILED;

        /** As Kubernetes writes it: {@code Pending}, {@code Running}, … */
        public String word() {
            return name().charAt(0) + name().substring(1).toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A Job as {@code berth job ls} shows it, from its pods. */
    public record JobStatus(String name, int completions, int succeeded, int failed, int active, String status) {}

    public static List<JobStatus> jobs(List<PodStatus> pods) {
        Map<String, List<PodStatus>> byJob = new java.util.TreeMap<>();
        for (PodStatus p : pods) {
            if (p.owner() != null && p.owner().isJob()) {
                byJob.computeIfAbsent(p.owner().name(), k -> new ArrayList<>()).add(p);
            }
        }
        List<JobStatus> jobs = new ArrayList<>();
        byJob.forEach((name, list) -> {
            int succeeded = (int) list.stream().filter(p -> p.phase() == Phase.SUCCEEDED).count();
            int failedPods = (int) list.stream().filter(p -> p.phase() == Phase.FAILED).count();
            // failed runs, as play counts them against the backoffLimit: Kubernetes makes a new pod per retry, berth
            // starts the container again, so each restart of a Job's pod followed a failed run
            int failedRuns = list.stream().mapToInt(p -> p.restarts() + (p.phase() == Phase.FAILED ? 1 : 0)).sum();
            int active = (int) list.stream().filter(p -> p.phase() == Phase.RUNNING || p.phase() == Phase.PENDING).count();
            String status = succeeded == list.size() ? "Complete" : failedPods > 0 && active == 0 ? "Failed" : "Running";
            jobs.add(new JobStatus(name, list.size(), succeeded, failedRuns, active, status));
        });
        return jobs;
    }

    /**
     * @param state     its state, or null when the container is gone
     * @param backOff   exited, and the supervisor will start it again (Kubernetes' CrashLoopBackOff)
     * @param ready     whether it is running and was last found ready
     * @param lastProbe what the check that last found it ready or not said
     */
    public record ContainerStatus(String name, boolean init, ContainerState state, boolean backOff, Integer exitCode, boolean ready,
            String lastProbe, int restarts, Termination lastState) {

        /** As {@code pod inspect} shows it: {@code running}, {@code exited}, …, {@code CrashLoopBackOff}, or {@code missing}. */
        public String shown() {
            return state == null ? "missing" : backOff ? "CrashLoopBackOff" : state.word();
        }

        boolean running() {
            return state == ContainerState.RUNNING;
        }
    }

    /** The run before the current one, as Kubernetes' {@code lastState.terminated}: known once a container was restarted or waits to be. */
    public record Termination(int exitCode, String reason, Instant finishedAt) {}

    /** The status of every pod berth has. */
    public static List<PodStatus> all(Berth berth) {
        List<PodStatus> all = new ArrayList<>();
        Map<String, StateStore.ReadinessRecord> readiness = berth.state().readiness();
        for (PodRecord p : berth.pods().list()) {
            if (!berth.pods().ownedByContainer(p.name())) { // a run -p container's own: listed as a container
                all.add(of(berth, p, readiness));
            }
        }
        return all;
    }

    private static PodStatus of(Berth berth, PodRecord record, Map<String, StateStore.ReadinessRecord> readiness) {
        PodSpec pod = Canonical.read(Json.parse(record.spec()), PodSpec.class);
        List<ContainerStatus> containers = new ArrayList<>();
        for (ContainerSpec c : pod.allContainers()) {
            boolean init = pod.initContainers().contains(c);
            ContainerEngine.Container live;
            try {
                live = berth.containers().look(new ContainerName(record.name(), c.name()).full());
            } catch (dev.berth.api.BerthException e) {
                containers.add(new ContainerStatus(c.name(), init, null, false, null, false, "", 0, null));
                continue;
            }
            boolean ready = false;
            String lastProbe = "";
            if (live.running()) {
                StateStore.ReadinessRecord r = readiness.get(live.id());
                // never recorded: ready when running is all its readiness asks, else not yet known
                ready = r != null ? r.ready() : Readiness.of(pod, c) instanceof Readiness.Running;
                lastProbe = r != null ? r.message() : ready ? "running" : "not probed yet (" + Readiness.of(pod, c).describe() + ")";
            }
            // an exited container the supervisor will start again is waiting in back-off, as the kubelet says
            boolean backOff = live.status() == ContainerState.EXITED && Supervisor.nextStart(berth, pod, c, live) != null;
            int restarts = berth.containers().restarts(live.id());
            var r = live.record();
            Termination last = r.finished() != null && r.exitCode() != null && (restarts > 0 && live.running() || backOff)
                    ? new Termination(r.exitCode(), r.exitCode() == 0 ? "Completed" : "Error", r.finished()) : null;
            containers.add(new ContainerStatus(c.name(), init, live.status(), backOff, live.exitCode(), ready, lastProbe, restarts, last));
        }
        List<ContainerStatus> apps = containers.stream().filter(c -> !c.init()).toList();
        List<ContainerStatus> inits = containers.stream().filter(ContainerStatus::init).toList();
        int ready = (int) apps.stream().filter(ContainerStatus::ready).count();
        boolean initialized = inits.stream().allMatch(c -> c.running() || Integer.valueOf(0).equals(c.exitCode()));
        boolean containersReady = ready == apps.size();
        Phase phase;
        if (record.status() == PodRecord.Status.CREATING) {
            phase = Phase.PENDING;
        } else if (apps.stream().anyMatch(c -> c.running() || c.backOff())) {
            phase = Phase.RUNNING;
        } else if (!apps.isEmpty() && apps.stream().allMatch(c -> Integer.valueOf(0).equals(c.exitCode()))) {
            phase = Phase.SUCCEEDED;
        } else if (apps.stream().anyMatch(c -> c.exitCode() != null && c.exitCode() != 0)) {
            phase = Phase.FAILED;
        } else {
            phase = Phase.PENDING;
        }
        boolean sandboxUp = berth.pods().sandboxUp(record);
        String reason = record.status() == PodRecord.Status.REMOVING ? "Terminating"
                : record.status() == PodRecord.Status.STOPPED ? "Stopped"
                : record.status() == PodRecord.Status.RUNNING && !sandboxUp ? "SandboxExited"
                : containers.stream().anyMatch(ContainerStatus::backOff) ? "CrashLoopBackOff" : null;
        Map<String, Boolean> conditions = new java.util.LinkedHashMap<>();
        conditions.put("PodReadyToStartContainers", sandboxUp);
        conditions.put("Initialized", initialized);
        conditions.put("ContainersReady", containersReady);
        conditions.put("Ready", containersReady && initialized);
        return new PodStatus(record.name(), phase, reason, ready, apps.size(), record.created(), conditions, containers, pod.owner(), record.infraId());
    }

}
