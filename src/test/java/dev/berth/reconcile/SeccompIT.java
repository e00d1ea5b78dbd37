package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthRoot;
import dev.berth.testing.BerthRoot.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Seccomp on the real runc: every container under the default profile unless it says otherwise,
 * exec processes under their container's filter and capabilities.
 */
class SeccompIT {
    static final String PODS = """
            apiVersion: v1
            kind: Pod
            metadata: {name: confined}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
                - name: c
                  image: localhost/berth-busybox:latest
                  command: ["sleep", "1000"]
                  securityContext: {capabilities: {add: [SYS_ADMIN]}}
                - name: nocaps
                  image: localhost/berth-busybox:latest
                  command: ["sleep", "1000"]
                  securityContext: {capabilities: {drop: [ALL]}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: unconfined}
            spec:
              terminationGracePeriodSeconds: 1
              securityContext: {seccompProfile: {type: Unconfined}}
              containers:
                - name: c
                  image: localhost/berth-busybox:latest
                  command: ["sleep", "1000"]
                  securityContext: {capabilities: {add: [SYS_ADMIN]}}
                - name: local
                  image: localhost/berth-busybox:latest
                  command: ["sleep", "1000"]
                  securityContext: {seccompProfile: {type: Localhost, localhostProfile: no-mkdir.json}}
                - name: privileged
                  image: localhost/berth-busybox:latest
                  command: ["sleep", "1000"]
                  securityContext: {privileged: true, seccompProfile: {type: RuntimeDefault}}
            """;

    @Test
    void aBlockedSyscallFailsWithEpermUnderTheDefaultProfileAndWorksUnconfined() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path profiles = Files.createDirectories(b.root.resolve("seccomp"));
            Files.writeString(profiles.resolve("no-mkdir.json"), """
                    {"defaultAction": "SCMP_ACT_ALLOW",
                     "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
                    """);
            Path m = Files.writeString(b.dir.resolve("pods.yaml"), PODS);
            try {
                b.berth("kube", "play", m.toString()).ok();
                // swapon is refused by the default profile whatever the capabilities; the kernel,
                // given CAP_SYS_ADMIN, looks at the file and finds it is no swap area
                Run confined = b.berth("exec", "confined-c", "swapon", "/etc/hostname");
                assertThat(confined.code()).isNotZero();
                assertThat(confined.err()).contains("Operation not permitted");
                Run unconfined = b.berth("exec", "unconfined-c", "swapon", "/etc/hostname");
                assertThat(unconfined.code()).isNotZero();
                assertThat(unconfined.err()).contains("swapon").doesNotContain("Operation not permitted");
                assertThat(seccompMode(b, "confined-c")).isEqualTo("2");
                assertThat(seccompMode(b, "unconfined-c")).isEqualTo("0");
                assertThat(seccompMode(b, "unconfined-privileged")).isEqualTo("0");
                // a Localhost profile from the root's seccomp directory
                Run mkdir = b.berth("exec", "unconfined-local", "mkdir", "/tmp/x");
                assertThat(mkdir.code()).isNotZero();
                assertThat(mkdir.err()).contains("Operation not permitted");
                b.berth("exec", "unconfined-c", "mkdir", "/tmp/x").ok();
                // an exec process has its container's capabilities, not the defaults
                assertThat(b.berth("exec", "confined-nocaps", "grep", "CapEff", "/proc/self/status").ok().out())
                        .contains("0000000000000000");
            } finally {
                b.berth("kube", "down", m.toString()).ok();
            }
        }
    }

    private static String seccompMode(BerthRoot b, String container) {
        return b.berth("exec", container, "grep", "^Seccomp:", "/proc/self/status").ok().out().replaceAll("\\D", "");
    }

    @Test
    void aMissingLocalhostProfileIsAClearError() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path m = Files.writeString(b.dir.resolve("pod.yaml"), """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: lost}
                    spec:
                      containers:
                        - name: c
                          image: localhost/berth-busybox:latest
                          command: ["sleep", "1000"]
                          securityContext: {seccompProfile: {type: Localhost, localhostProfile: nowhere.json}}
                    """);
            try {
                Run play = b.berth("kube", "play", "--timeout", "5", m.toString());
                assertThat(play.code()).isNotZero();
                assertThat(play.err()).contains("seccomp profile").contains("nowhere.json").contains("does not exist").doesNotContain("Exception");
            } finally {
                b.berth("kube", "down", "--timeout", "1", m.toString()).ok();
            }
        }
    }
}
