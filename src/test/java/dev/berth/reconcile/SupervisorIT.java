package dev.berth.reconcile;

import static dev.berth.testing.BerthRoot.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Json;
import dev.berth.testing.BerthRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The supervisor on real containers: restarts after play returned, and no process while nothing needs one. */
class SupervisorIT {
    static final String CRASHING = """
            apiVersion: v1
            kind: Pod
            metadata: {name: crashy}
            spec:
              terminationGracePeriodSeconds: 1
              restartPolicy: %s
              containers:
                - {name: c, image: %s, command: ["sh", "-c", "echo started; sleep 2; exit 1"]}
                - {name: steady, image: %s, command: ["sleep", "1000"]}
            """;

    static List<Long> supervisors(BerthRoot b) {
        return b.processes().stream().filter(pid -> {
            try {
                // the JVM itself, not the setsid that forks it for a moment
                String[] argv = Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0");
                return argv[0].endsWith("java") && List.of(argv).contains("supervise");
            } catch (java.io.IOException gone) {
                return false;
            }
        }).toList();
    }

    /** Waits (events are stored in batches) until a pod's events show {@code inOrder}, in that order. */
    static void eventsShow(BerthRoot b, String pod, String... inOrder) throws InterruptedException {
        String[] last = {""};
        try {
            waitForEvents(b, pod, last, inOrder);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; they were:\n" + last[0], e);
        }
    }

    private static void waitForEvents(BerthRoot b, String pod, String[] last, String... inOrder) throws InterruptedException {
        FaultIT.waitFor(() -> {
            String out = b.berth("events", "--pod", pod).out();
            last[0] = out;
            int at = 0;
            for (String s : inOrder) {
                at = out.indexOf(s, at);
                if (at < 0) {
                    return false;
                }
            }
            return true;
        }, "the events of " + pod + " to show " + String.join(", then ", inOrder));
    }

    static int restarts(BerthRoot b, String container) {
        Map<?, ?> pod = (Map<?, ?>) ((List<?>) Json.parse(b.berth("pod", "ps", "--format", "json").ok().out())).get(0);
        return ((List<?>) pod.get("Containers")).stream().map(c -> (Map<?, ?>) c).filter(c -> c.get("Name").equals(container))
                .mapToInt(c -> ((Number) c.get("RestartCount")).intValue()).findFirst().orElseThrow();
    }

    @Test
    void aContainerThatExitsAfterPlayReturnedIsRestartedWithGrowingDelaysEvenAfterTheSupervisorWasKilled() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path m = Files.writeString(b.dir.resolve("crashy.yaml"), CRASHING.formatted("Always", IMAGE, IMAGE));
            try {
                b.berth("kube", "play", m.toString()).ok();
                FaultIT.waitFor(() -> !supervisors(b).isEmpty(), "a supervisor to start");
                FaultIT.waitFor(() -> restarts(b, "c") >= 2, "two restarts of crashy-c");
                // a restart passes through runc's "created" for a moment: pod ps and ps may catch it there
                java.util.regex.Pattern pod = java.util.regex.Pattern.compile("crashy +(Running|CrashLoopBackOff) +\\d/2 +[2-9]");
                FaultIT.waitFor(() -> pod.matcher(b.berth("pod", "ps").ok().out()).find(), "pod ps to show crashy running or in CrashLoopBackOff");
                java.util.regex.Pattern restarting = java.util.regex.Pattern.compile("(Up |CrashLoopBackOff \\(exited 1, starts again in )[^\n]*, \\d+ restarts +crashy-c\n");
                FaultIT.waitFor(() -> restarting.matcher(b.berth("ps", "-a").ok().out()).find(), "ps -a to show crashy-c up or in CrashLoopBackOff, with its restarts");
                // the log is appended to across restarts
                assertThat(b.berth("logs", "crashy-c").ok().out().lines().filter(l -> l.equals("started")).count()).isGreaterThanOrEqualTo(2);
                assertThat(restarts(b, "steady")).isZero();
                // what happened, as podman events and kubectl get events show it: play's events, then the supervisor's
                // (under load the first exit may come before play returns: play restarts it, and the supervisor's first is restart 2)
                eventsShow(b, "crashy", "Pod/crashy  created", "Container/crashy/c  started",
                        "Container/crashy/c  died  exit code 1", "Container/crashy/c  restarting  in ", "Container/crashy/c  started  restart ");
                assertThat(b.berth("events", "--pod", "nothing-here").ok().out()).isEmpty();
                // the exit before the current run, as Kubernetes' lastState
                Map<?, ?> c = ((List<?>) ((Map<?, ?>) ((List<?>) Json.parse(b.berth("pod", "inspect", "crashy", "--format", "json").ok().out())).get(0))
                        .get("Containers")).stream().map(x -> (Map<?, ?>) x).filter(x -> x.get("Name").equals("c")).findFirst().orElseThrow();
                assertThat(c.get("LastState").toString()).contains("ExitCode=1").contains("Reason=Error").contains("FinishedAt=20");
                assertThat(b.berth("system", "supervisor").ok().out()).containsPattern("^running, pid \\d+, since ")
                        .contains("crashy/steady: running, restarts 0").containsPattern("crashy/c: (running|CrashLoopBackOff)");
                // killed, the supervisor loses nothing: a container's next exit starts one again (conmon's exit
                // command, a shell; no berth command runs meanwhile, so nothing else could), which restarts it
                long steady = Long.parseLong(b.berth("inspect", "-f", "{{.State.Pid}}", "crashy-steady").ok().out().strip());
                List<Long> killed = supervisors(b);
                for (long pid : killed) {
                    new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
                }
                FaultIT.waitFor(() -> supervisors(b).isEmpty(), "the supervisor to be gone");
                new ProcessBuilder("kill", "-9", Long.toString(steady)).start().waitFor();
                FaultIT.waitFor(() -> !supervisors(b).isEmpty(), "crashy-steady's exit to start a supervisor");
                FaultIT.waitFor(() -> restarts(b, "steady") == 1, "the new supervisor to restart crashy-steady");
                eventsShow(b, "crashy", "Container/crashy/steady  died  exit code 137"); // the exit no supervisor saw happen
                int before = restarts(b, "c");
                FaultIT.waitFor(() -> restarts(b, "c") > before, "crashy-c's restarts to go on");
                assertThat(b.berth("kube", "play", m.toString()).ok().out()).contains("pod crashy: unchanged");
                FaultIT.waitFor(() -> supervisors(b).size() == 1, "a second supervisor to leave at once");
            } finally {
                b.berth("kube", "down", m.toString()).ok();
            }
            assertThat(b.berth("events", "--since", "1h", "--format", "json").ok().out()).contains("\"object\":\"Pod/crashy\",\"pod\":\"crashy\",\"type\":\"removed\"");
            FaultIT.waitFor(() -> supervisors(b).isEmpty(), "the supervisor to leave after the last pod's down");
            assertThat(b.berth("system", "supervisor").ok().out().strip()).isEqualTo("not running");
            b.assertNothingLeft();
        }
    }

    @Test
    void aLivenessProbeThatStartsFailingAfterPlayGetsItsContainerRestarted() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path m = Files.writeString(b.dir.resolve("liveness.yaml"), """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: sick}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                        - name: c
                          image: %s
                          command: ["sh", "-c", "touch /tmp/alive; echo up; sleep 3; rm /tmp/alive; exec sleep 1000"]
                          livenessProbe:
                            exec: {command: ["test", "-f", "/tmp/alive"]}
                            periodSeconds: 1
                            failureThreshold: 2
                    """.formatted(IMAGE));
            try {
                b.berth("kube", "play", m.toString()).ok();
                assertThat(restarts(b, "c")).isZero();
                FaultIT.waitFor(() -> restarts(b, "c") >= 1, "the supervisor to restart sick-c after its livenessProbe failed");
                // started again, /tmp/alive is back and the probe passes until it is removed again
                FaultIT.waitFor(() -> b.berth("logs", "sick-c").out().lines().filter(l -> l.equals("up")).count() >= 2,
                        "the restarted run's output after the first's");
                assertThat(Files.readString(b.runroot.resolve("supervisor.log"))).contains("sick-c: livenessProbe failed 2 times");
                eventsShow(b, "sick", "Container/sick/c  liveness-failed  livenessProbe failed 2 times", "Container/sick/c  killed",
                        "Container/sick/c  died  exit code");
            } finally {
                b.berth("kube", "down", m.toString()).ok();
            }
            b.assertNothingLeft();
        }
    }

    /** Which replicas answer ten requests to the Service, from a pod. */
    static java.util.Set<String> answers(BerthRoot b) {
        String out = b.berth("exec", "caller-c", "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://echo/; done").out();
        return new java.util.TreeSet<>(out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }

    @Test
    void aPodThatStopsBeingReadyLeavesItsServiceAndComesBackWhenReadyAgain() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path m = Files.writeString(b.dir.resolve("flip.yaml"), """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: echo}
                    spec:
                      selector: {app: echo}
                      ports: [{port: 80, targetPort: 8080}]
                    ---
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: echo}
                    spec:
                      replicas: 2
                      selector: {matchLabels: {app: echo}}
                      template:
                        metadata: {labels: {app: echo}}
                        spec:
                          terminationGracePeriodSeconds: 1
                          containers:
                            - name: web
                              image: %s
                              command: ["sh", "-c", "mkdir -p /srv && hostname > /srv/index.html && touch /tmp/ready && exec httpd -f -p 8080 -h /srv"]
                              ports: [{containerPort: 8080}]
                              readinessProbe: {exec: {command: [test, -f, /tmp/ready]}, periodSeconds: 1, failureThreshold: 1}
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: caller}
                    spec:
                      terminationGracePeriodSeconds: 1
                      restartPolicy: Never
                      containers:
                        - {name: c, image: %s, command: ["sleep", "1000"]}
                    """.formatted(IMAGE, IMAGE));
            try {
                b.berth("kube", "play", m.toString()).ok();
                FaultIT.waitFor(() -> supervisors(b).size() == 1, "the supervisor to start");
                FaultIT.waitFor(() -> answers(b).equals(java.util.Set.of("echo-0", "echo-1")), "both replicas to answer");
                b.berth("exec", "echo-0-web", "rm", "/tmp/ready").ok();
                FaultIT.waitFor(() -> answers(b).equals(java.util.Set.of("echo-1")), "echo-0 to leave the Service once unready");
                assertThat(b.berth("pod", "ps").ok().out()).containsPattern("echo-0 +Running +0/1");
                assertThat(Files.readString(b.runroot.resolve("supervisor.log"))).contains("echo-0-web is not ready");
                eventsShow(b, "echo-0", "Container/echo-0/web  unready");
                b.berth("exec", "echo-0-web", "touch", "/tmp/ready").ok();
                FaultIT.waitFor(() -> answers(b).equals(java.util.Set.of("echo-0", "echo-1")), "echo-0 to come back once ready again");
            } finally {
                b.berth("kube", "down", m.toString()).ok();
            }
            FaultIT.waitFor(() -> supervisors(b).isEmpty(), "the supervisor to leave after the down");
            b.assertNothingLeft();
        }
    }

    /** The size of a container's log files together, and how many there are. */
    static long[] logFiles(BerthRoot b, String container) throws Exception {
        String id = (String) ((Map<?, ?>) ((List<?>) Json.parse(b.berth("inspect", container).ok().out())).get(0)).get("Id");
        try (var files = Files.list(b.runroot.resolve("containers").resolve(id))) {
            List<Path> logs = files.filter(f -> f.getFileName().toString().startsWith("ctr.log")).toList();
            java.util.Set<Object> inodes = new java.util.HashSet<>(); // the current file is linked as ctr.log.1 while it grows
            long size = 0;
            for (Path f : logs) {
                if (inodes.add(Files.readAttributes(f, "unix:ino").get("ino"))) {
                    size += Files.size(f);
                }
            }
            return new long[] {size, inodes.size()};
        }
    }

    @Test
    void logsAreRotatedAndBoundedAndReadAcrossTheirFiles() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            // 100 MB as fast as the container can write, then 2 MB slowly (about 0.3 MB/s), numbered
            Path m = Files.writeString(b.dir.resolve("chatty.yaml"), """
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: chatty
                      annotations: {berth.dev/log-max-size: 1Mi, berth.dev/log-max-files: "3"}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                        - name: c
                          image: %s
                          command:
                            - sh
                            - -c
                            - |
                              yes 0123456789012345678901234567890123456789012345678901234567890123456789 | head -c 100000000
                              echo flood done
                              i=0
                              while [ $i -lt 20 ]; do
                                j=0
                                while [ $j -lt 1000 ]; do echo "line $i-$j ....................................................................."; j=$((j+1)); done
                                i=$((i+1))
                                sleep 0.3
                              done
                              echo all done
                              exec sleep 1000
                    """.formatted(IMAGE));
            try {
                b.berth("kube", "play", m.toString()).ok();
                FaultIT.waitFor(() -> b.berth("logs", "--tail", "1", "chatty-c").out().equals("all done\n"), "the writer to finish");
                long[] files = logFiles(b, "chatty-c");
                assertThat(files[0]).as("bytes on disk").isLessThanOrEqualTo(3L * 1024 * 1024);
                assertThat(files[1]).as("files kept, the current one included").isBetween(2L, 3L);
                // read across the files, oldest first: the slow lines go on without a gap up to the last
                List<String> lines = b.berth("logs", "chatty-c").ok().out().lines().filter(l -> l.startsWith("line ")).toList();
                String id = (String) ((Map<?, ?>) ((List<?>) Json.parse(b.berth("inspect", "chatty-c").ok().out())).get(0)).get("Id");
                long current = Files.readAllLines(b.runroot.resolve("containers").resolve(id).resolve("ctr.log")).stream()
                        .filter(l -> l.contains(" line ")).count();
                assertThat((long) lines.size()).as("more lines than the current file holds").isGreaterThan(current);
                List<Integer> numbers = lines.stream().map(l -> l.split(" ")[1].split("-"))
                        .map(n -> Integer.parseInt(n[0]) * 1000 + Integer.parseInt(n[1])).toList();
                for (int i = 1; i < numbers.size(); i++) {
                    assertThat(numbers.get(i)).as("the line after %s", lines.get(i - 1)).isEqualTo(numbers.get(i - 1) + 1);
                }
                assertThat(lines.get(lines.size() - 1)).startsWith("line 19-999 ");
            } finally {
                b.berth("kube", "down", m.toString()).ok();
            }
            b.assertNothingLeft();
        }
    }

    @Test
    void runRestartIsKeptByTheSupervisorUntilStoppedByHandAndOnFailureStopsAfterItsCount() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            b.berth("run", "-d", "--name", "bt-again", "--restart", "always", IMAGE, "sh", "-c", "sleep 1; exit 3").ok();
            b.berth("run", "-d", "--name", "bt-twice", "--restart", "on-failure:2", IMAGE, "sh", "-c", "exit 4").ok();
            // on the pod network (run -p), in a sandbox of its own: restarted all the same
            int port;
            try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = free.getLocalPort();
            }
            b.berth("run", "-d", "--name", "bt-published", "-p", "127.0.0.1:" + port + ":8080", "--restart", "on-failure:1", IMAGE,
                    "sh", "-c", "exit 5").ok();
            assertThat(b.berth("run", "--rm", "--restart", "always", IMAGE, "true").err()).contains("--rm and --restart always conflict");
            FaultIT.waitFor(() -> !supervisors(b).isEmpty(), "run --restart to start a supervisor");
            FaultIT.waitFor(() -> b.berth("ps", "-a").out().matches("(?s).*, [2-9] restarts +bt-again\n.*"), "bt-again to be restarted twice");
            FaultIT.waitFor(() -> b.berth("ps", "-a").out().matches("(?s).*Exited \\(4\\)[^\n]*, 2 restarts +bt-twice\n.*"), "bt-twice to stop after 2 restarts");
            FaultIT.waitFor(() -> b.berth("ps", "-a").out().matches("(?s).*Exited \\(5\\)[^\n]*, 1 restart +bt-published\n.*"),
                    "bt-published to stop after its restart");
            assertThat(b.berth("system", "supervisor").ok().out()).contains("bt-again: ").contains("--restart always");
            // stopped by hand, it stays stopped; then nothing is left to watch
            FaultIT.waitFor(() -> b.berth("ps").out().contains("bt-again"), "bt-again to run");
            b.berth("stop", "-t", "1", "bt-again").ok();
            FaultIT.waitFor(() -> supervisors(b).isEmpty(), "the supervisor to leave");
            assertThat(b.berth("ps", "-a").ok().out()).containsPattern("Exited [^\n]* +bt-again\n");
            b.berth("rm", "-f", "bt-again", "bt-twice", "bt-published").ok();
            b.assertNothingLeft();
        }
    }

    /**
     * A supervisor killed with -9 at random moments, some between a restart's runc create and
     * start: every container is restarted again afterwards, none stays created for ever (issue
     * 29: 3 of 6 did in 15 kills).
     */
    @Test
    void aSupervisorKilledDuringRestartsLeavesNoContainerCreatedForEver() throws Exception {
        long seed = Long.getLong("berth.seed", System.nanoTime());
        System.out.println("SupervisorIT kill seed: " + seed + " (rerun with -Dberth.seed=" + seed + ")");
        java.util.Random random = new java.util.Random(seed);
        StringBuilder containers = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            containers.append("    - {name: c").append(i).append(", image: ").append(IMAGE)
                    .append(", command: [\"sh\", \"-c\", \"sleep 1.").append(i).append("; exit 3\"]}\n");
        }
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path m = Files.writeString(b.dir.resolve("loop.yaml"), """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: loop}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                    """ + containers);
            try {
                b.berth("kube", "play", "--restart-backoff-max", "1", m.toString()).ok();
                // a command that sets no back-off of its own (run --restart, pod start) keeps the play's for the supervisor brought back
                b.berth("run", "--name", "bt-once", "--restart", "on-failure:1", IMAGE, "true").ok();
                b.berth("rm", "bt-once").ok();
                assertThat(Files.readString(b.runroot.resolve("supervise.sh"))).contains("'--restart-backoff-max' '1'");
                for (int kill = 0; kill < 15; kill++) {
                    // brought back by the next exit, or (every container waiting in back-off) by the next berth command
                    FaultIT.waitFor(() -> b.berth("ps", "-a").code() == 0 && !supervisors(b).isEmpty(), "a supervisor to be brought back");
                    java.util.concurrent.TimeUnit.MILLISECONDS.sleep(200 + random.nextInt(1000));
                    for (long pid : supervisors(b)) {
                        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
                    }
                }
                b.berth("ps", "-a").ok();
                Map<String, Integer> after = restarts(b);
                try {
                    FaultIT.waitFor(() -> {
                        Map<String, Integer> now = restarts(b);
                        return after.keySet().stream().allMatch(c -> now.get(c) >= after.get(c) + 2);
                    }, "every container to be restarted twice more after the last kill; restarts at the last kill: " + after);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\nps -a:\n" + b.berth("ps", "-a").out() + "\nsupervisor:\n"
                            + b.berth("system", "supervisor").out() + "\nits log:\n" + Files.readString(b.runroot.resolve("supervisor.log")), e);
                }
            } finally {
                b.berth("kube", "down", "--timeout", "1", m.toString());
            }
            b.assertNothingLeft();
        }
    }

    /** Six containers exiting at once with no supervisor running start one supervisor, not six (issue 29: five JVMs at once). */
    @Test
    void aBurstOfExitsStartsOneSupervisor() throws Exception {
        StringBuilder containers = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            containers.append("    - {name: c").append(i).append(", image: ").append(IMAGE)
                    .append(", command: [\"sh\", \"-c\", \"sleep 3; exit 3\"]}\n");
        }
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path m = Files.writeString(b.dir.resolve("burst.yaml"), """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: burst}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                    """ + containers);
            try {
                b.berth("kube", "play", m.toString()).ok();
                FaultIT.waitFor(() -> !supervisors(b).isEmpty(), "a supervisor to start");
                for (long pid : supervisors(b)) {
                    new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
                }
                FaultIT.waitFor(() -> supervisors(b).isEmpty(), "the supervisor to be gone");
                Path log = b.runroot.resolve("supervisor.log");
                FaultIT.waitFor(() -> restartCounts(b, "burst").values().stream().allMatch(n -> n >= 1), "every container to be restarted");
                java.util.concurrent.TimeUnit.SECONDS.sleep(2); // any late JVM writes its line by then
                // a JVM started for nothing finds the supervisor's lock taken and says so
                assertThat(Files.readAllLines(log).stream().filter(l -> l.contains("another supervisor watches this root")).count())
                        .as("supervisors started for nothing by the burst; the log:\n%s", Files.readString(log)).isZero();
            } finally {
                b.berth("kube", "down", "--timeout", "1", m.toString());
            }
            b.assertNothingLeft();
        }
    }

    /** Each container's restart count, as pod inspect shows it. */
    static Map<String, Integer> restarts(BerthRoot b) {
        return restartCounts(b, "loop");
    }

    static Map<String, Integer> restartCounts(BerthRoot b, String podName) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        Map<?, ?> pod = (Map<?, ?>) ((List<?>) Json.parse(b.berth("pod", "inspect", podName).ok().out())).get(0);
        for (Object c : (List<?>) pod.get("Containers")) {
            Map<?, ?> container = (Map<?, ?>) c;
            counts.put((String) container.get("Name"), ((Number) container.get("RestartCount")).intValue());
        }
        return counts;
    }

    /** rm -f of crash-looping run --restart containers at a random moment never meets a restart half way (issue 29: 13 of 21 trials failed). */
    @Test
    void rmRacesNoRestartOfTheSupervisor() throws Exception {
        long seed = Long.getLong("berth.seed", System.nanoTime());
        System.out.println("SupervisorIT rm race seed: " + seed + " (rerun with -Dberth.seed=" + seed + ")");
        java.util.Random random = new java.util.Random(seed);
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            for (int trial = 0; trial < 4; trial++) {
                List<String> names = new java.util.ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    names.add("bt-race-" + trial + "-" + i);
                    b.berth("run", "-d", "--name", names.get(i), "--restart", "always", IMAGE, "sh", "-c", "sleep 0." + random.nextInt(3) + "; exit 3").ok();
                }
                java.util.concurrent.TimeUnit.MILLISECONDS.sleep(500 + random.nextInt(2000));
                BerthRoot.Run rm = b.berth(java.util.stream.Stream.concat(java.util.stream.Stream.of("rm", "-f"), names.stream()).toArray(String[]::new));
                assertThat(rm.code()).as("trial %d: %s", trial, rm.err()).isZero();
                assertThat(b.berth("ps", "-aq").ok().out()).as("trial %d", trial).isEmpty();
                try (var bundles = Files.list(b.runroot.resolve("containers"))) {
                    assertThat(bundles.toList()).as("trial %d: bundles", trial).isEmpty();
                }
            }
            FaultIT.waitFor(() -> supervisors(b).isEmpty(), "the supervisor to leave");
            try (var exits = Files.list(b.runroot.resolve("exits"))) {
                assertThat(exits.toList()).as("exit files of removed containers").isEmpty();
            }
            b.assertNothingLeft();
        }
    }

    @Test
    void noSupervisorRunsForPodsThatNeverRestart() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path m = Files.writeString(b.dir.resolve("never.yaml"), CRASHING.formatted("Never", IMAGE, IMAGE));
            try {
                b.berth("kube", "play", m.toString()).ok();
                Thread.sleep(1000); // a supervisor would have started by now; nothing to wait for
                assertThat(supervisors(b)).isEmpty();
                FaultIT.waitFor(() -> b.berth("ps", "-a").out().contains("Exited (1)"), "crashy-c to exit");
                assertThat(restarts(b, "c")).isZero();
            } finally {
                b.berth("kube", "down", m.toString()).ok();
            }
        }
    }
}
