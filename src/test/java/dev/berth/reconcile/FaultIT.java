package dev.berth.reconcile;

import static dev.berth.testing.BerthRoot.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Json;
import dev.berth.testing.BerthRoot;
import dev.berth.testing.BerthRoot.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Faults injected into real pods: berth killed during down, a container's monitor or a pod's
 * infra container killed. After each, what the user reads must stay true and one down must
 * remove everything. Random delays take a seed that the test prints.
 */
class FaultIT {
    /** Pods whose containers end on SIGTERM at once, so that a slow stop means berth waited in vain. */
    static String pods(int n) {
        return pods(n, "Always");
    }

    static String pods(int n, String restartPolicy) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: f%d}
                    spec:
                      restartPolicy: %s
                      containers:
                        - {name: a, image: %s, command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"]}
                        - {name: b, image: %s, command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"]}
                    ---
                    """.formatted(i, restartPolicy, IMAGE, IMAGE));
        }
        return s.toString();
    }

    static long seed() {
        long seed = Long.getLong("berth.seed", System.nanoTime());
        System.out.println("FaultIT seed: " + seed + " (rerun with -Dberth.seed=" + seed + ")");
        return seed;
    }

    @Test
    void berthKilledDuringDownLeavesPodsThatReadCommandsShowAndASecondDownRemoves() throws Exception {
        Random random = new Random(seed());
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path m = Files.writeString(b.dir.resolve("pods.yaml"), pods(4));
            for (int trial = 0; trial < Integer.getInteger("berth.trials", 5); trial++) {
                b.berth("kube", "play", m.toString()).ok();
                Process down = new ProcessBuilder(b.processArgv("kube", "down", m.toString())).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                TimeUnit.MILLISECONDS.sleep(200 + random.nextInt(900));
                down.destroyForcibly().waitFor();
                // whatever the cut left, read commands answer, and a half-removed pod says so
                Run ps = b.berth("pod", "ps", "--format", "json");
                assertThat(ps.code()).as("pod ps after trial %d: %s", trial, ps.err()).isZero();
                for (Object p : (List<?>) Json.parse(ps.out())) {
                    String name = (String) ((Map<?, ?>) p).get("Name");
                    assertThat(b.berth("pod", "inspect", name).code()).as("pod inspect %s after trial %d", name, trial).isZero();
                    assertThat(((Map<?, ?>) p).get("Reason")).as("pod %s after trial %d", name, trial).isIn("Terminating", null);
                }
                assertThat(b.berth("ps", "-a").code()).isZero();
                b.berth("kube", "down", "--timeout", "1", m.toString()).ok();
                b.assertNothingLeft();
            }
        }
    }

    @Test
    void aKilledMonitorDoesNotMakeDownWaitAndAKilledInfraIsShown() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            // Never: the killed container stays exited for ps to show (the supervisor would restart it)
            // f1 shares its PID namespace, so it has an infra container (the one pod kind that still does)
            Path m = Files.writeString(b.dir.resolve("pods.yaml"), pods(2, "Never").replace("metadata: {name: f1}\nspec:\n",
                    "metadata: {name: f1}\nspec:\n  shareProcessNamespace: true\n"));
            try {
                b.berth("kube", "play", m.toString()).ok();
                // the conmon of f0-a, by the pid it wrote
                String id = ((Map<?, ?>) first(Json.parse(b.berth("inspect", "f0-a").ok().out()))).get("Id").toString();
                long conmon = Long.parseLong(Files.readString(b.runroot.resolve("containers").resolve(id).resolve("conmon.pid")).strip());
                new ProcessBuilder("kill", "-9", Long.toString(conmon)).start().waitFor();
                // the infra container of f1, by the pid of its process
                long infraPid = Long.parseLong(b.berth("inspect", "-f", "{{.State.Pid}}", "f1-infra").ok().out().strip());
                new ProcessBuilder("kill", "-9", Long.toString(infraPid)).start().waitFor();
                // and a container's own process
                long process = Long.parseLong(b.berth("inspect", "-f", "{{.State.Pid}}", "f0-b").ok().out().strip());
                new ProcessBuilder("kill", "-9", Long.toString(process)).start().waitFor();
                waitFor(() -> b.berth("pod", "ps").out().contains("SandboxExited"), "pod ps to show f1's sandbox exited");
                waitFor(() -> b.berth("ps", "-a").out().contains("Exited (137)"), "ps -a to show f0-b killed");
                assertThat(b.berth("ps", "-a").ok().out()).containsPattern("Exited \\(137\\).*f0-b").containsPattern("Up .*f0-a");
                assertThat(b.berth("pod", "ps").ok().out()).containsPattern("f1 +SandboxExited").containsPattern("f0 +Running");
                long start = System.nanoTime();
                b.berth("kube", "down", m.toString()).ok(); // grace period 30 s: the containers end on SIGTERM at once
                assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).as("seconds down took").isLessThan(20);
            } finally {
                b.berth("kube", "down", "--timeout", "1", m.toString()).ok();
            }
            b.assertNothingLeft();
        }
    }

    @Test
    void aDamagedStateIsReportedAndRepairRemovesWhatItCannotRebuild() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path m = Files.writeString(b.dir.resolve("linked.yaml"), Files.readString(Path.of("manifests/service-link.yaml"))
                    .replace("containerPort: 8080", "containerPort: 8080\n          hostPort: " + (20000 + new Random().nextInt(20000))));
            try {
                b.berth("kube", "play", m.toString()).ok();
                b.berth("ps").ok(); // the state as berth leaves it after a command: checkpointed or not, both must be handled
                try (var db = java.nio.channels.FileChannel.open(b.root.resolve("state.db"), java.nio.file.StandardOpenOption.WRITE)) {
                    db.write(java.nio.ByteBuffer.wrap("this is no database, sorry!!".getBytes()), 0);
                }
                Run ps = b.berth("ps", "-a");
                assertThat(ps.code()).isNotZero();
                assertThat(ps.err()).contains("is damaged").contains("berth system repair").doesNotContain("Exception").doesNotContain("\tat ");
                Run check = b.berth("system", "check");
                assertThat(check.code()).isNotZero();
                assertThat(check.out()).containsPattern("state: .*damaged");
                Run repair = b.berth("system", "repair");
                assertThat(repair.code()).as(repair.out() + repair.err()).isZero();
                assertThat(repair.out()).contains("moved the damaged state to").contains("removed pod api").contains("removed pod frontend")
                        .contains("recorded image").contains(IMAGE).contains("removed Service rules");
                assertThat(b.berth("system", "check").out()).contains("state: ok");
                assertThat(b.berth("image", "ls").ok().out()).contains("localhost/berth-busybox");
                b.assertNothingLeft();
                assertThat(b.berth("ps", "-a", "--format", "json").ok().out().strip()).isEqualTo("[]");
                // and the manifests play again
                b.berth("kube", "play", m.toString()).ok();
            } finally {
                b.berth("kube", "down", "--timeout", "1", m.toString());
            }
            b.assertNothingLeft();
        }
    }

    @Test
    void aDamagedPageIsReportedAndRepaired() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            b.berth("image", "ls").ok(); // the last connection's close checkpoints the log into the file
            Path db = b.root.resolve("state.db");
            assertThat(Files.exists(b.root.resolve("state.db-wal")) ? Files.size(b.root.resolve("state.db-wal")) : 0).isZero();
            long pages = Files.size(db) / 4096;
            assertThat(pages).isGreaterThan(2);
            try (var file = java.nio.channels.FileChannel.open(db, java.nio.file.StandardOpenOption.WRITE)) {
                byte[] noise = new byte[4096];
                new Random(7).nextBytes(noise);
                for (long page = 1; page < pages; page++) { // every page but the header's
                    file.write(java.nio.ByteBuffer.wrap(noise), page * 4096);
                }
            }
            Run ls = b.berth("image", "ls");
            assertThat(ls.code()).isNotZero();
            assertThat(ls.err()).contains("is damaged (SQLITE_CORRUPT)").contains("berth system repair").doesNotContain("Exception");
            assertThat(b.berth("system", "check").out()).containsPattern("state: .*(damaged|malformed)");
            b.berth("system", "repair").ok();
            assertThat(b.berth("image", "ls").ok().out()).contains("localhost/berth-busybox");
            b.berth("run", "--rm", IMAGE, "true").ok();
        }
    }

    @Test
    void aStateDeletedByHandIsNoticedAndRepairForceCleansUp() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path m = Files.writeString(b.dir.resolve("pods.yaml"), pods(1));
            try {
                b.berth("kube", "play", m.toString()).ok();
                for (String suffix : new String[] {"", "-wal", "-shm"}) {
                    Files.deleteIfExists(b.root.resolve("state.db" + suffix));
                }
                Run check = b.berth("system", "check");
                assertThat(check.code()).isNotZero();
                assertThat(check.out()).contains("on disk but in no record").contains("pod f0").contains("system repair --force");
                Run repair = b.berth("system", "repair", "--force");
                assertThat(repair.code()).as(repair.err()).isZero();
                assertThat(repair.out()).contains("removed pod f0").contains("recorded image").contains(IMAGE);
                assertThat(b.berth("system", "check").out()).contains("state: ok");
                b.assertNothingLeft();
            } finally {
                b.berth("kube", "down", "--timeout", "1", m.toString());
                b.berth("system", "repair", "--force");
            }
        }
    }

    static Object first(Object json) {
        return json instanceof List<?> l ? l.get(0) : json;
    }

    static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        dev.berth.testing.BerthRoot.waitFor(condition, what);
    }
}
