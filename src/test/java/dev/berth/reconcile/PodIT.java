package dev.berth.reconcile;

import static dev.berth.testing.BerthRoot.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Json;
import dev.berth.testing.BerthRoot;
import dev.berth.testing.BerthRoot.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Pods on the real runc, conmon, catatonit and network namespaces: play in readiness order, and down. */
class PodIT {
    BerthRoot b;

    @BeforeEach
    void setUp() {
        b = new BerthRoot().withSampleImage();
    }

    @AfterEach
    void tearDown() {
        b.close(); // removes every pod and container, and whatever a berth that no longer works left behind
    }

    Path manifest(String name, String yaml) throws Exception {
        return Files.writeString(b.dir.resolve(name), yaml);
    }

    /** The events of a play run with --format json, as (node, state) pairs in order. */
    static List<String> events(Run r) {
        List<String> events = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            Map<?, ?> e = (Map<?, ?>) Json.parse(line);
            if (e.containsKey("node")) {
                events.add(e.get("node") + " " + e.get("state"));
            }
        }
        return events;
    }

    /** pod stop, start and restart as podman's: the same containers, stopped in reverse order and started in the plan's (issue 18). */
    @Test
    void podStopStartAndRestartKeepTheSameContainersAndTheOrder() throws Exception {
        String demo = Path.of("manifests/demo.yaml").toAbsolutePath().toString();
        b.berth("kube", "play", "-q", demo).ok();
        String web = b.berth("inspect", "-f", "{{.Id}}", "demo-web").ok().out();
        assertThat(b.berth("pod", "stop", "-t", "1", "demo").ok().out()).isEqualTo("demo\n");
        assertThat(b.berth("pod", "ps", "--format", "{{.Name}} {{.Status}}").ok().out()).isEqualTo("demo Stopped\n");
        TimeUnit.SECONDS.sleep(2); // nothing starts them again meanwhile
        assertThat(b.berth("ps", "-q").ok().out()).isEmpty();
        assertThat(b.berth("ps", "-a").ok().out()).as("a stopped pod's containers wait for no restart")
                .doesNotContain("CrashLoopBackOff").contains("Exited (");

        // the client waits for the web container to be ready again, as in the play: its second page arrives too
        assertThat(b.berth("pod", "start", "demo").ok().out()).isEqualTo("demo\n");
        assertThat(b.berth("inspect", "-f", "{{.Id}}", "demo-web").ok().out()).isEqualTo(web);
        assertThat(b.berth("inspect", "-f", "{{.State.Status}}", "demo-web").ok().out()).isEqualTo("running\n");
        awaitExit("demo-client");
        assertThat(b.berth("logs", "demo-client").ok().out()).isEqualTo("hello from web\nhello from web\n");

        assertThat(b.berth("pod", "restart", "-t", "1", "demo").ok().out()).isEqualTo("demo\n");
        awaitExit("demo-client");
        assertThat(b.berth("logs", "demo-client").ok().out()).isEqualTo("hello from web\nhello from web\nhello from web\n");
        assertThat(b.berth("pod", "ps", "--format", "{{.Name}} {{.Phase}}").ok().out()).isEqualTo("demo Running\n");

        Run missing = b.berth("pod", "stop", "bt-nosuch");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("Error: no pod \"bt-nosuch\"\n");
        // a stopped pod played again is played anew
        b.berth("pod", "stop", "-t", "1", "demo").ok();
        assertThat(b.berth("kube", "play", demo).ok().out()).contains("demo");
        assertThat(b.berth("pod", "ps", "--format", "{{.Name}} {{.Phase}}").ok().out()).isEqualTo("demo Running\n");
        b.berth("kube", "down", "--timeout", "1", demo).ok();
    }

    private void awaitExit(String container) throws InterruptedException {
        for (int i = 0; i < 100 && !b.berth("inspect", "-f", "{{.State.Status}}", container).ok().out().equals("exited\n"); i++) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        assertThat(b.berth("inspect", "-f", "{{.State.ExitCode}}", container).ok().out()).isEqualTo("0\n");
    }

    @Test
    void theDemosClientGetsThePageTwentyTimesOutOfTwenty() throws Exception {
        String demo = Path.of("manifests/demo.yaml").toAbsolutePath().toString();
        for (int i = 0; i < 20; i++) {
            Run play = b.berth("kube", "play", "--format", "json", demo);
            assertThat(play.code()).as("play %d: %s", i, play.err()).isZero();
            List<String> events = events(play);
            assertThat(events.indexOf("Container/demo/client starting")).isGreaterThan(events.indexOf("Container/demo/web ready"));
            assertThat(b.berth("logs", "demo-client").ok().out()).isEqualTo("hello from web\n");
            Map<?, ?> client = (Map<?, ?>) ((List<?>) Json.parse(b.berth("inspect", "demo-client").ok().out())).get(0);
            for (int w = 0; w < 50 && !"exited".equals(((Map<?, ?>) client.get("State")).get("Status")); w++) {
                TimeUnit.MILLISECONDS.sleep(20);
                client = (Map<?, ?>) ((List<?>) Json.parse(b.berth("inspect", "demo-client").ok().out())).get(0);
            }
            assertThat(((Map<?, ?>) client.get("State")).get("ExitCode")).isEqualTo(0L);
            // events in the order of their times; an end before play returned is reported (issue 18)
            List<java.time.Instant> times = play.out().lines().map(l -> (Map<?, ?>) Json.parse(l)).filter(e -> e.containsKey("time"))
                    .map(e -> java.time.Instant.parse((String) e.get("time"))).toList();
            assertThat(times).as("play %d", i).isSorted();
            java.time.Instant finished = java.time.Instant.parse((String) ((Map<?, ?>) client.get("State")).get("FinishedAt"));
            if (!events.contains("Container/demo/client completed")) {
                // the exit file's time is the kernel's coarse clock, a tick (4 ms here) or two behind the write
                assertThat(finished).as("play %d ended at %s without the client's end at %s", i, times.get(times.size() - 1), finished)
                        .isAfter(times.get(times.size() - 1).minusMillis(20));
            }
            b.berth("kube", "down", "--timeout", "1", demo).ok();
        }
        b.assertNothingLeft();
    }

    /** A pod's sandbox either way (issue 29): namespace files by default, an infra container with --infra or the pod's annotation. */
    @ParameterizedTest
    @ValueSource(strings = {"files", "--infra", "annotation"})
    void containersOfAPodShareLocalhostAndTheHostname(String sandbox) throws Exception {
        Path m = manifest("pair.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: pair%s}
                spec:
                  hostname: shared-name
                  containers:
                    - name: server
                      image: %s
                      command: ["sh", "-c", "hostname > /www/index.html; exec httpd -f -p 8081 -h /www"]
                      ports: [{containerPort: 8081}]
                    - name: client
                      image: %s
                      command: ["sh", "-c", "echo \\"$(hostname) $(wget -q -O - http://localhost:8081/)\\"; exec sleep 1000"]
                """.formatted(sandbox.equals("annotation") ? ", annotations: {berth.dev/infra: \"true\"}" : "", IMAGE, IMAGE));
        if (sandbox.equals("--infra")) {
            b.berth("kube", "play", "--infra", m.toString()).ok();
        } else {
            b.berth("kube", "play", m.toString()).ok();
        }
        String out = "";
        for (int i = 0; i < 50 && out.isEmpty(); i++) {
            TimeUnit.MILLISECONDS.sleep(20);
            out = b.berth("logs", "pair-client").ok().out();
        }
        assertThat(out).isEqualTo("shared-name shared-name\n");
        assertThat(b.berth("exec", "pair-server", "cat", "/etc/hosts").ok().out()).contains("shared-name");
        // one IPC namespace, $HOSTNAME as Kubernetes sets it, PID namespaces their own
        String ipc = b.berth("exec", "pair-server", "readlink", "/proc/self/ns/ipc").ok().out();
        assertThat(b.berth("exec", "pair-client", "readlink", "/proc/self/ns/ipc").ok().out()).isEqualTo(ipc).startsWith("ipc:");
        assertThat(b.berth("exec", "pair-client", "sh", "-c", "echo $HOSTNAME").ok().out()).isEqualTo("shared-name\n");
        assertThat(b.berth("exec", "pair-client", "ps").ok().out()).doesNotContain("httpd");
        if (sandbox.equals("files")) {
            assertThat(b.berth("ps", "-a").ok().out()).contains("pair-client").doesNotContain("pair-infra");
            assertThat(b.berth("pod", "inspect", "pair").ok().out()).doesNotContain("InfraContainerID");
        } else { // the namespaces are the infra process's, as in a podman pod
            assertThat(b.berth("ps").ok().out()).containsPattern("localhost/berth-infra:latest +/catatonit -P .* Up .* pair-infra");
            assertThat(b.berth("pod", "inspect", "pair").ok().out()).contains("\"InfraContainerID\": \"");
            String pid = b.berth("inspect", "-f", "{{.State.Pid}}", "pair-infra").ok().out().strip();
            assertThat(Files.readSymbolicLink(Path.of("/proc", pid, "ns", "ipc")).toString() + "\n").isEqualTo(ipc);
            assertThat(Files.readSymbolicLink(Path.of("/proc", pid, "ns", "pid")).toString())
                    .isNotEqualTo(b.berth("exec", "pair-client", "readlink", "/proc/self/ns/pid").ok().out().strip());
        }
        b.berth("kube", "down", "--timeout", "1", m.toString()).ok();
        b.assertNothingLeft();
    }

    @Test
    void aSharedProcessNamespaceShowsEachContainersProcessesToTheOthers() throws Exception {
        Path m = manifest("shared.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: shared}
                spec:
                  shareProcessNamespace: true
                  terminationGracePeriodSeconds: 1
                  containers:
                    - {name: a, image: %s, command: ["sleep", "1001"]}
                    - {name: b, image: %s, command: ["sleep", "1002"]}
                """.formatted(IMAGE, IMAGE));
        b.berth("kube", "play", m.toString()).ok();
        // the infra container's catatonit is the namespace's init, as in Kubernetes
        assertThat(b.berth("exec", "shared-b", "ps").ok().out()).contains("sleep 1001").contains("sleep 1002").contains("catatonit");
        assertThat(b.berth("pod", "ps").ok().out()).containsPattern("shared +Running");
        b.berth("kube", "down", m.toString()).ok();
        b.assertNothingLeft();
    }

    @Test
    void initContainersRunInOrderBeforeTheApp() throws Exception {
        String chain = Path.of("manifests/init-chain.yaml").toAbsolutePath().toString();
        Run play = b.berth("kube", "play", "--format", "json", chain).ok();
        List<String> events = events(play);
        assertThat(events.indexOf("Container/init-chain/migrate starting")).isGreaterThan(events.indexOf("Container/init-chain/fetch-config completed"));
        assertThat(events.indexOf("Container/init-chain/app starting")).isGreaterThan(events.indexOf("Container/init-chain/migrate completed"));
        assertThat(b.berth("logs", "init-chain-app").ok().out()).isEqualTo("greeting=hello\nmigrated\n");
    }

    @Test
    void aFailingInitContainerStopsThePodAndTheAppNeverStarts() throws Exception {
        Path m = manifest("fail.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: broken}
                spec:
                  restartPolicy: Never
                  initContainers:
                    - {name: setup, image: %s, command: ["sh", "-c", "echo cannot reach db >&2; exit 3"]}
                  containers:
                    - {name: app, image: %s, command: ["sleep", "1000"]}
                """.formatted(IMAGE, IMAGE));
        Run play = b.berth("kube", "play", m.toString());
        assertThat(play.code()).isEqualTo(125);
        assertThat(play.err()).contains("Error: Container/broken/setup: exited with code 3; its last output: cannot reach db")
                .contains("Error: Container/broken/app: waits for Container/broken/setup to be completed (init: app containers start after the init containers; \"setup\" must exit 0 first), which failed: exited with code 3");
        assertThat(b.berth("ps", "-a").ok().out()).doesNotContain("broken-app");
        assertThat(play.out()).contains("pod broken: failed").doesNotContain("created");
        // played again, a pod whose container failed for good is played anew, not kept as "unchanged" (issue 18)
        Run again = b.berth("kube", "play", m.toString());
        assertThat(again.code()).isEqualTo(125);
        assertThat(again.out()).contains("Pod/broken  replacing: its container broken-setup failed (exit code 3) and would not start again");
        b.berth("kube", "down", m.toString()).ok();
        b.assertNothingLeft();
    }

    @Test
    void aSidecarWithAStartupProbeIsUpBeforeTheApp() throws Exception {
        String sidecar = Path.of("manifests/sidecar.yaml").toAbsolutePath().toString();
        Run play = b.berth("kube", "play", "--format", "json", sidecar).ok();
        List<String> events = events(play);
        assertThat(events.indexOf("Container/sidecar/app starting")).isGreaterThan(events.indexOf("Container/sidecar/proxy started"));
        String out = "";
        for (int i = 0; i < 50 && out.lines().count() < 2; i++) {
            TimeUnit.MILLISECONDS.sleep(20);
            out = b.berth("logs", "sidecar-app").ok().out();
        }
        // the app's own output and its postStart hook's, written through PID 1's stdout, in either order
        assertThat(out.lines()).containsExactlyInAnyOrder("via proxy", "postStart hook ran");
        b.berth("kube", "down", "--timeout", "1", sidecar).ok();
        b.assertNothingLeft();
    }

    @Test
    void aReadinessTimeoutIsReportedWithTheProbesLastError() throws Exception {
        Path m = manifest("slow.yaml", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: slow
                  annotations: {berth.dev/depends-on.client: server}
                spec:
                  containers:
                    - name: server
                      image: %s
                      command: ["sleep", "1000"]
                      ports: [{name: http, containerPort: 8099}]
                      readinessProbe:
                        httpGet: {path: /healthz, port: http}
                    - {name: client, image: %s, command: ["true"]}
                """.formatted(IMAGE, IMAGE));
        Run play = b.berth("kube", "play", "--timeout", "2", m.toString());
        assertThat(play.code()).isEqualTo(125);
        assertThat(play.err()).contains("Error: Container/slow/server: not ready within 2s (--timeout): readinessProbe httpGet :http/healthz passes never held; last probe")
                .contains("http GET 127.0.0.1:8099/healthz: connection refused")
                .contains("Error: Container/slow/client: waits for Container/slow/server to be ready (declared: declared by berth.dev/depends-on.client: \"server\" at " + m + ":5), which failed: not ready within 2s");
        assertThat(b.berth("ps", "-a").ok().out()).doesNotContain("slow-client");
    }

    @Test
    void aPodThatCallsAServiceStartsAfterThePodsBehindIt() throws Exception {
        String link = Path.of("manifests/service-link.yaml").toAbsolutePath().toString();
        Run play = b.berth("kube", "play", "--format", "json", link).ok();
        List<String> events = events(play);
        assertThat(events.indexOf("Container/frontend/ui starting")).isGreaterThan(events.indexOf("Container/api/server ready"));
        Map<?, ?> api = (Map<?, ?>) ((List<?>) Json.parse(b.berth("pod", "inspect", "api").ok().out())).get(0);
        assertThat(api.get("Phase")).isEqualTo("Running");
        assertThat(((Map<?, ?>) api.get("Conditions")).get("Ready")).isEqualTo(true);
        b.berth("kube", "down", "--timeout", "1", link).ok();
        b.assertNothingLeft();
    }

    @Test
    void replayingUnchangedIsANoOpAndAChangedImageReplacesOnlyThatPod() throws Exception {
        b.berth("image", "import", BerthRoot.sampleTar().toString(), "localhost/berth-busybox:v2").ok();
        String two = """
                apiVersion: v1
                kind: Pod
                metadata: {name: one}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers: [{name: c, image: %s, command: ["sleep", "1000"]}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: two}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers: [{name: c, image: %s, command: ["sleep", "1000"]}]
                """;
        Path m = manifest("two.yaml", two.formatted(IMAGE, IMAGE));
        assertThat(b.berth("kube", "play", m.toString()).ok().out()).contains("pod one: created").contains("pod two: created");
        String firstId = ((Map<?, ?>) ((List<?>) Json.parse(b.berth("inspect", "one-c").ok().out())).get(0)).get("Id").toString();
        Run again = b.berth("kube", "play", m.toString()).ok();
        assertThat(again.out()).contains("pod one: unchanged").contains("pod two: unchanged");
        manifest("two.yaml", two.formatted(IMAGE, "localhost/berth-busybox:v2"));
        Run changed = b.berth("kube", "play", m.toString()).ok();
        assertThat(changed.out()).contains("pod one: unchanged").contains("pod two: replaced");
        assertThat(((Map<?, ?>) ((List<?>) Json.parse(b.berth("inspect", "one-c").ok().out())).get(0)).get("Id")).isEqualTo(firstId);
        assertThat(((Map<?, ?>) ((List<?>) Json.parse(b.berth("inspect", "two-c").ok().out())).get(0)).get("ImageName")).isEqualTo("localhost/berth-busybox:v2");
        assertThat(b.berth("kube", "play", "--replace", m.toString()).ok().out()).contains("pod one: replaced");
        b.berth("kube", "down", m.toString()).ok();
        b.assertNothingLeft();
    }

    @Test
    void downAfterAPlayKilledAtRandomMomentsLeavesNothing() throws Exception {
        StringBuilder ten = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            ten.append("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: p%d}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                        - {name: web, image: %s, command: ["httpd", "-f", "-p", "8080"], ports: [{containerPort: 8080}]}
                        - {name: client, image: %s, command: ["sh", "-c", "wget -q -O - localhost:8080 ; exec sleep 1000"]}
                    ---
                    """.formatted(i, IMAGE, IMAGE));
        }
        Path m = manifest("ten.yaml", ten.toString());
        Random random = new Random(FaultIT.seed());
        for (int trial = 0; trial < Integer.getInteger("berth.trials", 10); trial++) {
            Process p = new ProcessBuilder(b.processArgv("kube", "play", m.toString())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            TimeUnit.MILLISECONDS.sleep(300 + random.nextInt(2500));
            p.destroyForcibly().waitFor();
            Run down = b.berth("kube", "down", "--timeout", "1", m.toString());
            assertThat(down.code()).as("down after trial %d: %s", trial, down.err()).isZero();
            b.assertNothingLeft();
        }
    }

    @Test
    void anExecReadinessProbeRunsInTheContainerAndGatesItsDependent() throws Exception {
        Path m = manifest("exec-probe.yaml", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: gated
                  annotations: {berth.dev/depends-on.after: before}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                    - name: before
                      image: %s
                      command: ["sh", "-c", "sleep 1; touch /tmp/ready; exec sleep 1000"]
                      readinessProbe:
                        exec: {command: ["test", "-f", "/tmp/ready"]}
                    - {name: after, image: %s, command: ["sleep", "1000"]}
                """.formatted(IMAGE, IMAGE));
        List<String> events = events(b.berth("kube", "play", "--format", "json", m.toString()).ok());
        assertThat(events.indexOf("Container/gated/after starting")).isGreaterThan(events.indexOf("Container/gated/before ready"));
        // the probe's process file is kept for the next probe; it and a probe's output (while one runs) are private to root
        String id = b.berth("inspect", "-f", "{{.Id}}", "gated-before").ok().out().strip();
        try (var files = Files.list(b.runroot.resolve("containers").resolve(id))) {
            List<Path> exec = files.filter(f -> f.getFileName().toString().startsWith("exec-")).toList();
            assertThat(exec).anyMatch(f -> f.toString().endsWith(".json"));
            for (Path f : exec) {
                try {
                    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(f.toString()).isEqualTo("rw-------");
                } catch (java.nio.file.NoSuchFileException done) {
                    // a probe's output, read and deleted meanwhile
                }
            }
        }
        b.berth("kube", "down", m.toString()).ok();
        b.assertNothingLeft();
    }

    /** Listings read the readiness play and the supervisor recorded: they send the application no probe (issue 28). */
    @Test
    void podPsAndInspectShowReadinessWithoutProbing() throws Exception {
        Path m = manifest("counted.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: counted}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                    - name: web
                      image: %s
                      command:
                        - sh
                        - -c
                        - |
                          mkdir -p /www/cgi-bin
                          cat > /www/cgi-bin/count <<'EOF'
                          #!/bin/sh
                          echo hit >> /tmp/hits
                          echo "Content-Type: text/plain"
                          echo
                          echo ok
                          EOF
                          chmod +x /www/cgi-bin/count
                          exec httpd -f -p 8080 -h /www
                      readinessProbe:
                        httpGet: {path: /cgi-bin/count, port: 8080}
                        periodSeconds: 3600
                """.formatted(IMAGE));
        b.berth("kube", "play", m.toString()).ok();
        // the probes that count: play's until ready (one that timed out under load lands late) and the
        // supervisor's first when it takes the pod over; then none for an hour (periodSeconds)
        String hits = null;
        boolean supervisedBefore = false;
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); System.nanoTime() < deadline; ) {
            boolean supervised = !SupervisorIT.supervisors(b).isEmpty();
            String now = b.berth("exec", "counted-web", "cat", "/tmp/hits").ok().out();
            if (now.equals(hits) && supervisedBefore) {
                break; // unchanged over 2 s that began with the supervisor up: the count to compare with
            }
            hits = now;
            supervisedBefore = supervised;
            TimeUnit.SECONDS.sleep(2);
        }
        assertThat(hits).as("play probed until ready").contains("hit");
        for (int i = 0; i < 3; i++) {
            assertThat(b.berth("pod", "ps").ok().out()).containsPattern("counted +Running +1/1");
            assertThat(b.berth("pod", "inspect", "counted").ok().out()).contains("\"Ready\": true");
        }
        assertThat(b.berth("exec", "counted-web", "cat", "/tmp/hits").ok().out()).as("hits after three listings").isEqualTo(hits);
        b.berth("kube", "down", m.toString()).ok();
        b.assertNothingLeft();
    }

    @Test
    void anInterruptedPlayReportsWhatItDidAndDownCleansUp() throws Exception {
        StringBuilder five = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            five.append("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: slow%d}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                        - {name: a, image: %s, command: ["sh", "-c", "sleep 3; exec httpd -f -p 8080"], ports: [{containerPort: 8080}]}
                    ---
                    """.formatted(i, IMAGE));
        }
        Path m = manifest("five.yaml", five.toString());
        Process p = new ProcessBuilder(b.processArgv("kube", "play", m.toString())).redirectErrorStream(true).start();
        TimeUnit.MILLISECONDS.sleep(2000);
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor(); // by pid: the shutdown Ctrl-C starts
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).containsPattern("Error: Container/slow\\d/a: (running, not yet ready|not started), play was interrupted|when play was interrupted");
        assertThat(b.berth("kube", "down", m.toString()).code()).isZero();
        b.assertNothingLeft();
    }
}
