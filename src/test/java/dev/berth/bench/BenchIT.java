package dev.berth.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.sys.Linux;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** bench/compare (with bench/rootless), bench/pull and bench/plan run end to end in their quick mode (one run each) and print every row; no timing is asserted. */
class BenchIT {
    static final List<String> ROWS = List.of("run --rm true", "run --rm true (podman --network none)", "demo play", "play 20x2",
            "down 20x2", "generate 10 pods", "ps -a (30 containers)", "limit 20x2 (bare runc run -d)", "plan 200 pods (berth only)",
            "readiness gate (port open -> dependent starting)", "rootless run --rm true", "rootless demo play", "rootless play 20x2",
            "rootless down 20x2");

    @Test
    void compareQuickPrintsEveryRow() throws Exception {
        assumeTrue(Linux.isRoot(), "bench/compare drives runc and podman and needs root");
        Process p = new ProcessBuilder("bench/compare", "--quick").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        for (String row : ROWS) {
            assertThat(out).as(out).containsPattern("(?m)^" + java.util.regex.Pattern.quote(row) + " +\\d+ ");
        }
        assertThat(out).containsPattern("(?m)^play 20x2 +\\d+ +\\d+ +\\d+\\.\\d\\d +\\d+ MB$");
        assertThat(out).contains("play 20x2 against the bare-runc limit: ");
        assertThat(out).containsPattern("(?m)^20 +\\d+ +\\d+ +\\d+ +\\d+ +\\d+ MB$");
    }

    @Test
    void pullQuickPrintsEveryRowWithARatio() throws Exception {
        assumeTrue(Linux.isRoot(), "bench/pull drives podman and a registry and needs root");
        Process p = new ProcessBuilder("bench/pull", "--quick").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(15, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        for (String row : List.of("pull nginx (cold, gzip, schema 2)", "pull redis (cold, zstd, OCI)", "pull nginx:again (layers in store)")) {
            assertThat(out).as(out).containsPattern("(?m)^" + java.util.regex.Pattern.quote(row) + " +\\d+ +\\d+ +\\d+\\.\\d\\d$");
        }
    }

    @Test
    void apiQuickPrintsEveryRow() throws Exception {
        assumeTrue(Linux.isRoot(), "bench/api runs pods and podman and needs root");
        Process p = new ProcessBuilder("bench/api", "--quick").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("(?m)^api start -> answer +\\d+ ms; first kubectl get answered after \\d+ ms")
                .containsPattern("(?m)^get pods -A \\(100 pods\\) +\\d+ ms \\(100 running\\)")
                .containsPattern("(?m)^watch delay +\\d+ ms from the create's start")
                .containsPattern("(?m)^apply 20x2 -> Ready +kubectl apply\\+wait \\d+ ms; berth kube play \\d+ ms \\(\\d+\\.\\d\\dx\\); podman kube play \\d+ ms");
    }

    @Test
    void planPrintsBothRowsWithARatioToTheJvmStart() throws Exception {
        Process p = new ProcessBuilder("bench/plan", "1").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("200 pods \\(400 containers\\), cold: runs \\d+ ms\nmedian \\d+ ms \\(\\d+\\.\\d× --version\\)")
                .containsPattern("200 objects of 20 kinds, cold: runs \\d+ ms\nmedian \\d+ ms \\(\\d+\\.\\d× --version\\)");
    }
}
