package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthRoot;
import dev.berth.testing.BerthRoot.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Configuration and storage at run time: env sources, ConfigMap/Secret/emptyDir/downward API/PVC volumes, secret hygiene. */
class ConfigIT {
    static final String SECRET = "s3cr3t-value";
    BerthRoot b;
    String manifest = Path.of("manifests/config-and-volumes.yaml").toAbsolutePath().toString();
    List<String> outputs = new ArrayList<>();

    @BeforeEach
    void setUp() {
        b = new BerthRoot().withSampleImage();
    }

    @AfterEach
    void tearDown() {
        b.berth("kube", "down", "--volumes", "--timeout", "1", manifest);
        b.close();
    }

    Run berth(String... args) {
        Run r = b.berth(args);
        outputs.add(r.out() + r.err());
        return r;
    }

    String exec(String script) {
        return berth("exec", "configured-app", "sh", "-c", script).out();
    }

    String waitForLog() throws Exception {
        String out = "";
        for (int i = 0; i < 50 && out.isEmpty(); i++) {
            TimeUnit.MILLISECONDS.sleep(20);
            out = berth("logs", "configured-app").out();
        }
        return out;
    }

    @Test
    void environmentFromEverySourceWithExpansion() throws Exception {
        berth("kube", "play", manifest).ok();
        assertThat(waitForLog()).isEqualTo("hello from configured in demo mode, $(NOT_EXPANDED)\n");
        assertThat(exec("echo $CFG_MODE $CFG_GREETING $POD_NAME; test \"$PASSWORD\" = " + SECRET + " && echo secret-ok"))
                .isEqualTo("demo hello configured\nsecret-ok\n");
    }

    @Test
    void volumesHaveTheirContentPermissionsAndLimits() throws Exception {
        berth("kube", "play", manifest).ok();
        assertThat(exec("cat /etc/app/app.conf")).isEqualTo("listen = 8080\n");
        assertThat(berth("exec", "configured-app", "sh", "-c", "echo x > /etc/app/new").err()).contains("Read-only file system");
        assertThat(exec("stat -c '%a %U' /run/secrets/app/password")).isEqualTo("644 root\n"); // Kubernetes' defaultMode
        assertThat(exec("grep ' /run/secrets/app ' /proc/mounts | cut -d' ' -f3")).isEqualTo("tmpfs\n");
        assertThat(exec("grep ' /scratch ' /proc/mounts | cut -d' ' -f3,4")).startsWith("tmpfs ").contains("size=16384k");
        assertThat(exec("cat /etc/podinfo/labels")).isEqualTo("app=\"configured\"\n");
    }

    @Test
    void aContainerRunningAsAnotherUserReadsItsSecretAndFsGroupOwnsTheFiles() throws Exception {
        Path m = write("uid999.yaml", """
                apiVersion: v1
                kind: Secret
                metadata: {name: db}
                stringData: {password: pw-999}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: db999}
                spec:
                  restartPolicy: Never
                  securityContext: {runAsUser: 999, runAsGroup: 999}
                  containers:
                    - name: c
                      image: %s
                      command: ["sh", "-c", "cat /run/db/password; echo; stat -c '%%a %%u %%g' /run/db/password /run/fs/password; sleep 1000"]
                      volumeMounts: [{name: db, mountPath: /run/db}, {name: fs, mountPath: /run/fs}]
                  volumes:
                    - {name: db, secret: {secretName: db}}
                    - {name: fs, secret: {secretName: db, defaultMode: 0440}}
                """.formatted(BerthRoot.IMAGE));
        Path fs = write("fsgroup.yaml", Files.readString(m).replace("runAsGroup: 999}", "runAsGroup: 999, fsGroup: 2000}"));
        for (var played : java.util.Map.of(m, "pw-999\n644 0 0\n440 0 0\n", fs, "pw-999\n644 0 2000\n440 0 2000\n").entrySet()) {
            try {
                berth("kube", "play", played.getKey().toString()).ok();
                String out = "";
                for (int i = 0; i < 100 && out.lines().count() < 3; i++) {
                    TimeUnit.MILLISECONDS.sleep(20);
                    out = berth("logs", "db999-c").out();
                }
                assertThat(out).as(played.getKey().toString()).isEqualTo(played.getValue());
            } finally {
                berth("kube", "down", "--timeout", "1", played.getKey().toString());
            }
        }
    }

    @Test
    void aClaimsVolumeSurvivesDownAndPlayUntilDownVolumes() throws Exception {
        berth("kube", "play", manifest).ok();
        exec("echo kept > /data/file");
        berth("kube", "down", "--timeout", "1", manifest).ok();
        assertThat(berth("volume", "ls").ok().out()).contains("app-data");
        berth("kube", "play", manifest).ok();
        assertThat(exec("cat /data/file; wc -l < /data/starts")).isEqualTo("kept\n2\n");
        Run inUse = berth("volume", "rm", "app-data");
        assertThat(inUse.code()).isEqualTo(125);
        assertThat(inUse.err()).contains("volume app-data is used by pod configured");
        assertThat(berth("kube", "down", "--volumes", "--timeout", "1", manifest).ok().out()).contains("volume app-data removed");
        assertThat(berth("volume", "ls").ok().out().lines()).hasSize(1);
    }

    @Test
    void theSecretValueShowsInNoOutput() throws Exception {
        outputs.add(String.join("\n", berth("kube", "play", manifest).ok().out()));
        berth("kube", "play", "--format", "json", "--replace", manifest).ok();
        berth("kube", "plan", "-o", "json", manifest).ok();
        berth("inspect", "configured-app").ok();
        berth("ps", "-a", "--format", "json").ok();
        berth("ps", "-a").ok();
        berth("pod", "inspect", "configured").ok();
        berth("pod", "ps", "--format", "json").ok();
        berth("logs", "configured-app").ok();
        berth("kube", "play", "--dry-run", manifest).ok();
        assertThat(String.join("\n", outputs)).doesNotContain(SECRET).contains("PASSWORD=<secret>");
        Path config = b.runroot.resolve("containers");
        try (var s = Files.walk(config)) {
            s.filter(p -> p.getFileName().toString().equals("config.json")).forEach(p -> {
                try {
                    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).isEqualTo("rw-------");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(b.root.resolve("state.db")))).isEqualTo("rw-------");
    }

    Path write(String name, String yaml) throws Exception {
        return Files.writeString(b.dir.resolve(name), yaml);
    }

    @Test
    void securityContextAndResourcesApply() throws Exception {
        String secure = Path.of("manifests/security-and-resources.yaml").toAbsolutePath().toString();
        berth("kube", "play", secure).ok();
        String out = "";
        for (int i = 0; i < 50 && !out.contains("Read-only"); i++) {
            TimeUnit.MILLISECONDS.sleep(20);
            out = berth("logs", "locked-down-app").out() + berth("logs", "locked-down-app").err();
        }
        assertThat(out).contains("uid=1000(app) gid=1000(app) groups=2000").contains("cache-writable")
                .contains("touch: /root-fs-write: Read-only file system");
        assertThat(berth("exec", "locked-down-app", "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us").ok().out())
                .isEqualTo("67108864\n50000\n");
        assertThat(berth("exec", "locked-down-app", "stat", "-c", "%g %A", "/cache").ok().out()).isEqualTo("2000 drwxrwsrwx\n");
        berth("kube", "down", "--timeout", "1", secure).ok();
    }

    @Test
    void runAsNonRootRefusesARootImage() throws Exception {
        Path m = write("nonroot.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: strict}
                spec:
                  securityContext: {runAsNonRoot: true}
                  containers: [{name: c, image: localhost/berth-busybox:latest, command: ["true"]}]
                """);
        Run r = berth("kube", "play", m.toString());
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err()).contains("Container/strict/c: container strict-c: runAsNonRoot is set, but it would run as root (uid 0)");
        berth("kube", "down", m.toString()).ok();
    }

    @Test
    void subPathAndHostPathVolumes() throws Exception {
        Path host = Files.createDirectories(b.dir.resolve("host-dir"));
        Files.writeString(host.resolve("from-host"), "on the host\n");
        Path m = write("paths.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: files}
                data: {one: "1", two: "2"}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: paths}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                    - name: c
                      image: localhost/berth-busybox:latest
                      command: ["sleep", "1000"]
                      volumeMounts:
                        - {name: files, mountPath: /etc/two, subPath: two}
                        - {name: host, mountPath: /host, readOnly: true}
                        - {name: made, mountPath: /made}
                  volumes:
                    - name: files
                      configMap: {name: files}
                    - name: host
                      hostPath: {path: %s, type: Directory}
                    - name: made
                      hostPath: {path: %s/created, type: DirectoryOrCreate}
                """.formatted(host, host));
        berth("kube", "play", m.toString()).ok();
        assertThat(berth("exec", "paths-c", "cat", "/etc/two", "/host/from-host").ok().out()).isEqualTo("2on the host\n");
        assertThat(berth("exec", "paths-c", "touch", "/host/x").err()).contains("Read-only file system");
        assertThat(host.resolve("created")).isDirectory();
        Path missing = write("missing.yaml", Files.readString(m).replace("type: Directory}", "type: File}").replace("name: paths}", "name: paths2}"));
        Run r = berth("kube", "play", missing.toString());
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err()).contains("hostPath volume host: " + host + " is not a file");
        berth("kube", "down", "--timeout", "1", missing.toString());
        berth("kube", "down", "--timeout", "1", m.toString()).ok();
    }

    @Test
    void aSubPathNeverLeadsOutOfItsVolumeWhateverSymlinksItHolds() throws Exception {
        Path m = write("escape.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: escape}
                spec:
                  terminationGracePeriodSeconds: 1
                  initContainers:
                    - name: plant
                      image: localhost/berth-busybox:latest
                      command: ["sh", "-c", "ln -s / /vol/root && ln -s ../../../../../../etc /vol/up && mkdir /vol/real && echo inside > /vol/real/f"]
                      volumeMounts: [{name: vol, mountPath: /vol}]
                  containers:
                    - name: c
                      image: localhost/berth-busybox:latest
                      command: ["sleep", "1000"]
                      volumeMounts:
                        - {name: vol, mountPath: /a, subPath: root/etc}
                        - {name: vol, mountPath: /b, subPath: up}
                        - {name: vol, mountPath: /c, subPath: real}
                  volumes:
                    - {name: vol, emptyDir: {}}
                """);
        try {
            berth("kube", "play", m.toString()).ok();
            // the links resolve inside the volume: its own (new, empty) etc, not the host's
            assertThat(berth("exec", "escape-c", "ls", "-A", "/a", "/b").ok().out()).doesNotContain("os-release").doesNotContain("passwd");
            assertThat(berth("exec", "escape-c", "cat", "/c/f").ok().out()).isEqualTo("inside\n");
            berth("exec", "escape-c", "touch", "/a/planted").ok();
            assertThat(Path.of("/etc/planted")).doesNotExist();
        } finally {
            berth("kube", "down", "--timeout", "1", m.toString()).ok();
        }
    }

    @Test
    void aDeploymentOfThreeReplicasAndJobsWithCompletionsParallelismAndBackoffLimit() throws Exception {
        Path deployment = write("deploy.yaml", Files.readString(Path.of("manifests/deployment-configmap.yaml")).replace("replicas: 2", "replicas: 3"));
        berth("kube", "play", deployment.toString()).ok();
        assertThat(berth("pod", "ps").ok().out()).contains("web-0").contains("web-1").contains("web-2");
        berth("kube", "down", "--timeout", "1", deployment.toString()).ok();

        String jobs = Path.of("manifests/job.yaml").toAbsolutePath().toString();
        Run play = berth("--format", "json", "kube", "play", jobs);
        assertThat(play.code()).as(play.out() + play.err()).isEqualTo(125);
        assertThat(play.out()).contains("Job flaky reached its backoffLimit (2): 3 failed runs")
                .contains("Job slow ran past its activeDeadlineSeconds (2 s): DeadlineExceeded");
        // parallelism 2: the third pod starts only after one of the first two is done
        List<String> events = PodIT.events(play);
        assertThat(events.indexOf("Pod/batch-2 creating")).isGreaterThan(Math.min(events.indexOf("Container/batch-0/work completed"),
                events.indexOf("Container/batch-1/work completed")));
        assertThat(berth("job", "ls").ok().out()).containsPattern("batch +4/4 +0 +0 +Complete").containsPattern("flaky +0/1 +3 +0 +Failed") // the 3 failed runs play reported
                .containsPattern("slow +0/1 +1 +0 +Failed");
        berth("kube", "down", "--timeout", "1", jobs).ok();
    }
}
