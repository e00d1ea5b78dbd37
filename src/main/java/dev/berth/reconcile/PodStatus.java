package dev.berth.reconcile;

import dev.berth.api.Canonical;
import dev.berth.api.ContainerName;
import dev.berth.api.ContainerSpec;
import dev.berth.api.Json;
import dev.berth.api.PodSpec;
import dev.berth.api.Readiness;
import dev.berth.engine.Berth;
import dev.berth.engine.ContainerEngine;
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
public record PodStatus(String name, String phase, String reason, int ready, int total, Instant created, Map<String, Boolean> conditions,
        List<ContainerStatus> containers, dev.berth.api.Owner owner, String infraId) {

    /** How many times its containers were restarted. */
    public int restarts() {
        return containers.stream().mapToInt(ContainerStatus::restarts).sum();
    }

    /** What a listing shows: the reason when there is one, else the phase. */
    public String status() {
        return reason != null ? reason : phase;
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
            int succeeded = (int) list.stream().filter(p -> p.phase().equals("Succeeded")).count();
            int failedPods = (int) list.stream().filter(p -> p.phase().equals("Failed")).count();
            // failed runs, as play counts them against the backoffLimit: Kubernetes makes a new pod per retry, berth
            // starts the container again, so each restart of a Job's pod followed a failed run
            int failedRuns = list.stream().mapToInt(p -> p.restarts() + (p.phase().equals("Failed") ? 1 : 0)).sum();
            int active = (int) list.stream().filter(p -> p.phase().equals("Running") || p.phase().equals("Pending")).count();
            String status = succeeded == list.size() ? "Complete" : failedPods > 0 && active == 0 ? "Failed" : "Running";
            jobs.add(new JobStatus(name, list.size(), succeeded, failedRuns, active, status));
        });
        return jobs;
    }

    /**
     * @param state     created, running, exited, unknown, or missing when the container is gone
     * @param ready     whether it is running and was last found ready
     * @param lastProbe what the check that last found it ready or not said
     */
    public record ContainerStatus(String name, boolean init, String state, Integer exitCode, boolean ready, String lastProbe, int restarts,
            Termination lastState) {}

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
                containers.add(new ContainerStatus(c.name(), init, "missing", null, false, "", 0, null));
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
            String state = live.status().equals("exited") && Supervisor.nextStart(berth, pod, c, live) != null ? "CrashLoopBackOff" : live.status();
            int restarts = berth.containers().restarts(live.id());
            var r = live.record();
            Termination last = r.finished() != null && r.exitCode() != null && (restarts > 0 && live.running() || state.equals("CrashLoopBackOff"))
                    ? new Termination(r.exitCode(), r.exitCode() == 0 ? "Completed" : "Error", r.finished()) : null;
            containers.add(new ContainerStatus(c.name(), init, state, live.exitCode(), ready, lastProbe, restarts, last));
        }
        List<ContainerStatus> apps = containers.stream().filter(c -> !c.init()).toList();
        List<ContainerStatus> inits = containers.stream().filter(ContainerStatus::init).toList();
        int ready = (int) apps.stream().filter(ContainerStatus::ready).count();
        boolean initialized = inits.stream().allMatch(c -> "running".equals(c.state()) || Integer.valueOf(0).equals(c.exitCode()));
        boolean containersReady = ready == apps.size();
        String phase;
        if (record.status() == PodRecord.Status.CREATING) {
            phase = "Pending";
        } else if (apps.stream().anyMatch(c -> c.state().equals("running") || c.state().equals("CrashLoopBackOff"))) {
            phase = "Running";
        } else if (!apps.isEmpty() && apps.stream().allMatch(c -> Integer.valueOf(0).equals(c.exitCode()))) {
            phase = "Succeeded";
        } else if (apps.stream().anyMatch(c -> c.exitCode() != null && c.exitCode() != 0)) {
            phase = "Failed";
        } else {
            phase = "Pending";
        }
        boolean sandboxUp = berth.pods().sandboxUp(record);
        String reason = record.status() == PodRecord.Status.REMOVING ? "Terminating"
                : record.status() == PodRecord.Status.STOPPED ? "Stopped"
                : record.status() == PodRecord.Status.RUNNING && !sandboxUp ? "SandboxExited"
                : containers.stream().anyMatch(c -> c.state().equals("CrashLoopBackOff")) ? "CrashLoopBackOff" : null;
        Map<String, Boolean> conditions = new java.util.LinkedHashMap<>();
        conditions.put("PodReadyToStartContainers", sandboxUp);
        conditions.put("Initialized", initialized);
        conditions.put("ContainersReady", containersReady);
        conditions.put("Ready", containersReady && initialized);
        return new PodStatus(record.name(), phase, reason, ready, apps.size(), record.created(), conditions, containers, pod.owner(), record.infraId());
    }

}
