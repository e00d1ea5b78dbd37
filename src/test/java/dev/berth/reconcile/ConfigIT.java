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
        assertThat(exec("stat -c '%a %U' /run/secrets/app/password")).isEqualTo("400 root\n");
        assertThat(exec("grep ' /run/secrets/app ' /proc/mounts | cut -d' ' -f3")).isEqualTo("tmpfs\n");
        assertThat(exec("grep ' /scratch ' /proc/mounts | cut -d' ' -f3,4")).startsWith("tmpfs ").contains("size=16384k");
        assertThat(exec("cat /etc/podinfo/labels")).isEqualTo("app=\"configured\"\n");
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
        assertThat(inUse.code()).isEqualTo(1);
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
}
