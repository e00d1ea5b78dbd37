package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.PodSpec;
import dev.berth.reconcile.ContainerLifecycle.Check;
import dev.berth.reconcile.ContainerLifecycle.Outcome;
import dev.berth.reconcile.ContainerLifecycle.Verdict;
import dev.berth.testing.Yaml;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubelet's rules for one container, driven by a made-up clock: no container, no root. */
class ContainerLifecycleTest {
    @TempDir
    Path dir;

    final Instant t0 = Instant.parse("2026-11-29T10:00:00Z");

    PodSpec pod(String yaml) {
        return new Yaml(dir).read(yaml).pods().get(0);
    }

    ContainerLifecycle lifecycle(PodSpec pod, String container, boolean eager) {
        return new ContainerLifecycle(pod, pod.container(container).orElseThrow(), new Restarts(), new ContainerLifecycle.Jobs(), eager);
    }

    static Instant at(Instant t0, double seconds) {
        return t0.plusMillis((long) (seconds * 1000));
    }

    @Test
    void aCrashingContainerIsRestartedAtOnceThenWithDoublingDelaysAndItsCountGrows() {
        PodSpec pod = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers: [{name: app, image: busybox}]
                """);
        ContainerLifecycle c = lifecycle(pod, "app", false);
        Instant now = t0;
        List<Long> delays = new ArrayList<>();
        c.started(now);
        for (int i = 0; i < 8; i++) {
            now = now.plusMillis(100); // a crash at once: the delays are the whole windows
            ContainerLifecycle.Exit exit = c.exited(1, now);
            assertThat(exit.outcome()).isEqualTo(Outcome.RESTART);
            assertThat(c.restartAt()).as("in CrashLoopBackOff until then").isEqualTo(exit.restartAt());
            delays.add(Duration.between(now, exit.restartAt()).plusMillis(100).toSeconds());
            now = exit.restartAt();
            c.started(now);
            assertThat(c.restarts()).isEqualTo(i + 1);
            assertThat(c.restartAt()).isNull();
        }
        assertThat(delays).containsExactly(0L, 1L, 2L, 4L, 8L, 16L, 32L, 60L);
        assertThat(c.lastState().exitCode()).isEqualTo(1);
        assertThat(c.lastState().reason()).isEqualTo("Error");
        // ten minutes of running: started again at once
        ContainerLifecycle.Exit afterLongRun = c.exited(2, now.plus(Duration.ofMinutes(10)));
        assertThat(afterLongRun.restartAt()).isEqualTo(now.plus(Duration.ofMinutes(10)));
    }

    /**
     * The supervisor (not eager) judges a container with TCP ports and no readinessProbe as play
     * does: ready once its ports accept, checked eagerly, not as soon as it runs. It took a
     * restarted or newly played web server for ready before it listened, and a roll's clients got
     * "connection refused" from it (issue 29).
     */
    @Test
    void implicitReadinessIsCheckedByTheSupervisorToo() {
        PodSpec pod = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers: [{name: web, image: busybox, ports: [{containerPort: 8080}]}]
                """);
        ContainerLifecycle c = lifecycle(pod, "web", false);
        c.started(t0);
        assertThat(c.isReady()).as("running, not yet listening").isFalse();
        assertThat(c.due(t0)).isEqualTo(Check.READINESS);
        assertThat(c.probed(Check.READINESS, false, t0)).isEqualTo(Verdict.NONE);
        assertThat(c.nextCheck()).as("checked again within 0.1 s, as play checks").isBefore(at(t0, 0.2));
        assertThat(c.probed(Check.READINESS, true, at(t0, 0.1))).isEqualTo(Verdict.READY);
        assertThat(c.isReady()).isTrue();
        assertThat(c.due(at(t0, 60))).as("the implicit check is done once it held").isNull();
    }

    @Test
    void neverAndOnFailureLeaveWhatTheySay() {
        String yaml = """
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  restartPolicy: %s
                  initContainers: [{name: sidecar, image: busybox, restartPolicy: Always}]
                  containers: [{name: app, image: busybox}]
                """;
        PodSpec never = pod(yaml.formatted("Never"));
        ContainerLifecycle app = lifecycle(never, "app", false);
        app.started(t0);
        assertThat(app.exited(3, t0.plusSeconds(1)).outcome()).isEqualTo(Outcome.FAILED);
        ContainerLifecycle sidecar = lifecycle(never, "sidecar", false);
        sidecar.started(t0);
        assertThat(sidecar.exited(0, t0.plusSeconds(1)).outcome()).as("a native sidecar always restarts").isEqualTo(Outcome.RESTART);

        PodSpec onFailure = pod(yaml.formatted("OnFailure"));
        ContainerLifecycle done = lifecycle(onFailure, "app", false);
        done.started(t0);
        assertThat(done.exited(0, t0.plusSeconds(1)).outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(done.lastState().reason()).isEqualTo("Completed");
    }

    @Test
    void aFailingLivenessProbeKillsAfterItsThresholdAndNothingIsProbedUntilTheNextRun() {
        PodSpec pod = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: app
                      image: busybox
                      livenessProbe: {exec: {command: [check]}, initialDelaySeconds: 5, periodSeconds: 2, failureThreshold: 3}
                """);
        ContainerLifecycle c = lifecycle(pod, "app", false);
        c.started(t0);
        assertThat(c.isReady()).as("no readinessProbe: ready once started").isTrue();
        assertThat(c.due(t0.plusSeconds(4))).isNull();
        assertThat(c.due(t0.plusSeconds(5))).isEqualTo(Check.LIVENESS);
        assertThat(c.probed(Check.LIVENESS, false, t0.plusSeconds(5))).isEqualTo(Verdict.NONE);
        assertThat(c.due(t0.plusSeconds(6))).as("next one a period later").isNull();
        assertThat(c.probed(Check.LIVENESS, false, t0.plusSeconds(7))).isEqualTo(Verdict.NONE);
        assertThat(c.probed(Check.LIVENESS, true, t0.plusSeconds(9))).as("a success starts the count again").isEqualTo(Verdict.NONE);
        assertThat(c.probed(Check.LIVENESS, false, t0.plusSeconds(11))).isEqualTo(Verdict.NONE);
        assertThat(c.probed(Check.LIVENESS, false, t0.plusSeconds(13))).isEqualTo(Verdict.NONE);
        assertThat(c.probed(Check.LIVENESS, false, t0.plusSeconds(15))).isEqualTo(Verdict.KILL);
        assertThat(c.killedBecause()).isEqualTo("livenessProbe failed 3 times");
        assertThat(c.due(t0.plusSeconds(30))).as("a container being killed is not probed").isNull();
        ContainerLifecycle.Exit exit = c.exited(137, t0.plusSeconds(16));
        assertThat(exit.outcome()).isEqualTo(Outcome.RESTART);
        assertThat(c.lastState().message()).isEqualTo("livenessProbe failed 3 times");
        c.started(exit.restartAt());
        assertThat(c.killedBecause()).isNull();
        assertThat(c.due(exit.restartAt())).as("the initial delay again").isNull();
        assertThat(c.due(exit.restartAt().plusSeconds(5))).isEqualTo(Check.LIVENESS);
    }

    @Test
    void aStartupProbeHoldsLivenessAndReadinessBackUntilItPasses() {
        PodSpec pod = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: app
                      image: busybox
                      startupProbe: {exec: {command: [up]}, periodSeconds: 1, failureThreshold: 30}
                      livenessProbe: {exec: {command: [alive]}, periodSeconds: 1}
                      readinessProbe: {exec: {command: [ready]}, periodSeconds: 1}
                """);
        ContainerLifecycle c = lifecycle(pod, "app", false);
        c.started(t0);
        for (int i = 0; i < 5; i++) {
            assertThat(c.due(t0.plusSeconds(i))).isEqualTo(Check.STARTUP);
            assertThat(c.probed(Check.STARTUP, false, t0.plusSeconds(i))).isEqualTo(Verdict.NONE);
            assertThat(c.isStarted()).isFalse();
            assertThat(c.isReady()).isFalse();
        }
        assertThat(c.probed(Check.STARTUP, true, t0.plusSeconds(5))).isEqualTo(Verdict.STARTED);
        assertThat(c.due(t0.plusSeconds(5))).as("liveness goes first once started").isEqualTo(Check.LIVENESS);
        c.probed(Check.LIVENESS, true, t0.plusSeconds(5));
        assertThat(c.due(t0.plusSeconds(5))).isEqualTo(Check.READINESS);
        assertThat(c.probed(Check.READINESS, true, t0.plusSeconds(5))).isEqualTo(Verdict.READY);
    }

    @Test
    void aStartupProbeThatNeverPassesKills() {
        PodSpec pod = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  restartPolicy: Never
                  containers:
                    - {name: app, image: busybox, startupProbe: {exec: {command: [up]}, periodSeconds: 1, failureThreshold: 2}}
                """);
        ContainerLifecycle c = lifecycle(pod, "app", false);
        c.started(t0);
        assertThat(c.probed(Check.STARTUP, false, t0)).isEqualTo(Verdict.NONE);
        assertThat(c.probed(Check.STARTUP, false, t0.plusSeconds(1))).isEqualTo(Verdict.KILL);
        assertThat(c.exited(137, t0.plusSeconds(2)).outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void playProbesAStartupProbeEagerlyButCountsAtMostOneFailurePerPeriod() {
        PodSpec pod = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - {name: app, image: busybox, startupProbe: {exec: {command: [up]}, periodSeconds: 1, failureThreshold: 2}}
                """);
        ContainerLifecycle c = lifecycle(pod, "app", true);
        c.started(t0);
        Instant now = t0;
        for (int i = 0; i < 10; i++) { // ten failures within the first second count once
            assertThat(c.due(now)).isEqualTo(Check.STARTUP);
            assertThat(c.probed(Check.STARTUP, false, now)).isEqualTo(Verdict.NONE);
            now = c.nextCheck();
        }
        assertThat(now).isBefore(t0.plusSeconds(1));
        assertThat(c.probed(Check.STARTUP, false, t0.plusSeconds(1))).as("the second period's failure reaches the threshold").isEqualTo(Verdict.KILL);
    }

    @Test
    void readinessFlipsAfterItsThresholdsAndComesBack() {
        PodSpec pod = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: app
                      image: busybox
                      readinessProbe: {exec: {command: [ready]}, periodSeconds: 2, successThreshold: 2, failureThreshold: 2}
                """);
        ContainerLifecycle c = lifecycle(pod, "app", false);
        c.started(t0);
        assertThat(c.isReady()).isFalse();
        assertThat(c.probed(Check.READINESS, true, t0)).isEqualTo(Verdict.NONE);
        assertThat(c.probed(Check.READINESS, true, t0.plusSeconds(2))).isEqualTo(Verdict.READY);
        assertThat(c.probed(Check.READINESS, false, t0.plusSeconds(4))).as("one failure is not enough").isEqualTo(Verdict.NONE);
        assertThat(c.isReady()).isTrue();
        assertThat(c.probed(Check.READINESS, false, t0.plusSeconds(6))).isEqualTo(Verdict.UNREADY);
        assertThat(c.isReady()).isFalse();
        assertThat(c.probed(Check.READINESS, true, t0.plusSeconds(8))).isEqualTo(Verdict.NONE);
        assertThat(c.probed(Check.READINESS, true, t0.plusSeconds(10))).isEqualTo(Verdict.READY);
        assertThat(c.nextCheck()).isEqualTo(t0.plusSeconds(12));
    }

    @Test
    void playProbesReadinessEagerlyUntilReadyThenByPeriod() {
        PodSpec pod = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: web
                      image: busybox
                      ports: [{containerPort: 80}]
                    - name: app
                      image: busybox
                      readinessProbe: {exec: {command: [ready]}, periodSeconds: 10}
                """);
        ContainerLifecycle web = lifecycle(pod, "web", true);
        web.started(t0);
        assertThat(web.isReady()).as("implicit readiness: its port must accept first").isFalse();
        web.probed(Check.READINESS, false, t0);
        assertThat(web.nextCheck()).isEqualTo(t0.plusMillis(10));
        web.probed(Check.READINESS, false, at(t0, 0.01));
        assertThat(web.nextCheck()).isEqualTo(at(t0, 0.025));
        assertThat(web.probed(Check.READINESS, true, at(t0, 0.025))).isEqualTo(Verdict.READY);
        assertThat(web.nextCheck()).as("an implicit check is done once it held").isNull();
        ContainerLifecycle quiet = lifecycle(pod, "web", false);
        quiet.started(t0);
        assertThat(quiet.isReady()).as("the supervisor waits for the port too (implicitReadinessIsCheckedByTheSupervisorToo)").isFalse();

        ContainerLifecycle app = lifecycle(pod, "app", true);
        app.started(t0);
        app.probed(Check.READINESS, true, t0);
        assertThat(app.nextCheck()).as("a readinessProbe keeps its period once ready").isEqualTo(t0.plusSeconds(10));
    }

    @Test
    void aJobRetriesFailedRunsUpToItsBackoffLimitAcrossItsPods() {
        PodSpec pod = pod("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: j}
                spec:
                  backoffLimit: 2
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: work, image: busybox}]
                """);
        ContainerLifecycle.Jobs failures = new ContainerLifecycle.Jobs();
        ContainerLifecycle c = new ContainerLifecycle(pod, pod.containers().get(0), new Restarts(), failures, true);
        Instant now = t0;
        c.started(now);
        for (int run = 1; run <= 2; run++) {
            now = now.plusSeconds(1);
            ContainerLifecycle.Exit exit = c.exited(1, now);
            assertThat(exit.outcome()).isEqualTo(Outcome.RESTART);
            assertThat(exit.why()).startsWith("Job retry " + run + " of backoffLimit 2");
            c.started(exit.restartAt());
            now = exit.restartAt();
        }
        ContainerLifecycle.Exit last = c.exited(1, now.plusSeconds(1));
        assertThat(last.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(last.why()).isEqualTo("Job j reached its backoffLimit (2): 3 failed runs");
        ContainerLifecycle ok = new ContainerLifecycle(pod, pod.containers().get(0), new Restarts(), new ContainerLifecycle.Jobs(), true);
        ok.started(t0);
        assertThat(ok.exited(0, t0.plusSeconds(1)).outcome()).isEqualTo(Outcome.COMPLETED);
    }

    @Test
    void aJobPastItsActiveDeadlineFailsAndNoneOfItsContainersStartsAgain() {
        PodSpec pod = pod("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: j}
                spec:
                  activeDeadlineSeconds: 10
                  template:
                    spec:
                      restartPolicy: OnFailure
                      containers: [{name: work, image: busybox}]
                """);
        ContainerLifecycle.Jobs jobs = new ContainerLifecycle.Jobs();
        ContainerLifecycle c = new ContainerLifecycle(pod, pod.containers().get(0), new Restarts(), jobs, true);
        assertThat(c.pastDeadline(t0.plusSeconds(100))).as("not started: no clock running").isNull();
        c.started(t0);
        assertThat(c.pastDeadline(t0.plusSeconds(9))).isNull();
        assertThat(c.exited(1, t0.plusSeconds(2)).outcome()).as("a retry within the deadline").isEqualTo(Outcome.RESTART);
        c.started(t0.plusSeconds(3));
        assertThat(c.pastDeadline(t0.plusSeconds(10))).isEqualTo("Job j ran past its activeDeadlineSeconds (10 s): DeadlineExceeded");
        c.killed(c.pastDeadline(t0.plusSeconds(10)));
        ContainerLifecycle.Exit exit = c.exited(137, t0.plusSeconds(11));
        assertThat(exit.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(exit.why()).endsWith("DeadlineExceeded");
        assertThat(jobs.pastDeadline(pod.owner(), t0.plusSeconds(11))).as("for its other pods too").isNotNull();
    }

    @Test
    void aSupervisorTakingOverARunningContainerKeepsItsCount() {
        PodSpec pod = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers: [{name: app, image: busybox}]
                """);
        ContainerLifecycle c = lifecycle(pod, "app", false);
        c.started(t0, 4);
        ContainerLifecycle.Exit exit = c.exited(1, t0.plusSeconds(1));
        assertThat(Duration.between(t0.plusSeconds(1), exit.restartAt())).as("the 8 s window of the fourth restart, less the run").isEqualTo(Duration.ofSeconds(7));
        c.started(exit.restartAt());
        assertThat(c.restarts()).isEqualTo(5);
    }
}
