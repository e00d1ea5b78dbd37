package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.ContainerSpec;
import dev.berth.api.Manifests;
import dev.berth.api.PodSpec;
import dev.berth.testing.Yaml;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartsTest {
    @TempDir
    Path dir;

    PodSpec pod(String policy) {
        Manifests m = new Yaml(dir).read("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  restartPolicy: %s
                  initContainers:
                    - {name: init, image: busybox}
                    - {name: sidecar, image: busybox, restartPolicy: Always}
                  containers:
                    - {name: app, image: busybox}
                """.formatted(policy));
        return m.pods().get(0);
    }

    static ContainerSpec container(PodSpec pod, String name) {
        return pod.container(name).orElseThrow();
    }

    @Test
    void eachPolicyRestartsWhatKubernetesRestarts() {
        Restarts restarts = new Restarts();
        for (String policy : List.of("Always", "OnFailure", "Never")) {
            PodSpec pod = pod(policy);
            ContainerSpec app = container(pod, "app");
            assertThat(restarts.onExit(pod, app, 1, 0, Duration.ZERO).restarts()).as("%s, exit 1", policy).isEqualTo(!policy.equals("Never"));
            assertThat(restarts.onExit(pod, app, 0, 0, Duration.ZERO).restarts()).as("%s, exit 0", policy).isEqualTo(policy.equals("Always"));
            // a native sidecar always comes back, whatever the pod says
            assertThat(restarts.onExit(pod, container(pod, "sidecar"), 0, 0, Duration.ZERO).restarts()).isTrue();
        }
        // an init container of an Always pod must complete once: it is retried on failure only
        PodSpec always = pod("Always");
        assertThat(restarts.onExit(always, container(always, "init"), 1, 0, Duration.ZERO).policy()).isEqualTo("OnFailure");
        assertThat(restarts.onExit(always, container(always, "init"), 0, 0, Duration.ZERO).restarts()).isFalse();
        assertThat(restarts.onExit(pod("Never"), container(pod("Never"), "init"), 1, 0, Duration.ZERO).restarts()).isFalse();
    }

    @Test
    void theFirstRestartIsAtOnceThenTheWindowDoublesFromOneSecondToItsCapLessTheRun() {
        Restarts restarts = new Restarts();
        List<Long> instant = new ArrayList<>();
        List<Long> afterThreeSeconds = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            instant.add(restarts.delay(i, Duration.ZERO).toSeconds());
            afterThreeSeconds.add(restarts.delay(i, Duration.ofSeconds(3)).toSeconds());
        }
        assertThat(instant).containsExactly(0L, 1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L);
        assertThat(afterThreeSeconds).containsExactly(0L, 0L, 0L, 1L, 5L, 13L, 29L, 57L, 57L);
        assertThat(restarts.delay(100, Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(59));
        assertThat(restarts.delay(100, Duration.ofMinutes(10))).as("a long run starts it again at once").isZero();
        assertThat(new Restarts(Duration.ofSeconds(5)).delay(4, Duration.ZERO)).isEqualTo(Duration.ofSeconds(5));
    }
}
