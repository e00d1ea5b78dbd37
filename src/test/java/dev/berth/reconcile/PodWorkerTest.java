package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.PodSpec;
import dev.berth.reconcile.ContainerLifecycle.Check;
import dev.berth.reconcile.PodActions.Gate;
import dev.berth.reconcile.PodActions.State;
import dev.berth.testing.Yaml;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pod worker with a fake runtime and a made-up clock: what only integration tests showed
 * before (crash loops, liveness kills, readiness flips, takeovers, start order), without root.
 */
class PodWorkerTest {
    @TempDir
    Path dir;

    static final Function<String, Gate> OPEN = c -> Gate.OPEN;

    FakePod pod(String yaml) {
        return new FakePod(new Yaml(dir).read(yaml).pods().get(0));
    }

    FakePod one(String restartPolicy, String container) {
        return pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  restartPolicy: %s
                  containers:
                  - %s
                """.formatted(restartPolicy, container));
    }

    static Duration secs(double s) {
        return Duration.ofMillis((long) (s * 1000));
    }

    /** The times (seconds after T0) of the restarts the log shows, read from the restarts the fake made. */
    static List<Double> restartTimes(FakePod f, PodWorker w, String container, Duration total) {
        List<Double> times = new ArrayList<>();
        Instant end = f.now.plus(total);
        int seen = f.box(container).restarts;
        while (f.now.isBefore(end)) {
            f.run(w, Duration.ZERO);
            if (f.box(container).restarts != seen) {
                seen = f.box(container).restarts;
                times.add(Duration.between(FakePod.T0, f.box(container).run).toMillis() / 1000.0);
            }
        }
        return times;
    }

    // crash loops

    @Test
    void aCrashLoopingContainerIsStartedAgainAtOnceThenAfterDoublingBackOffs() {
        FakePod f = one("Always", "{name: app, image: busybox}");
        f.running("app", 0, false);
        f.box("app").lives = secs(0.05);
        f.box("app").exitWith = 3;
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        List<Double> times = restartTimes(f, w, "app", Duration.ofSeconds(20));
        // exits at ~0.1 s after each start (the tick): restart 1 at once, then windows of 1, 2, 4, 8 s from each start
        assertThat(times).hasSizeGreaterThanOrEqualTo(4);
        assertThat(times.get(0)).isLessThan(0.35);
        for (int i = 1; i < 4; i++) {
            double gap = times.get(i) - times.get(i - 1);
            assertThat(gap).as("window before restart %d", i + 1).isBetween(Math.pow(2, i - 1), Math.pow(2, i - 1) + 0.35);
        }
        assertThat(f.logged("event app died exit code 3")).hasSizeGreaterThanOrEqualTo(4);
        assertThat(f.logged("event app restarting")).allMatch(l -> l.contains("CrashLoopBackOff (restartPolicy Always)"));
    }

    @Test
    void alwaysStartsAgainAfterASuccessfulExitToo() {
        FakePod f = one("Always", "{name: app, image: busybox}");
        f.running("app", 0, false);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(0.2));
        f.exit("app", 0);
        f.run(w, secs(0.5));
        assertThat(f.box("app").state).isEqualTo(State.RUNNING);
        assertThat(f.box("app").restarts).isEqualTo(1);
        assertThat(w.watching()).isTrue();
    }

    @Test
    void onFailureLeavesASuccessfulExitDownAndTheWorkerHasNothingLeftToWatch() {
        FakePod f = one("OnFailure", "{name: app, image: busybox}");
        f.running("app", 0, false);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(0.2));
        f.exit("app", 0);
        f.run(w, secs(3));
        assertThat(f.logged("restart")).isEmpty();
        assertThat(w.watching()).isFalse();
        assertThat(w.over("app")).contains("exit code 0");
        assertThat(w.completed("app")).isTrue();
    }

    @Test
    void onFailureStartsAFailedRunAgain() {
        FakePod f = one("OnFailure", "{name: app, image: busybox}");
        f.running("app", 0, false);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(0.2));
        f.exit("app", 2);
        f.run(w, secs(0.5));
        assertThat(f.logged("restart app")).hasSize(1);
    }

    @Test
    void neverLeavesAFailedRunDown() {
        FakePod f = one("Never", "{name: app, image: busybox}");
        f.running("app", 0, false);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(0.2));
        f.exit("app", 1);
        f.run(w, secs(5));
        assertThat(f.logged("restart")).isEmpty();
        assertThat(f.logged("event app died exit code 1")).hasSize(1);
        assertThat(w.watching()).isFalse();
        assertThat(w.completed("app")).isFalse();
    }

    @Test
    void theFirstExitOfARunTheWorkerSawStartRecordsItsDiedEvent() {
        FakePod f = one("Always", "{name: app, image: busybox}");
        f.running("app", 0, false);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(0.1));
        f.exit("app", 7);
        f.run(w, secs(0.1));
        assertThat(f.logged("event app died")).containsExactly("event app died exit code 7");
    }

    @Test
    void aRunThatStartsAndEndsBetweenTwoLooksStillCountsAndBacksOff() {
        FakePod f = one("Always", "{name: app, image: busybox}");
        f.running("app", 3, false);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(0.1));
        // another process restarted it, and it died, between two looks
        f.box("app").run = f.now;
        f.box("app").restarts = 4;
        f.exit("app", 1);
        f.run(w, secs(0.1));
        assertThat(f.logged("event app died exit code 1")).hasSize(1);
        assertThat(f.logged("event app restarting")).singleElement().asString().contains("in 8000 ms");
    }

    @Test
    void aLongRunResetsTheBackOff() {
        FakePod f = one("Always", "{name: app, image: busybox}");
        f.running("app", 6, false);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, Duration.ofMinutes(11));
        f.exit("app", 1);
        f.run(w, secs(0.3));
        assertThat(f.box("app").restarts).isEqualTo(7);
    }

    @Test
    void anOnFailureLimitOfRunRestartEndsTheRestarts() {
        FakePod f = one("OnFailure", "{name: app, image: busybox}");
        f.running("app", 0, false);
        f.box("app").lives = secs(0.05);
        f.box("app").exitWith = 1;
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN, f.pod.containers(), Map.of("app", 2));
        f.run(w, Duration.ofSeconds(10));
        assertThat(f.box("app").restarts).isEqualTo(2);
        assertThat(w.over("app")).contains("2 restarts are used up");
        assertThat(w.watching()).isFalse();
    }

    // taking over

    @Test
    void takingOverAnExitedContainerTellsItsExitOnceAndBacksOffFromItsRecord() {
        FakePod f = one("Always", "{name: app, image: busybox}");
        f.running("app", 2, false);
        f.now = f.now.plusMillis(100);
        f.exit("app", 4); // ran 0.1 s; restart 3 opens a 2 s window from its start
        Instant exited = f.now;
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(1.5));
        assertThat(f.logged("event app died")).containsExactly("event app died exit code 4");
        assertThat(f.logged("restart")).isEmpty();
        f.run(w, secs(0.6));
        assertThat(f.logged("restart app")).hasSize(1);
        assertThat(Duration.between(exited, f.box("app").run).toMillis()).isBetween(1900L, 2100L);
    }

    @Test
    void takingOverARunningReadyContainerKeepsItReady() {
        FakePod f = one("Always", """
                {name: app, image: busybox, readinessProbe: {exec: {command: [\"true\"]}, periodSeconds: 10}}""");
        f.running("app", 0, true);
        f.probes = (c, check) -> false;
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(1));
        assertThat(f.logged("unready")).as("taken over ready: it stays in its Services until probes fail").isEmpty();
        assertThat(f.box("app").ready).isTrue();
        f.run(w, Duration.ofSeconds(30));
        assertThat(f.logged("unready app")).hasSize(1);
    }

    @Test
    void takingOverAStartCutShortFinishesItBeforeAnythingElse() {
        FakePod f = one("Always", "{name: app, image: busybox, livenessProbe: {exec: {command: [\"true\"]}}}");
        f.running("app", 5, false);
        f.box("app").unfinished = true;
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(0.2));
        assertThat(f.log.get(0)).isEqualTo("finish app");
        assertThat(f.logged("event app note")).singleElement().asString().contains("left created");
        f.run(w, Duration.ofSeconds(11));
        assertThat(f.logged("probe app LIVENESS")).isNotEmpty();
        assertThat(f.logged("finish")).hasSize(1);
    }

    @Test
    void aRunningContainerWhoseStartWasFinishedIsNotAskedAboutAgain() {
        FakePod f = one("Always", "{name: app, image: busybox}");
        f.running("app", 0, false);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(0.5));
        f.box("app").unfinished = true; // only the first look at a run asks
        f.run(w, secs(0.5));
        assertThat(f.logged("finish")).isEmpty();
    }

    // probes

    @Test
    void aFailingLivenessProbeKillsTheContainerAfterItsThresholdAndItStartsAgain() {
        FakePod f = one("Always", """
                {name: app, image: busybox, livenessProbe: {exec: {command: [check]}, periodSeconds: 1, failureThreshold: 3}}""");
        f.running("app", 0, false);
        f.probes = (c, check) -> false;
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(1.5));
        assertThat(f.logged("kill")).as("probed at 0 and 1 s: two failures of three").isEmpty();
        f.run(w, secs(0.7));
        assertThat(f.logged("kill app")).singleElement().asString().isEqualTo("kill app grace 30");
        assertThat(f.logged("event app liveness-failed")).singleElement().asString().contains("livenessProbe failed 3 times");
        assertThat(f.logged("event app died")).singleElement().asString().contains("(livenessProbe failed 3 times)");
        f.run(w, secs(0.5));
        assertThat(f.box("app").restarts).isEqualTo(1);
    }

    @Test
    void aKillUsesThePodsGracePeriod() {
        FakePod f = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  terminationGracePeriodSeconds: 3
                  containers:
                  - {name: app, image: busybox, livenessProbe: {exec: {command: [check]}, periodSeconds: 1, failureThreshold: 1}}
                """);
        f.running("app", 0, false);
        f.probes = (c, check) -> false;
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(1.5));
        assertThat(f.logged("kill app")).isNotEmpty().allMatch(l -> l.equals("kill app grace 3"));
    }

    @Test
    void aKillRefusedWhileAnotherCommandHoldsThePodIsTriedAgain() {
        FakePod f = one("Always", """
                {name: app, image: busybox, livenessProbe: {exec: {command: [check]}, periodSeconds: 1, failureThreshold: 1}}""");
        f.running("app", 0, false);
        f.probes = (c, check) -> false;
        f.lockFree = false;
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(1.5));
        assertThat(f.logged("kill refused app")).isNotEmpty();
        f.lockFree = true;
        f.run(w, secs(0.3));
        assertThat(f.logged("kill app")).hasSize(1);
        assertThat(f.box("app").kills).isEqualTo(1);
    }

    @Test
    void aRestartRefusedWhileAnotherCommandHoldsThePodIsTriedAgain() {
        FakePod f = one("Always", "{name: app, image: busybox}");
        f.running("app", 0, false);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(0.1));
        f.lockFree = false;
        f.exit("app", 1);
        f.run(w, secs(0.5));
        assertThat(f.box("app").state).isEqualTo(State.EXITED);
        f.lockFree = true;
        f.run(w, secs(0.3));
        assertThat(f.box("app").state).isEqualTo(State.RUNNING);
        assertThat(f.logged("event app died")).hasSize(1);
    }

    @Test
    void aReadinessFlipTakesThePodOutOfItsServicesAndBackIn() {
        FakePod f = one("Always", """
                {name: app, image: busybox, readinessProbe: {exec: {command: [check]}, periodSeconds: 1, failureThreshold: 2}}""");
        f.running("app", 0, false);
        boolean[] healthy = {true};
        f.probes = (c, check) -> healthy[0];
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(0.3));
        assertThat(f.box("app").ready).isTrue();
        assertThat(w.readinessChanged()).isTrue();
        assertThat(w.readinessChanged()).as("cleared once read").isFalse();
        healthy[0] = false;
        f.run(w, secs(1.5));
        assertThat(f.box("app").ready).as("one failure is not enough").isTrue();
        f.run(w, secs(1));
        assertThat(f.box("app").ready).isFalse();
        assertThat(w.readinessChanged()).isTrue();
        healthy[0] = true;
        f.run(w, secs(1.1));
        assertThat(f.box("app").ready).isTrue();
        assertThat(f.logged("ready app")).hasSize(2);
        assertThat(f.logged("unready app")).hasSize(1);
    }

    @Test
    void anExitedContainerIsTakenOutOfItsServicesAtOnce() {
        FakePod f = one("Always", "{name: app, image: busybox}");
        f.running("app", 0, true);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(0.2));
        f.exit("app", 1);
        f.run(w, Duration.ZERO);
        assertThat(f.box("app").ready).isFalse();
        assertThat(f.log.indexOf("unready app")).isLessThan(f.log.indexOf("restart app") < 0 ? Integer.MAX_VALUE : f.log.indexOf("restart app"));
    }

    @Test
    void aContainerWithoutAProbeIsReadyOnceRunning() {
        FakePod f = one("Always", "{name: app, image: busybox}");
        f.running("app", 0, false);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, Duration.ZERO);
        assertThat(f.box("app").ready).isTrue();
        assertThat(f.logged("probe")).isEmpty();
    }

    @Test
    void aDeclaredPortIsProbedBeforeTheContainerCountsReady() {
        FakePod f = one("Always", "{name: app, image: busybox, ports: [{containerPort: 80}]}");
        f.running("app", 0, false);
        boolean[] listening = {false};
        f.probes = (c, check) -> listening[0];
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(1));
        assertThat(f.box("app").ready).as("the issue 29 defect: ready before it listened").isFalse();
        listening[0] = true;
        f.run(w, secs(1));
        assertThat(f.box("app").ready).isTrue();
        int probes = f.logged("probe").size();
        f.run(w, Duration.ofSeconds(30));
        assertThat(f.logged("probe")).as("the implicit check is done once it held").hasSize(probes);
    }

    @Test
    void aStartupProbeHoldsBackLivenessAndReadinessUntilItPasses() {
        FakePod f = one("Always", """
                {name: app, image: busybox, startupProbe: {exec: {command: [s]}, periodSeconds: 1, failureThreshold: 30},
                 livenessProbe: {exec: {command: [l]}, periodSeconds: 1}, readinessProbe: {exec: {command: [r]}, periodSeconds: 1}}""");
        f.running("app", 0, false);
        boolean[] up = {false};
        f.probes = (c, check) -> check != Check.STARTUP || up[0];
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(3));
        assertThat(f.logged("probe app LIVENESS")).isEmpty();
        assertThat(f.logged("probe app READINESS")).isEmpty();
        assertThat(w.started("app")).isFalse();
        up[0] = true;
        f.run(w, secs(3));
        assertThat(w.started("app")).isTrue();
        assertThat(f.logged("probe app LIVENESS")).isNotEmpty();
        assertThat(f.box("app").ready).isTrue();
    }

    @Test
    void aStartupProbeThatNeverPassesKillsTheContainer() {
        FakePod f = one("Always", """
                {name: app, image: busybox, startupProbe: {exec: {command: [s]}, periodSeconds: 1, failureThreshold: 2}}""");
        f.running("app", 0, false);
        f.probes = (c, check) -> false;
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(1.15));
        assertThat(f.logged("event app startup-failed")).hasSize(1);
        assertThat(f.box("app").kills).isEqualTo(1);
    }

    @Test
    void aProbeResultOfARunThatEndedMeanwhileIsIgnored() {
        FakePod f = one("Always", """
                {name: app, image: busybox, livenessProbe: {exec: {command: [l]}, periodSeconds: 1, failureThreshold: 1}}""");
        f.running("app", 0, false);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.probes = (c, check) -> {
            // the container dies while its probe runs; the probe's failure belongs to the dead run
            f.exit("app", 1);
            return false;
        };
        f.run(w, secs(1.05));
        f.probes = (c, check) -> true;
        f.run(w, secs(0.5));
        assertThat(f.logged("event app liveness-failed")).isEmpty();
        assertThat(f.logged("kill")).isEmpty();
        assertThat(f.box("app").state).isEqualTo(State.RUNNING);
    }

    @Test
    void aFailedPostStartHookAfterARestartStopsTheContainer() {
        FakePod f = one("Always", "{name: app, image: busybox, lifecycle: {postStart: {exec: {command: [h]}}}}");
        f.running("app", 0, false);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        f.run(w, secs(0.1));
        f.hookFails.add("app");
        f.exit("app", 1);
        f.run(w, secs(0.3));
        assertThat(f.logged("event app hook-failed")).hasSize(1);
        assertThat(f.box("app").kills).isEqualTo(1);
    }

    @Test
    void theWorkerSaysWhenItsNextProbeFallsDue() {
        FakePod f = one("Always", """
                {name: app, image: busybox, livenessProbe: {exec: {command: [l]}, periodSeconds: 7, initialDelaySeconds: 3}}""");
        f.running("app", 0, false);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        Instant next = w.step(f.now);
        assertThat(next).isEqualTo(FakePod.T0.plusSeconds(3));
    }

    @Test
    void theWorkerSaysWhenABackOffEnds() {
        FakePod f = one("Always", "{name: app, image: busybox}");
        f.running("app", 2, false);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        w.step(f.now);
        f.now = f.now.plusMillis(500);
        f.exit("app", 1);
        Instant next = w.step(f.now);
        assertThat(next).isEqualTo(FakePod.T0.plusSeconds(2));
    }

    @Test
    void anIdleWorkerWithNothingDueSaysSo() {
        FakePod f = one("Always", "{name: app, image: busybox}");
        f.running("app", 0, true);
        PodWorker w = f.worker(PodWorker.Mode.SUPERVISE, OPEN);
        assertThat(w.step(f.now)).isNull();
        assertThat(w.watching()).isTrue();
    }

    // play and pod start

    FakePod talk() {
        return pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: demo}
                spec:
                  containers:
                  - {name: db, image: postgres, readinessProbe: {exec: {command: [pg_isready]}, periodSeconds: 1}}
                  - {name: client, image: busybox}
                """);
    }

    /** The talk's race: the client must not start before the database is ready. */
    @Test
    void theClientIsCreatedOnlyOnceTheDatabaseIsReady() {
        FakePod f = talk();
        boolean[] accepting = {false};
        f.probes = (c, check) -> accepting[0];
        PodWorker[] w = new PodWorker[1];
        w[0] = f.worker(PodWorker.Mode.PLAY, c -> c.equals("client") && !w[0].ready("db") ? Gate.waiting("db ready") : Gate.OPEN);
        f.run(w[0], secs(3));
        assertThat(f.logged("create")).containsExactly("create db");
        accepting[0] = true;
        f.run(w[0], secs(0.5));
        assertThat(f.logged("create")).containsExactly("create db", "create client");
        assertThat(f.log.indexOf("ready db")).isLessThan(f.log.indexOf("create client"));
    }

    /**
     * Play's gates read what its listener was told (a node's state), and its coordinator sleeps until
     * the step's due time: the step in which the database turns ready asks for the next one at once,
     * so the client starts then, not a second later (bench/compare's readiness gate found 1 s).
     */
    @Test
    void theStepInWhichADatabaseTurnsReadyAsksForTheNextAtOnce() {
        FakePod f = talk();
        f.probes = (c, check) -> true;
        PodWorker[] w = new PodWorker[1];
        w[0] = f.worker(PodWorker.Mode.PLAY, c -> c.equals("client") && f.log.stream().noneMatch(l -> l.startsWith("event db ready"))
                ? Gate.waiting("db ready") : Gate.OPEN);
        Instant due = null;
        for (int i = 0; i < 100 && !f.log.contains("ready db"); i++) {
            due = w[0].step(f.now);
            f.now = f.now.plus(FakePod.TICK);
        }
        assertThat(f.log).contains("ready db").doesNotContain("create client");
        assertThat(due).as("the step that made db ready").isEqualTo(f.now.minus(FakePod.TICK));
        w[0].step(f.now);
        assertThat(f.logged("create")).containsExactly("create db", "create client");
    }

    @Test
    void playProbesEagerlyUntilReady() {
        FakePod f = talk();
        int[] probes = {0};
        f.probes = (c, check) -> ++probes[0] > 3;
        PodWorker w = f.worker(PodWorker.Mode.PLAY, c -> c.equals("client") ? Gate.waiting("db ready") : Gate.OPEN);
        f.run(w, secs(0.6));
        assertThat(f.box("db").ready).as("probed every tick, not every period of 1 s").isTrue();
    }

    @Test
    void aBlockedGateNeverCreatesTheContainerAndEndsItsLife() {
        FakePod f = talk();
        PodWorker w = f.worker(PodWorker.Mode.PLAY, c -> c.equals("client") ? Gate.blocked("db failed") : Gate.OPEN);
        f.run(w, secs(1));
        assertThat(f.logged("create")).containsExactly("create db");
        assertThat(w.over("client")).isEqualTo("db failed");
    }

    @Test
    void anInitChainRunsInOrderAndTheSidecarStaysUp() {
        FakePod f = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  initContainers:
                  - {name: migrate, image: busybox}
                  - {name: proxy, image: busybox, restartPolicy: Always}
                  containers:
                  - {name: app, image: busybox}
                """);
        f.box("migrate").lives = secs(0.3);
        PodWorker[] w = new PodWorker[1];
        w[0] = f.worker(PodWorker.Mode.PLAY, c -> switch (c) {
            case "proxy" -> w[0].completed("migrate") ? Gate.OPEN : Gate.waiting("migrate completed");
            case "app" -> w[0].started("proxy") ? Gate.OPEN : Gate.waiting("proxy started");
            default -> Gate.OPEN;
        });
        f.run(w[0], secs(2));
        assertThat(f.logged("create")).containsExactly("create migrate", "create proxy", "create app");
        assertThat(w[0].completed("migrate")).isTrue();
        assertThat(f.logged("restart")).as("a completed init container is not run again").isEmpty();
        f.exit("proxy", 1);
        f.run(w[0], secs(0.5));
        assertThat(f.logged("restart proxy")).as("a sidecar always restarts").hasSize(1);
    }

    @Test
    void anInitContainerThatFailsIsRunAgainInAnAlwaysPod() {
        FakePod f = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  initContainers: [{name: migrate, image: busybox}]
                  containers: [{name: app, image: busybox}]
                """);
        f.box("migrate").lives = secs(0.2);
        f.box("migrate").exitWith = 1;
        PodWorker[] w = new PodWorker[1];
        w[0] = f.worker(PodWorker.Mode.PLAY, c -> c.equals("app") && !w[0].completed("migrate") ? Gate.waiting("migrate completed") : Gate.OPEN);
        f.run(w[0], secs(1));
        assertThat(f.logged("restart migrate")).isNotEmpty();
        f.box("migrate").exitWith = 0;
        f.run(w[0], secs(3));
        assertThat(w[0].completed("migrate")).isTrue();
        assertThat(f.logged("create app")).hasSize(1);
    }

    @Test
    void podStartStartsExitedContainersInOrderEachAfterWhatItWaitsForIsReady() {
        FakePod f = talk();
        f.exit("db", 0);
        f.box("db").run = f.now.minusSeconds(60);
        f.exit("client", 0);
        f.box("client").run = f.now.minusSeconds(60);
        boolean[] accepting = {false};
        f.probes = (c, check) -> accepting[0];
        PodWorker[] w = new PodWorker[1];
        w[0] = f.worker(PodWorker.Mode.START, c -> c.equals("client") && !w[0].ready("db") ? Gate.waiting("db ready") : Gate.OPEN);
        f.run(w[0], secs(1));
        assertThat(f.logged("restart")).containsExactly("restart db");
        accepting[0] = true;
        f.run(w[0], secs(1.5));
        assertThat(f.logged("restart")).containsExactly("restart db", "restart client");
    }

    @Test
    void podStartStartsAContainerWhosePolicyWouldLeaveItDownOnce() {
        FakePod f = one("Never", "{name: app, image: busybox}");
        f.exit("app", 0);
        f.box("app").run = f.now.minusSeconds(5);
        PodWorker w = f.worker(PodWorker.Mode.START, OPEN);
        f.run(w, secs(0.5));
        assertThat(f.logged("restart app")).hasSize(1);
        f.exit("app", 0);
        f.run(w, secs(2));
        assertThat(f.logged("restart app")).as("then its policy again").hasSize(1);
    }

    @Test
    void aRestartByPolicyWaitsForNoGate() {
        FakePod f = talk();
        PodWorker w = f.worker(PodWorker.Mode.PLAY, c -> c.equals("client") ? Gate.waiting("something that never comes") : Gate.OPEN);
        f.run(w, secs(0.5));
        f.exit("db", 1);
        f.run(w, secs(0.5));
        assertThat(f.logged("restart db")).hasSize(1);
    }

    @Test
    void aFailedPostStartHookOfAFirstRunSaysSoInItsExit() {
        FakePod f = one("Never", "{name: app, image: busybox, lifecycle: {postStart: {exec: {command: [h]}}}}");
        f.hookFails.add("app");
        PodWorker w = f.worker(PodWorker.Mode.PLAY, OPEN);
        f.run(w, secs(0.5));
        assertThat(f.logged("event app died")).containsExactly("event app died exit code 137 (postStart hook failed: exit code 1)");
        assertThat(w.over("app")).startsWith("exit code 137");
    }

    @Test
    void aContainerPlayCreatedThatEndsBeforeItsFirstLookStillHasItsExitTold() {
        FakePod f = one("Never", "{name: app, image: busybox}");
        f.box("app").lives = Duration.ZERO;
        f.box("app").exitWith = 5;
        PodWorker w = f.worker(PodWorker.Mode.PLAY, OPEN);
        f.run(w, secs(0.5));
        assertThat(f.logged("event app died")).containsExactly("event app died exit code 5");
        assertThat(f.logged("event app started")).hasSize(1);
    }

    @Test
    void aContainerThatCannotBeCreatedIsTriedOnceAndItsLifeEndsWithWhy() {
        FakePod f = one("Always", "{name: app, image: busybox}");
        f.createFails.add("app");
        PodWorker w = f.worker(PodWorker.Mode.PLAY, OPEN);
        f.run(w, secs(1));
        assertThat(f.logged("create failed app")).hasSize(1);
        assertThat(w.over("app")).contains("runAsNonRoot");
        assertThat(w.watching()).isFalse();
    }

    // Jobs

    FakePod job(String spec) {
        return pod("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: j}
                spec:
                  %s
                  template:
                    spec:
                      restartPolicy: OnFailure
                      containers: [{name: work, image: busybox}]
                """.formatted(spec));
    }

    @Test
    void aJobsFailedRunsAreRetriedUpToItsBackoffLimit() {
        FakePod f = job("backoffLimit: 2");
        f.box("work").lives = secs(0.1);
        f.box("work").exitWith = 1;
        PodWorker w = f.worker(PodWorker.Mode.PLAY, OPEN);
        f.run(w, Duration.ofSeconds(10));
        assertThat(f.logged("create work")).hasSize(1);
        assertThat(f.logged("restart work")).hasSize(2);
        assertThat(w.over("work")).contains("backoffLimit");
        assertThat(w.watching()).isFalse();
    }

    @Test
    void aJobPastItsDeadlineHasItsRunningContainerKilledAndNotStartedAgain() {
        FakePod f = job("activeDeadlineSeconds: 2");
        PodWorker w = f.worker(PodWorker.Mode.PLAY, OPEN);
        f.run(w, secs(1.5));
        assertThat(f.logged("kill")).isEmpty();
        f.run(w, secs(1));
        assertThat(f.logged("kill work")).hasSize(1);
        f.run(w, secs(2));
        assertThat(f.logged("restart")).isEmpty();
        assertThat(w.over("work")).contains("DeadlineExceeded");
    }

    @Test
    void aCompletedJobIsDone() {
        FakePod f = job("backoffLimit: 1");
        f.box("work").lives = secs(0.2);
        PodWorker w = f.worker(PodWorker.Mode.PLAY, OPEN);
        f.run(w, secs(1));
        assertThat(w.completed("work")).isTrue();
        assertThat(w.watching()).isFalse();
    }
}
