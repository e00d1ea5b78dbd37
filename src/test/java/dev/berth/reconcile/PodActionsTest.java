package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.PodSpec;
import dev.berth.reconcile.PodActions.Action;
import dev.berth.reconcile.PodActions.Gate;
import dev.berth.reconcile.PodActions.Seen;
import dev.berth.reconcile.PodActions.State;
import dev.berth.testing.Yaml;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decision alone: one container as seen, its lifecycle and its gate in, the actions out. */
class PodActionsTest {
    @TempDir
    Path dir;

    static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    PodSpec pod(String container) {
        return new Yaml(dir).read("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                  - %s
                """.formatted(container)).pods().get(0);
    }

    ContainerLifecycle life(PodSpec pod) {
        return new ContainerLifecycle(pod, pod.containers().get(0), new Restarts(), new ContainerLifecycle.Jobs(), false);
    }

    List<Action> decide(PodSpec pod, Seen seen, ContainerLifecycle life, Gate gate, boolean busy, boolean killSent, boolean startAgain) {
        return PodActions.compute(List.of(new PodActions.Container(pod.containers().get(0), seen, life, gate, busy, killSent, 0, startAgain)), T0);
    }

    static Seen running(boolean ready) {
        return new Seen(State.RUNNING, null, T0, null, 0, ready);
    }

    static Seen exited(int code) {
        return new Seen(State.EXITED, code, T0.minusSeconds(5), T0.minusSeconds(1), 0, false);
    }

    @Test
    void anAbsentContainerWhoseGateIsOpenIsCreated() {
        PodSpec p = pod("{name: app, image: busybox}");
        assertThat(decide(p, Seen.ABSENT, life(p), Gate.OPEN, false, false, false)).containsExactly(new PodActions.Create("app"));
    }

    @Test
    void anAbsentContainerWaitsForItsGateAndSaysWhatFor() {
        PodSpec p = pod("{name: app, image: busybox}");
        assertThat(decide(p, Seen.ABSENT, life(p), Gate.waiting("db ready", "cache started"), false, false, false))
                .containsExactly(new PodActions.Wait("app", "for db ready, cache started", null));
    }

    @Test
    void anAbsentContainerWhoseGateWillNeverOpenIsBlocked() {
        PodSpec p = pod("{name: app, image: busybox}");
        assertThat(decide(p, Seen.ABSENT, life(p), Gate.blocked("db failed"), false, false, false))
                .containsExactly(new PodActions.Blocked("app", "db failed"));
    }

    @Test
    void aBusyContainerGetsNoAction() {
        PodSpec p = pod("{name: app, image: busybox}");
        assertThat(decide(p, Seen.ABSENT, life(p), Gate.OPEN, true, false, false)).isEmpty();
    }

    @Test
    void aCreatedContainerHasItsStartFinished() {
        PodSpec p = pod("{name: app, image: busybox}");
        assertThat(decide(p, new Seen(State.CREATED, null, T0, null, 0, false), life(p), Gate.OPEN, false, false, false))
                .containsExactly(new PodActions.FinishStart("app"));
    }

    @Test
    void aRunningContainerJudgedReadyButNotRecordedSoIsRecordedReadyFirst() {
        PodSpec p = pod("{name: app, image: busybox}");
        ContainerLifecycle life = life(p);
        life.started(T0, 0);
        assertThat(decide(p, running(false), life, Gate.OPEN, false, false, false))
                .containsExactly(new PodActions.SetReady("app", true), new PodActions.Wait("app", "its next probe", null));
    }

    @Test
    void aRunningContainerWithAProbeDueIsProbed() {
        PodSpec p = pod("{name: app, image: busybox, livenessProbe: {exec: {command: [l]}}}");
        ContainerLifecycle life = life(p);
        life.started(T0, 0);
        assertThat(decide(p, running(true), life, Gate.OPEN, false, false, false))
                .containsExactly(new PodActions.Probe("app", ContainerLifecycle.Check.LIVENESS));
    }

    @Test
    void aContainerItsLifecycleKilledIsKilledOnceThenItsExitAwaited() {
        PodSpec p = pod("{name: app, image: busybox}");
        ContainerLifecycle life = life(p);
        life.started(T0, 0);
        life.killed("livenessProbe failed 3 times");
        assertThat(decide(p, running(false), life, Gate.OPEN, false, false, false))
                .containsExactly(new PodActions.Kill("app", "livenessProbe failed 3 times"));
        assertThat(decide(p, running(false), life, Gate.OPEN, false, true, false)).singleElement().isInstanceOf(PodActions.Wait.class);
    }

    @Test
    void aKilledContainerStillRecordedReadyIsTakenOutOfItsServices() {
        PodSpec p = pod("{name: app, image: busybox}");
        ContainerLifecycle life = life(p);
        life.started(T0, 0);
        life.killed("deadline");
        assertThat(decide(p, running(true), life, Gate.OPEN, false, false, false)).first().isEqualTo(new PodActions.SetReady("app", false));
    }

    @Test
    void anExitOfTheRunTheLifecycleFollowsIsTakenInWithItsTime() {
        PodSpec p = pod("{name: app, image: busybox}");
        ContainerLifecycle life = life(p);
        life.started(T0.minusSeconds(5), 0);
        assertThat(decide(p, exited(3), life, Gate.OPEN, false, false, false))
                .containsExactly(new PodActions.Exited("app", 3, T0.minusSeconds(1)));
    }

    @Test
    void anExitedContainerInBackOffWaitsUntilItEnds() {
        PodSpec p = pod("{name: app, image: busybox}");
        ContainerLifecycle life = life(p);
        life.started(T0.minusSeconds(5), 3);
        life.exited(1, T0.minusMillis(4900)); // ran 0.1 s; the fourth restart's window is 4 s... from its start
        List<Action> actions = decide(p, exited(1), life, Gate.OPEN, false, false, false);
        assertThat(actions).singleElement().isInstanceOf(PodActions.Restart.class); // the window ended at T0 - 1 s
        ContainerLifecycle soon = life(p);
        soon.started(T0.minusMillis(500), 3);
        soon.exited(1, T0.minusMillis(400));
        assertThat(decide(p, exited(1), soon, Gate.OPEN, false, false, false))
                .containsExactly(new PodActions.Wait("app", "CrashLoopBackOff", T0.plusMillis(3500)));
    }

    @Test
    void anExitedContainerItsPolicyLeavesDownIsDoneWithWhy() {
        PodSpec p = new Yaml(dir).read("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  restartPolicy: Never
                  containers: [{name: app, image: busybox}]
                """).pods().get(0);
        ContainerLifecycle life = life(p);
        life.started(T0.minusSeconds(5), 0);
        life.exited(2, T0.minusSeconds(1));
        assertThat(decide(p, exited(2), life, Gate.OPEN, false, false, false))
                .containsExactly(new PodActions.Done("app", "exit code 2: restartPolicy Never"));
    }

    @Test
    void podStartStartsAnExitedContainerOnceItsGateOpensWhateverItsPolicy() {
        PodSpec p = pod("{name: app, image: busybox}");
        ContainerLifecycle life = life(p);
        life.started(T0.minusSeconds(5), 0);
        life.exited(0, T0.minusSeconds(1));
        assertThat(decide(p, exited(0), life, Gate.waiting("db ready"), false, false, true))
                .containsExactly(new PodActions.Wait("app", "for db ready", null));
        assertThat(decide(p, exited(0), life, Gate.OPEN, false, false, true)).containsExactly(new PodActions.Restart("app"));
    }

    @Test
    void anAbsentContainerIsNeverRecordedUnready() {
        PodSpec p = pod("{name: app, image: busybox}");
        assertThat(decide(p, new Seen(State.ABSENT, null, null, null, 0, true), life(p), Gate.waiting("x"), false, false, false))
                .noneMatch(a -> a instanceof PodActions.SetReady);
    }
}
