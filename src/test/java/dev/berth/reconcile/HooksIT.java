package dev.berth.reconcile;

import static dev.berth.testing.BerthRoot.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Lifecycle hooks on real containers: postStart before a container counts as started, preStop before its SIGTERM. */
class HooksIT {
    @Test
    void postStartRunsBeforeReadinessAndPreStopBeforeTheSigtermOfDown() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path out = Files.createDirectories(b.dir.resolve("out"));
            Path m = Files.writeString(b.dir.resolve("hooks.yaml"), """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: hooked}
                    spec:
                      terminationGracePeriodSeconds: 5
                      restartPolicy: Never
                      volumes: [{name: out, hostPath: {path: %s}}]
                      containers:
                        - name: c
                          image: %s
                          command: ["sh", "-c", "trap 'echo SIGTERM >> /out/order; exit 0' TERM; while true; do sleep 0.1; done"]
                          volumeMounts: [{name: out, mountPath: /out}]
                          readinessProbe: {exec: {command: [test, -f, /tmp/hooked]}, periodSeconds: 1}
                          lifecycle:
                            postStart: {exec: {command: [sh, -c, "sleep 0.5; touch /tmp/hooked; echo postStart >> /out/order"]}}
                            preStop: {exec: {command: [sh, -c, "echo preStop >> /out/order; sleep 0.3"]}}
                    """.formatted(out, IMAGE));
            try {
                String play = b.berth("kube", "play", m.toString()).ok().out();
                // the readinessProbe can only pass once the hook made its file: ready means the hook ran first
                assertThat(play).containsSubsequence("Container/hooked/c  running: postStart hook done", "Container/hooked/c  ready");
                assertThat(Files.readString(out.resolve("order"))).isEqualTo("postStart\n");
            } finally {
                b.berth("kube", "down", m.toString()).ok();
            }
            assertThat(Files.readString(out.resolve("order"))).isEqualTo("postStart\npreStop\nSIGTERM\n");
            b.assertNothingLeft();
        }
    }

    /** pod rm -f removes as kube down does: the plan's reverse order, preStop hooks, and the pod's own grace period (issue 29). */
    @Test
    void podRmStopsInReverseOrderWithPreStopHooksAndThePodsGracePeriod() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path out = Files.createDirectories(b.dir.resolve("out"));
            Path m = Files.writeString(b.dir.resolve("order.yaml"), """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: ordered}
                    spec:
                      terminationGracePeriodSeconds: 1
                      volumes: [{name: out, hostPath: {path: %s}}]
                      containers:
                        - name: db
                          image: %s
                          command: ["sleep", "1000"]
                          volumeMounts: [{name: out, mountPath: /out}]
                          lifecycle: {preStop: {exec: {command: [sh, -c, "echo db >> /out/order"]}}}
                        - name: app
                          image: %s
                          command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"]
                          volumeMounts: [{name: out, mountPath: /out}]
                          lifecycle: {preStop: {exec: {command: [sh, -c, "echo app >> /out/order"]}}}
                    """.formatted(out, IMAGE, IMAGE).replace("metadata: {name: ordered}",
                    "metadata: {name: ordered, annotations: {berth.dev/depends-on.app: \"db:started\"}}"));
            try {
                b.berth("kube", "play", m.toString()).ok();
                long start = System.nanoTime();
                b.berth("pod", "rm", "-f", "ordered").ok();
                long seconds = (System.nanoTime() - start) / 1_000_000_000L;
                assertThat(Files.readString(out.resolve("order"))).isEqualTo("app\ndb\n");
                // app leaves on SIGTERM; db (sleep as PID 1) ignores it and is killed when the pod's 1 s is up, not a fixed 10 s
                assertThat(seconds).as("pod rm -f of two containers with a grace period of 1 s").isLessThan(8);
            } finally {
                b.berth("kube", "down", m.toString());
            }
            b.assertNothingLeft();
        }
    }

    @Test
    void aFailingPostStartHookKillsTheContainerAndThePlaySaysWhy() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path m = Files.writeString(b.dir.resolve("bad-hook.yaml"), """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: badhook}
                    spec:
                      terminationGracePeriodSeconds: 1
                      restartPolicy: Never
                      containers:
                        - name: c
                          image: %s
                          command: ["sleep", "1000"]
                          lifecycle:
                            postStart: {exec: {command: [sh, -c, "echo no config; exit 3"]}}
                    """.formatted(IMAGE));
            try {
                BerthRoot.Run play = b.berth("kube", "play", m.toString());
                assertThat(play.code()).isNotZero();
                assertThat(play.out()).contains("Container/badhook/c  hook-failed: postStart hook failed: exec sh -c echo no config; exit 3 exited 3: "
                        + "no config; stopping it");
                // sleep as PID 1 ignores SIGTERM: killed after the grace period
                assertThat(play.err()).contains("Container/badhook/c: exited with code 137 (postStart hook failed: exec sh -c echo no config; exit 3 exited 3");
                assertThat(b.berth("events").ok().out()).contains("Container/badhook/c  hook-failed  postStart hook failed");
            } finally {
                b.berth("kube", "down", m.toString()).ok();
            }
            b.assertNothingLeft();
        }
    }
}
