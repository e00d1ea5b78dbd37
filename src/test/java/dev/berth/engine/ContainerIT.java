package dev.berth.engine;

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

/** Containers on the real runc, conmon and overlayfs, each test in its own root. */
class ContainerIT {
    BerthRoot b;

    @BeforeEach
    void setUp() {
        b = new BerthRoot().withSampleImage();
    }

    @AfterEach
    void tearDown() {
        b.close();
    }

    @Test
    void runPrintsTheOutputAndExitsWithTheContainersCode() {
        Run hello = b.berth("run", "--rm", IMAGE, "echo", "hello", "world");
        assertThat(hello.code()).isZero();
        assertThat(hello.out()).isEqualTo("hello world\n");
        Run three = b.berth("run", "--name", "three", IMAGE, "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(three.code()).isEqualTo(3);
        assertThat(three.out()).isEqualTo("out\n");
        assertThat(three.err()).isEqualTo("err\n");
        Run ps = b.berth("ps", "-a").ok();
        assertThat(ps.out()).contains("Exited (3)").contains("three").doesNotContain("hello");
    }

    /** The listing and removal habits of podman users (issue 18): -q, --filter, --no-trunc, -l, rm -a, rm -f of nothing. */
    @Test
    void listingsFilterAndQuietOutputAsPodmanUsersTypeThem() throws Exception {
        Path demo = Path.of("manifests/demo.yaml").toAbsolutePath();
        b.berth("kube", "play", "-q", demo.toString()).ok();
        b.berth("run", "-d", "--name", "bt-sleeper", IMAGE, "sleep", "1000").ok();
        b.berth("run", "--name", "bt-done", IMAGE, "true").ok();
        String sleeper = b.berth("inspect", "-f", "{{.Id}}", "bt-sleeper").ok().out().strip();

        assertThat(b.berth("ps", "-q").ok().out().lines()).containsExactlyInAnyOrder(sleeper.substring(0, 12), id("demo-web").substring(0, 12));
        assertThat(b.berth("ps", "-q", "--no-trunc", "--filter", "name=sleep").ok().out()).isEqualTo(sleeper + "\n");
        // status shows stopped containers without -a; the same key twice matches either
        assertThat(names(b.berth("ps", "--filter", "status=exited").ok())).containsExactlyInAnyOrder("bt-done", "demo-client");
        assertThat(names(b.berth("ps", "-f", "status=exited", "-f", "status=running").ok()))
                .containsExactlyInAnyOrder("bt-done", "demo-client", "bt-sleeper", "demo-web");
        assertThat(names(b.berth("ps", "-a", "--filter", "pod=demo", "--filter", "status=running").ok())).containsExactly("demo-web");
        assertThat(names(b.berth("ps", "-a", "--filter", "label=app=demo").ok())).containsExactlyInAnyOrder("demo-web", "demo-client");
        assertThat(b.berth("ps", "-aq", "--filter", "ancestor=berth-busybox").ok().out().lines()).hasSize(4);
        // the oldest first, as podman 4.3 lists them (PodmanCompatIT); -l the newest of all
        assertThat(names(b.berth("ps", "-a").ok())).endsWith("bt-sleeper", "bt-done");
        assertThat(names(b.berth("ps", "-l").ok())).containsExactly("bt-done");
        // Go templates and JSON as podman's (issue 18)
        assertThat(b.berth("ps", "--format", "{{.Names}} {{.State}}", "--filter", "name=bt-sleeper").ok().out()).isEqualTo("bt-sleeper running\n");
        assertThat(b.berth("ps", "-a", "--format", "table {{.ID}}\\t{{.Names}}\\t{{.Status}}", "--filter", "name=bt-done").ok().out())
                .matches("CONTAINER ID +NAMES +STATUS\n[0-9a-f]{12} +bt-done +Exited \\(0\\) .+ ago\n");
        assertThat(b.berth("inspect", "-f", "{{.State.Pid}} {{.Config.Cmd}}", "bt-sleeper").ok().out()).matches("[1-9][0-9]* \\[sleep 1000\\]\n");
        assertThat(b.berth("inspect", "bt-sleeper").ok().out()).startsWith("[\n    {\n        \"Id\": \"" + sleeper + "\",\n");
        Map<?, ?> row = (Map<?, ?>) ((List<?>) Json.parse(b.berth("ps", "--format", "json", "--filter", "name=bt-sleeper").ok().out())).get(0);
        assertThat(row.get("Names")).isEqualTo(List.of("bt-sleeper"));
        assertThat(row.get("Command")).isEqualTo(List.of("sleep", "1000"));
        assertThat(row.get("Status").toString()).startsWith("Up ");
        assertThat(b.berth("ps", "--format", "{{json .Names}}", "--filter", "name=bt-sleeper").ok().out()).isEqualTo("\"bt-sleeper\"\n");
        assertThat(b.berth("pod", "ps", "--format", "{{.Name}} {{.Phase}}").ok().out()).isEqualTo("demo Running\n");
        assertThat(b.berth("images", "--format", "{{.Repository}}:{{.Tag}}").ok().out()).isEqualTo(IMAGE + "\n");
        Run badTemplate = b.berth("ps", "--format", "{{.Colour}}");
        assertThat(badTemplate.code()).isEqualTo(125);
        assertThat(badTemplate.err()).contains("no field Colour").doesNotContain("Exception");
        Run bad = b.berth("ps", "--filter", "colour=red");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("name, id, status, pod, label, ancestor").doesNotContain("Exception");

        assertThat(b.berth("image", "ls", "-q").ok().out()).matches("[0-9a-f]{12}\n");
        assertThat(b.berth("pod", "ps", "-q").ok().out()).isEqualTo("demo\n");
        // rm -f of what is not there is no error and says nothing; rm needs names or -a
        Run missing = b.berth("rm", "-f", "bt-not-there");
        assertThat(missing.code()).isZero();
        assertThat(missing.out() + missing.err()).isEmpty();
        assertThat(b.berth("rm", "bt-not-there").code()).isNotZero();
        assertThat(b.berth("rm").err()).contains("give the containers to remove, or --all");
        b.berth("kube", "down", "--timeout", "1", demo.toString()).ok();
        Run all = b.berth("rm", "-a"); // as podman: what can go goes, a running one needs -f
        assertThat(all.code()).isNotZero();
        assertThat(all.out()).isEqualTo("bt-done\n");
        assertThat(all.err()).contains("bt-sleeper is running");
        assertThat(b.berth("rm", "-af").ok().out()).isEqualTo("bt-sleeper\n");
        assertThat(b.berth("ps", "-aq").ok().out()).isEmpty();
    }

    @Test
    void startAndRestartAStoppedContainerKeepItsLogAndLayer() throws Exception {
        b.berth("run", "-d", "--name", "bt-again", IMAGE, "sh", "-c", "echo run >> /count; cat /count | wc -l; trap 'exit 0' TERM; sleep 1000 & wait").ok();
        b.berth("stop", "-t", "5", "bt-again").ok();
        assertThat(b.berth("ps", "-a", "--filter", "name=bt-again").ok().out()).contains("Exited (0)");
        assertThat(b.berth("start", "bt-again").ok().out()).isEqualTo("bt-again\n");
        assertThat(b.berth("start", "bt-again").code()).isZero(); // running: left as it is
        b.berth("restart", "-t", "5", "bt-again").ok();
        assertThat(b.berth("ps", "--filter", "name=bt-again").ok().out()).contains("Up ");
        String log = "";
        for (int i = 0; i < 100 && !log.contains("3"); i++) {
            TimeUnit.MILLISECONDS.sleep(20);
            log = b.berth("logs", "bt-again").ok().out();
        }
        assertThat(log).isEqualTo("1\n2\n3\n"); // the same writable layer each time, the log appended to
        b.berth("rm", "-f", "bt-again").ok();
    }

    /** As podman's cleanup: an exited container holds no mount; started again, it has its layer back (issue 28). */
    @Test
    void anExitedContainerGivesUpItsRootFileSystemMountUntilStartedAgain() throws Exception {
        b.berth("run", "-d", "--name", "bt-exits", IMAGE, "sh", "-c", "echo run >> /count; wc -l < /count; exit 7").ok();
        String id = b.berth("inspect", "-f", "{{.Id}}", "bt-exits").ok().out().strip();
        java.util.function.Supplier<List<String>> itsMounts = () -> b.mounts().stream().filter(m -> m.contains(id)).toList();
        for (int i = 0; i < 250 && !itsMounts.get().isEmpty(); i++) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertThat(itsMounts.get()).as("mounts of the exited container").isEmpty();
        assertThat(b.berth("ps", "-a", "--filter", "name=bt-exits").ok().out()).contains("Exited (7)");
        b.berth("start", "bt-exits").ok();
        String log = "";
        for (int i = 0; i < 250 && !log.contains("2"); i++) {
            TimeUnit.MILLISECONDS.sleep(20);
            log = b.berth("logs", "bt-exits").ok().out();
        }
        assertThat(log).isEqualTo("1\n2\n"); // its writable layer, mounted again
        for (int i = 0; i < 250 && !itsMounts.get().isEmpty(); i++) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertThat(itsMounts.get()).isEmpty();
        b.berth("rm", "bt-exits").ok();
    }

    @Test
    void logsByTimeWithTimestampsAndTheLastLines() throws Exception {
        b.berth("run", "-d", "--name", "bt-log", IMAGE, "sh", "-c", "echo one; sleep 1; echo two; exec sleep 1000").ok();
        String stamped = "";
        for (int i = 0; i < 150 && !stamped.contains("two"); i++) {
            TimeUnit.MILLISECONDS.sleep(20);
            stamped = b.berth("logs", "-t", "bt-log").ok().out();
        }
        List<String> lines = stamped.lines().toList();
        assertThat(lines).hasSize(2).allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+[-+Z].* (one|two)"));
        String second = lines.get(1).substring(0, lines.get(1).indexOf(' '));
        assertThat(b.berth("logs", "--since", second, "bt-log").ok().out()).isEqualTo("two\n");
        assertThat(b.berth("logs", "--until", second, "bt-log").ok().out()).isEqualTo("one\n");
        assertThat(b.berth("logs", "--since", "10m", "-n", "1", "bt-log").ok().out()).isEqualTo("two\n");
        Run bad = b.berth("logs", "--since", "yesterday", "bt-log");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("give a duration before now");
        b.berth("rm", "-f", "bt-log").ok();
    }

    @Test
    void aCommandThatCannotBeRunExits127Or126AsPodmansDo() {
        Run missing = b.berth("run", "--rm", IMAGE, "bt-no-such-command");
        assertThat(missing.code()).isEqualTo(127);
        assertThat(missing.err()).contains("executable file not found").doesNotContain("\tat ");
        assertThat(b.berth("run", "--rm", IMAGE, "/etc/passwd").code()).isEqualTo(126);
        b.berth("run", "-d", "--name", "bt-target", IMAGE, "sleep", "1000").ok();
        assertThat(b.berth("exec", "bt-target", "bt-no-such-command").code()).isEqualTo(127);
        assertThat(b.berth("exec", "bt-target", "/etc/passwd").code()).isEqualTo(126);
        assertThat(b.berth("exec", "bt-target", "sh", "-c", "exit 255").code()).isEqualTo(255); // the command's own code stays
        b.berth("rm", "-f", "bt-target").ok();
        assertThat(b.berth("ps", "-aq").ok().out()).isEmpty(); // nothing left of the runs that could not start
    }

    String id(String name) {
        return b.berth("ps", "-a", "--no-trunc", "--filter", "name=^" + name + "$", "-q").ok().out().strip();
    }

    /** The NAMES column of a ps table, in order. */
    static List<String> names(Run ps) {
        return ps.out().lines().skip(1).map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList();
    }

    @Test
    void theTalksFirstDemos() throws Exception {
        assertThat(b.berth("run", "-d", "--name", "sleeper", IMAGE, "sleep", "1000").ok().out()).matches("[0-9a-f]{64}\n");
        assertThat(b.berth("ps").ok().out()).containsPattern("sleep 1000 +(\\d+ seconds?|Less than a second) ago +Up (\\d+ seconds?|Less than a second) +sleeper");
        Run ps = b.berth("exec", "sleeper", "ps").ok();
        assertThat(ps.out()).containsPattern("(?m)^ +1 root +sleep 1000$");
        long pid = ((Number) state("sleeper").get("Pid")).longValue();
        assertThat(pid).isPositive();
        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
        assertThat(waitForStatus("sleeper", "exited")).isTrue();
        assertThat(b.berth("ps", "-a").ok().out()).contains("Exited (137)");
        assertThat(b.berth("ps").ok().out()).doesNotContain("sleeper");
    }

    @Test
    void environmentUserAndWorkingDirectory() {
        Run r = b.berth("run", "--rm", "-e", "GREETING=hi there", "-w", "/tmp", "--user", "app", IMAGE,
                "sh", "-c", "echo \"$GREETING\"; pwd; id -u; id -g; echo $HOME").ok();
        assertThat(r.out()).isEqualTo("hi there\n/tmp\n1000\n1000\n/home/app\n");
        assertThat(b.berth("run", "--rm", "--user", "1234:5", IMAGE, "id").ok().out()).startsWith("uid=1234 gid=5");
        Run unknown = b.berth("run", "--rm", "--user", "nosuch", IMAGE, "true");
        assertThat(unknown.code()).isEqualTo(125);
        assertThat(unknown.err()).contains("user \"nosuch\" is not in the image's /etc/passwd");
        assertThat(b.berth("ps", "-a").ok().out().lines()).hasSize(1);
    }

    @Test
    void logsSeparateStdoutAndStderrAndTail() {
        b.berth("run", "--name", "talker", IMAGE, "sh", "-c", "echo one; echo two; echo three; echo oops >&2").ok();
        Run all = b.berth("logs", "talker").ok();
        assertThat(all.out()).isEqualTo("one\ntwo\nthree\n");
        assertThat(all.err()).isEqualTo("oops\n");
        Run tail = b.berth("logs", "--tail", "2", "talker").ok();
        assertThat(tail.out()).isEqualTo("three\n");
        assertThat(tail.err()).isEqualTo("oops\n");
        b.berth("run", "-d", "--name", "slow", IMAGE, "sh", "-c", "sleep 0.5; echo late").ok();
        assertThat(b.berth("logs", "-f", "slow").ok().out()).isEqualTo("late\n");
    }

    @Test
    void execPassesTheExitCodeThroughAndNeedsARunningContainer() {
        b.berth("run", "-d", "--name", "box", IMAGE, "sleep", "1000").ok();
        assertThat(b.berth("exec", "box", "sh", "-c", "echo $HOSTNAME; exit 42").code()).isEqualTo(42);
        assertThat(b.berth("exec", "box", "cat", "/etc/hostname").ok().out()).matches("[0-9a-f]{12}\n");
        // "--" before the command, as exec --help shows it
        assertThat(b.berth("exec", "box", "--", "sh", "-c", "echo after the dashes; exit 3").out()).isEqualTo("after the dashes\n");
        assertThat(b.berth("exec", "box", "--", "sh", "-c", "exit 3").code()).isEqualTo(3);
        b.berth("run", "--name", "done", IMAGE, "true").ok();
        Run r = b.berth("exec", "done", "true");
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err()).isEqualTo("Error: container done is not running (exited)\n");
    }

    /**
     * -i passes this shell's stdin (its end closes the container's), -t gives a terminal sized as
     * the user's with resizes passed on, the detach keys leave the container running (issue 18).
     * tmux is the user's terminal.
     */
    @Test
    void interactiveContainersTakeStdinAndATerminal() throws Exception {
        b.berth("run", "-d", "--name", "bt-sleeper", IMAGE, "sleep", "1000").ok();
        assertThat(b.piped("hi\n", "exec", "-i", "bt-sleeper", "cat")).isEqualTo("hi\n");
        assertThat(b.piped("hi\n", "exec", "bt-sleeper", "cat")).isEmpty();
        assertThat(b.piped("one\ntwo\n", "run", "-i", "--rm", IMAGE, "sh", "-c", "cat; echo done")).isEqualTo("one\ntwo\ndone\n");
        assertThat(b.berth("ps", "-aq").ok().out().lines()).hasSize(1);

        String server = "bt-" + Long.toHexString(new Random().nextLong() & 0xffffffffL);
        try {
            tmux(server, "new-session", "-d", "-x", "90", "-y", "25", shell("run", "-it", "--name", "bt-tty", IMAGE, "sh") + "; echo exited $?; sleep 60");
            awaitPane(server, "/ #");
            tmux(server, "send-keys", "stty size; echo $TERM", "Enter");
            awaitPane(server, "25 90\nxterm\n/ #");
            tmux(server, "resize-window", "-x", "120", "-y", "40");
            // the resize reaches the container a moment after the window's (berth's SIGWINCH → conmon): ask until it has
            for (int i = 0; i < 20 && !tmux(server, "capture-pane", "-p").contains("40 120"); i++) {
                tmux(server, "send-keys", "stty size", "Enter");
                Thread.sleep(300);
            }
            awaitPane(server, "40 120\n/ #");
            tmux(server, "send-keys", "exit 3", "Enter");
            awaitPane(server, "exited 3");

            tmux(server, "kill-session");
            tmux(server, "new-session", "-d", "-x", "70", "-y", "20", shell("exec", "-it", "bt-sleeper", "sh") + "; echo exited $?; sleep 60");
            awaitPane(server, "/ #");
            tmux(server, "send-keys", "stty size; tty", "Enter");
            awaitPane(server, "20 70\n/dev/pts/[0-9]+\n/ #");
            tmux(server, "send-keys", "exit 4", "Enter");
            awaitPane(server, "exited 4");

            tmux(server, "kill-session");
            tmux(server, "new-session", "-d", shell("run", "-it", "--name", "bt-detached", IMAGE, "sh") + "; echo exited $?; sleep 60");
            awaitPane(server, "/ #");
            tmux(server, "send-keys", "C-p", "C-q");
            awaitPane(server, "exited 0");
            assertThat(names(b.berth("ps").ok())).contains("bt-detached");
        } finally {
            new ProcessBuilder("tmux", "-L", server, "kill-server").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** run -v (a host path, read-only or not; a named volume, kept between containers) and run --pod (issue 18). */
    @Test
    void runBindsVolumesAndJoinsAPod() throws Exception {
        Path host = Files.createDirectories(b.dir.resolve("host"));
        Files.writeString(host.resolve("f"), "from the host\n");
        assertThat(b.berth("run", "--rm", "-v", host + ":/h", IMAGE, "sh", "-c", "cat /h/f; echo back > /h/g").ok().out()).isEqualTo("from the host\n");
        assertThat(Files.readString(host.resolve("g"))).isEqualTo("back\n");
        Run readOnly = b.berth("run", "--rm", "-v", host + ":/h:ro", IMAGE, "touch", "/h/x");
        assertThat(readOnly.code()).isEqualTo(1);
        assertThat(readOnly.err()).contains("Read-only file system");
        b.berth("run", "--rm", "-v", "bt-data:/data", IMAGE, "sh", "-c", "echo kept > /data/k").ok();
        assertThat(b.berth("run", "--rm", "-v", "bt-data:/data", IMAGE, "cat", "/data/k").ok().out()).isEqualTo("kept\n");
        assertThat(b.berth("volume", "ls").ok().out()).contains("bt-data");
        Run missing = b.berth("run", "--rm", "-v", b.dir.resolve("nope") + ":/x", IMAGE, "true");
        assertThat(missing.code()).isEqualTo(125);
        assertThat(missing.err()).contains("does not exist");
        assertThat(b.berth("run", "--rm", "-v", "data", IMAGE, "true").err()).contains("give SRC:DEST[:ro]");

        Path demo = Path.of("manifests/demo.yaml").toAbsolutePath();
        b.berth("kube", "play", "-q", demo.toString()).ok();
        assertThat(b.berth("run", "--rm", "--pod", "demo", IMAGE, "sh", "-c", "hostname; wget -q -O - http://localhost:8080/").ok().out())
                .isEqualTo("demo\nhello from web\n");
        assertThat(b.berth("run", "--rm", "--pod", "bt-nopod", IMAGE, "true").err()).isEqualTo("Error: no pod \"bt-nopod\"\n");
        // --network container:NAME shares that container's network namespace, as podman's
        b.berth("run", "-d", "--name", "bt-server", IMAGE, "httpd", "-f", "-p", "8080", "-h", "/www").ok();
        assertThat(b.berth("run", "--rm", "--network", "container:bt-server", IMAGE, "sh", "-c",
                "for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- localhost:8080 && break; sleep 0.2; done").ok().out()).contains("hello from berth-busybox");
        b.berth("kube", "down", "--timeout", "1", demo.toString()).ok();
        b.berth("volume", "rm", "bt-data").ok();
    }

    /** run -p / --network bridge: the container on the pod network in a sandbox of its own, listed as a container only (issue 18). */
    @Test
    void runPublishesPortsFromThePodNetwork() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        b.berth("run", "-d", "--name", "bt-web", "-p", "127.0.0.1:" + port + ":8080", IMAGE, "httpd", "-f", "-p", "8080", "-h", "/www").ok();
        String page = "";
        for (int i = 0; i < 50 && !page.contains("hello"); i++) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                s.setSoTimeout(5000);
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                page = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        assertThat(page).contains("hello from berth-busybox");
        assertThat(names(b.berth("ps").ok())).containsExactly("bt-web");
        assertThat(b.berth("pod", "ps", "-q").ok().out()).isEmpty();
        assertThat(b.berth("kube", "generate", "bt-web").ok().out()).contains("hostPort: " + port);
        Run taken = b.berth("run", "--rm", "-p", "127.0.0.1:" + port + ":80", IMAGE, "true");
        assertThat(taken.code()).isEqualTo(125);
        assertThat(taken.err()).contains("port " + port + "/TCP is already taken by pod bt-web");
        assertThat(b.berth("run", "--rm", "--network", "bridge", IMAGE, "sh", "-c", "ip -4 -o addr show eth0").ok().out()).contains("inet 10.");
        assertThat(b.berth("run", "--rm", "-p", "eighty", IMAGE, "true").err()).contains("give [ip:]hostPort:containerPort");
        Run running = b.berth("rm", "bt-web"); // refused, and nothing of it lost: its sandbox is removed only with it
        assertThat(running.code()).isEqualTo(125);
        assertThat(running.err()).contains("container bt-web is running; stop it first, or use rm -f");
        assertThat(names(b.berth("ps").ok())).containsExactly("bt-web");
        assertThat(b.berth("kube", "generate", "bt-web").ok().out()).contains("hostPort: " + port);
        b.berth("rm", "-f", "bt-web").ok();
        assertThat(b.berth("pod", "ps", "--format", "json").ok().out()).doesNotContain("bt-web");
        b.berth("run", "--rm", "-p", "127.0.0.1:" + port + ":8080", IMAGE, "true").ok(); // the port is free again
        assertThat(b.berth("ps", "-aq").ok().out()).isEmpty();
        b.assertNothingLeft();
    }

    /** A shell command line running berth with these arguments. */
    private String shell(String... args) {
        return String.join(" ", b.processArgv(args).stream().map(a -> "'" + a + "'").toList());
    }

    private static String tmux(String server, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("tmux", "-L", server));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("tmux %s: %s", argv, out).isZero();
        return out;
    }

    /** Waits until the pane's text (each line's trailing blanks and the blank lines at its end dropped) ends with a match of {@code regex}. */
    private static void awaitPane(String server, String regex) throws Exception {
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile("(?s).*" + regex);
        String pane = "";
        for (int i = 0; i < 300; i++) {
            pane = tmux(server, "capture-pane", "-p").replaceAll("[ \\t]+\n", "\n").strip();
            if (pattern.matcher(pane).matches()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the terminal never showed /" + regex + "/:\n" + pane);
    }

    @Test
    void stopKillAndRemove() {
        b.berth("run", "-d", "--name", "stubborn", IMAGE, "sleep", "1000").ok();
        assertThat(b.berth("stop", "-t", "1", "stubborn").ok().out()).isEqualTo("stubborn\n");
        assertThat(state("stubborn").get("ExitCode")).isEqualTo(137L);

        b.berth("run", "-d", "--name", "polite", IMAGE, "sh", "-c", "trap 'exit 5' TERM; while true; do sleep 0.1; done").ok();
        b.berth("kill", "-s", "TERM", "polite").ok();
        assertThat(waitForStatus("polite", "exited")).isTrue();
        assertThat(state("polite").get("ExitCode")).isEqualTo(5L);

        b.berth("run", "-d", "--name", "busy", IMAGE, "sleep", "1000").ok();
        Run refused = b.berth("rm", "busy");
        assertThat(refused.code()).isEqualTo(125);
        assertThat(refused.err()).contains("container busy is running; stop it first, or use rm -f");
        b.berth("rm", "-f", "busy", "stubborn", "polite").ok();
        assertThat(b.berth("ps", "-a").ok().out().lines()).hasSize(1);
        assertThat(b.mounts()).isEmpty();
        Run missing = b.berth("rm", "nosuch");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("Error: no container \"nosuch\"\n");
    }

    @Test
    void namesAreUniqueAndIdPrefixesAddressContainers() {
        String id = b.berth("run", "-d", "--name", "one", IMAGE, "sleep", "1000").ok().out().strip();
        Run taken = b.berth("run", "-d", "--name", "one", IMAGE, "true");
        assertThat(taken.code()).isEqualTo(125);
        assertThat(taken.err()).contains("the container name \"one\" is already in use");
        assertThat(b.berth("exec", id.substring(0, 6), "true").code()).isZero();
        Map<String, Object> c = inspect(id.substring(0, 12));
        assertThat(c.get("Name")).isEqualTo("one");
        assertThat(Json.object(c, "State").get("Status")).isEqualTo("running");
        assertThat(Json.strings(Json.object(c, "Config"), "Cmd")).containsExactly("sleep", "1000");
    }

    @Test
    void severalBerthProcessesCreateContainersAtOnce() throws Exception {
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            processes.add(new ProcessBuilder(b.processArgv("run", "-d", "--name", "c" + i, IMAGE, "sleep", "1000")).redirectErrorStream(true).start());
        }
        for (int i = 0; i < 2; i++) {
            processes.add(new ProcessBuilder(b.processArgv("run", "-d", "--name", "same", IMAGE, "sleep", "1000")).redirectErrorStream(true).start());
        }
        List<Integer> codes = new ArrayList<>();
        for (Process p : processes) {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            codes.add(p.exitValue());
        }
        assertThat(codes.subList(0, 4)).containsOnly(0);
        assertThat(codes.subList(4, 6)).containsExactlyInAnyOrder(0, 125);
        String ps = b.berth("ps").ok().out();
        assertThat(ps.lines()).hasSize(6);
    }

    @Test
    void aBerthKilledHalfwayThroughRunLeavesNothingRmCannotClean() throws Exception {
        long seed = Long.getLong("berth.seed", System.nanoTime());
        System.out.println("ContainerIT seed: " + seed);
        Random random = new Random(seed);
        for (int trial = 0; trial < Integer.getInteger("berth.trials", 6); trial++) {
            Process p = new ProcessBuilder(b.processArgv("run", "-d", "--name", "crash" + trial, IMAGE, "sleep", "1000"))
                    .redirectErrorStream(true).start();
            // the JVM takes some 0.3–0.6 s to start: the window covers before, during and after the run's steps
            TimeUnit.MILLISECONDS.sleep(150 + random.nextInt(1200));
            p.destroyForcibly().waitFor();
            Run ps = b.berth("ps", "-a");
            assertThat(ps.code()).isZero();
        }
        Run ps = b.berth("ps", "-a", "--format", "json").ok();
        for (Object c : (List<?>) Json.parse(ps.out())) {
            @SuppressWarnings("unchecked")
            String id = (String) ((Map<String, Object>) c).get("Id");
            b.berth("rm", "-f", id).ok();
        }
        assertThat(b.mounts()).isEmpty();
        assertThat(b.processes()).isEmpty();
        if (Files.exists(b.runroot.resolve("containers"))) {
            try (var s = Files.list(b.runroot.resolve("containers"))) {
                assertThat(s).isEmpty();
            }
        }
        if (Files.exists(b.root.resolve("containers"))) {
            try (var s = Files.list(b.root.resolve("containers"))) {
                assertThat(s).isEmpty();
            }
        }
        assertThat(Path.of(b.runroot.toString(), "runtime")).satisfies(r -> {
            if (Files.exists(r)) {
                try (var s = Files.list(r)) {
                    assertThat(s).isEmpty();
                }
            }
        });
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> inspect(String name) {
        return (Map<String, Object>) ((List<?>) Json.parse(b.berth("inspect", name).ok().out())).get(0);
    }

    Map<String, Object> state(String name) {
        return Json.object(inspect(name), "State");
    }

    boolean waitForStatus(String name, String status) {
        for (int i = 0; i < 100; i++) {
            if (status.equals(state(name).get("Status"))) {
                return true;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
