package dev.berth.cli;

import static dev.berth.testing.BerthRoot.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthRoot;
import dev.berth.testing.BerthRoot.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The README's shell blocks, run: each line is either run here, in the README's order, in a
 * root of its own, and checked against what its comment says, or named with the test that
 * covers it elsewhere (registries, terminals, users) or why it is not run (it installs, or
 * needs the internet). A line added to or changed in the README fails here until it is one or
 * the other (issue 18).
 */
class ReadmeIT {
    /** README lines covered by other tests or not runnable here, with why. */
    static final Map<String, String> ELSEWHERE = new LinkedHashMap<>();

    static {
        ELSEWHERE.put("samples/demo ", ".ci and the README's first command run it on a fresh host");
        ELSEWHERE.put(".ci/test ", "it is this test suite");
        ELSEWHERE.put("./berth kube plan -o dot ", "needs graphviz, which berth does not install; CliTest checks the dot output");
        ELSEWHERE.put("samples/build-image ", "BerthRoot.sampleTar runs it for every test");
        ELSEWHERE.put("./berth image import /tmp/rootfs.tar ", "BerthRoot.withSampleImage imports it for every test");
        ELSEWHERE.put("./berth image pull ", "RegistryIT, against local registries (no internet here)");
        ELSEWHERE.put("./berth login ", "RegistryIT");
        ELSEWHERE.put("./berth image ls --digests; ./berth image tag IMAGE", "RegistryIT and ImageIT");
        ELSEWHERE.put("./berth kube play app.yaml ", "RegistryIT (pulls before play)");
        ELSEWHERE.put("samples/real/run ", "RegistryIT.theRealSoftwareSamplePlaysFromARegistryInReadinessOrderAndAnswersFromTheHost");
        ELSEWHERE.put("./berth run -it --rm ", "ContainerIT.interactiveContainersTakeStdinAndATerminal (tmux as the terminal)");
        ELSEWHERE.put("source <(./berth completion bash) ", "CliTest.theBashCompletionScriptCompletesCommandsAndOptions");
        ELSEWHERE.put("$ berth ", "RootlessIT (as an ordinary user)");
        ELSEWHERE.put("./berth kube generate web-0 web-1 ", "GenerateIT (Deployments)");
        ELSEWHERE.put("./berth kube generate --type pod --service ", "GenerateIT");
        ELSEWHERE.put("./berth api start ", "KubectlCompatIT, with the real kubectl (KubeClients starts the API and writes its kubeconfig)");
        ELSEWHERE.put("./berth api kubeconfig --merge ", "ApiSecurityIT.kubeconfigMergeKeepsTheOtherContextsAndIsPrivate");
        ELSEWHERE.put("kubectl ", "KubectlCompatIT, with kubectl 1.35 and 1.33");
        ELSEWHERE.put("helm install ", "HelmIT");
        ELSEWHERE.put("./berth api kubeconfig > ", "KubeClients (every API test's kubeconfig)");
        ELSEWHERE.put("./berth api status; ./berth api stop ", "BerthRoot.close stops the API of every API test; ApiSecurityIT");
    }

    private BerthRoot b;
    private final Map<String, Consumer<String>> checks = new LinkedHashMap<>();

    private void check(String line, Consumer<String> check) {
        checks.put(line, check);
    }

    @Test
    void theReadmesCommandsDoWhatItSays() throws Exception {
        Path demo = Path.of("manifests/demo.yaml").toAbsolutePath();
        try (BerthRoot root = new BerthRoot().withSampleImage()) {
            b = root;
            check("./berth --help", l -> assertThat(ok("--help")).contains("kube", "run", "Exit codes"));
            check("./berth kube plan manifests/demo.yaml ", l -> assertThat(ok("kube", "plan", demo.toString()))
                    .contains("3. Container/demo/client  waits for Pod/demo ready; Container/demo/web ready (inferred"));
            check("./berth kube plan -o json manifests/ ", l -> assertThat(ok("kube", "plan", "-o", "json", "manifests/")).startsWith("{\"nodes\":["));
            check("./berth run --rm localhost/berth-busybox echo hello world ", l -> assertThat(ok("run", "--rm", IMAGE, "echo", "hello", "world"))
                    .isEqualTo("hello world\n"));
            check("./berth run -d --name sleeper ", l -> assertThat(ok("run", "-d", "--name", "sleeper", IMAGE, "sleep", "1000")).matches("[0-9a-f]{64}\n"));
            check("./berth run --rm --env-file app.env -e HOME -e MODE=dev ", l -> {
                Path env = write("app.env", "# a comment\nLEVEL=3\n");
                assertThat(ok("run", "--rm", "--env-file", env.toString(), "-e", "HOME", "-e", "MODE=dev", IMAGE, "env"))
                        .contains("LEVEL=3\n", "MODE=dev\n", "HOME=" + System.getenv("HOME") + "\n");
            });
            check("./berth ps ", l -> assertThat(ok("ps")).containsPattern("Up (\\d+ seconds?|Less than a second) +sleeper"));
            check("./berth exec sleeper ps ", l -> assertThat(ok("exec", "sleeper", "ps")).containsPattern("(?m)^ +1 root +sleep 1000$"));
            check("echo hi | ./berth exec -i sleeper cat; ./berth exec -it sleeper sh ", l -> assertThat(b.piped("hi\n", "exec", "-i", "sleeper", "cat"))
                    .isEqualTo("hi\n"));
            check("./berth run --rm -v \"$PWD:/src:ro\" -v cache:/cache ", l -> {
                assertThat(ok("run", "--rm", "-v", Path.of("").toAbsolutePath() + ":/src:ro", "-v", "cache:/cache", IMAGE, "ls", "/src"))
                        .contains("README.md\n", "pom.xml\n");
                assertThat(ok("volume", "ls")).contains("cache");
            });
            check("./berth run --rm --pod demo ", l -> {
                ok("kube", "play", "-q", demo.toString());
                assertThat(ok("run", "--rm", "--pod", "demo", IMAGE, "wget", "-qO-", "localhost:8080")).isEqualTo("hello from web\n");
                ok("kube", "down", demo.toString());
            });
            check("./berth run --rm --network container:sleeper ", l -> assertThat(ok("run", "--rm", "--network", "container:sleeper", IMAGE,
                    "ip", "addr")).contains("inet 127.0.0.1"));
            check("./berth run -d --name web -p 8080:80 ", l -> {
                int port;
                try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                    port = free.getLocalPort();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                ok("run", "-d", "--name", "web", "-p", "127.0.0.1:" + port + ":80", IMAGE, "httpd", "-f", "-p", "80", "-h", "/www");
                assertThat(ok("kube", "generate", "web")).contains("hostPort: " + port);
                ok("rm", "-f", "web");
            });
            check("kill -9 <its pid>; ./berth ps -a ", l -> {
                String pid = ok("inspect", "-f", "{{.State.Pid}}", "sleeper").strip();
                run("kill", "-9", pid);
                waitFor(() -> ok("ps", "-a").contains("Exited (137)"));
            });
            check("./berth logs [-f] [-n N] [-t] [--since 10m] [--until TIME] sleeper; ./berth stop -t 5 sleeper; ./berth start sleeper; ./berth restart sleeper; ./berth rm -f sleeper", l -> {
                ok("run", "-d", "--name", "talker", IMAGE, "sh", "-c", "echo one; echo two; sleep 1000");
                waitFor(() -> ok("logs", "talker").equals("one\ntwo\n"));
                assertThat(ok("logs", "-n", "1", "-t", "--since", "10m", "talker")).matches("20\\S+ two\n");
                assertThat(ok("stop", "-t", "5", "talker")).isEqualTo("talker\n");
                assertThat(ok("start", "talker")).isEqualTo("talker\n");
                assertThat(ok("restart", "talker")).isEqualTo("talker\n");
                assertThat(ok("rm", "-f", "talker")).isEqualTo("talker\n");
            });
            check("./berth ps -a --filter status=exited --filter pod=demo ", l -> {
                ok("kube", "play", "-q", demo.toString());
                waitFor(() -> ok("ps", "-a", "--filter", "status=exited", "--filter", "pod=demo").contains("demo-client"));
            });
            check("./berth rm -f $(./berth ps -aq); ./berth rm -af ", l -> {
                assertThat(ok("rm", "-f", "bt-nothing")).isEmpty();
                ok("rm", "-f", "sleeper");
                assertThat(ok("ps", "-aq").lines()).hasSize(2); // the demo's
            });
            check("./berth images; ./berth container ls; ./berth rmi IMAGE ", l -> {
                assertThat(ok("images")).containsPattern("localhost/berth-busybox +latest +[0-9a-f]{12} ");
                assertThat(ok("container", "ls")).contains("demo-web");
            });
            check("./berth ps --format '{{.Names}} {{.Status}}'; ./berth inspect -f '{{.State.Pid}}' sleeper ", l -> {
                assertThat(ok("ps", "--format", "{{.Names}} {{.Status}}")).startsWith("demo-web Up ");
                assertThat(ok("inspect", "-f", "{{.State.Pid}}", "demo-web")).matches("[1-9][0-9]*\n");
            });
            check("./berth ps --format 'table {{.ID}}\\t{{.Names}}\\t{{.Command}}'; ./berth images --format '{{.Repository}}:{{.Tag}}'", l -> {
                assertThat(ok("ps", "--format", "table {{.ID}}\\t{{.Names}}\\t{{.Command}}")).startsWith("CONTAINER ID  NAMES     COMMAND\n");
                assertThat(ok("images", "--format", "{{.Repository}}:{{.Tag}}")).isEqualTo(IMAGE + "\n");
            });
            check("./berth run -d --restart on-failure:3 ", l -> {
                String id = ok("run", "-d", "--restart", "on-failure:3", IMAGE, "sh", "-c", "exit 1").strip();
                waitFor(() -> ok("inspect", "-f", "{{.RestartCount}} {{.State.Status}}", id).equals("3 exited\n"));
                ok("rm", "-f", id);
            });
            check("./berth system check ", l -> assertThat(ok("system", "check")).contains("runc"));
            check("./berth man ps | man -l -; ./berth man --dir ", l -> {
                assertThat(ok("man", "ps")).startsWith(".TH \"BERTH-PS\" 1");
                assertThat(ok("man", "--dir", b.dir.resolve("man1").toString())).contains("berth-ps.1\n");
            });
            check("./berth kube play manifests/demo.yaml ", l -> assertThat(ok("kube", "play", demo.toString())).contains("pod demo: unchanged"));
            check("./berth pod ps ", l -> assertThat(ok("pod", "ps")).startsWith("NAME  STATUS   READY  RESTARTS  CONTAINERS  AGE\ndemo  "));
            check("./berth pod inspect demo ", l -> assertThat(ok("pod", "inspect", "demo")).contains("\"Phase\": \"Running\"", "\"Conditions\""));
            check("./berth logs demo-client ", l -> assertThat(ok("logs", "demo-client")).isEqualTo("hello from web\n"));
            check("./berth pod stop demo; ./berth pod start demo ", l -> {
                assertThat(ok("pod", "stop", "-t", "1", "demo")).isEqualTo("demo\n");
                assertThat(ok("pod", "start", "demo")).isEqualTo("demo\n");
            });
            check("./berth kube generate demo ", l -> assertThat(ok("kube", "generate", "demo")).contains("kind: Pod", "name: demo"));
            check("./berth kube down manifests/demo.yaml", l -> assertThat(ok("kube", "down", demo.toString())).contains("Pod/demo  removed"));
            check("./berth kube generate sleeper ", l -> {
                ok("run", "-d", "--name", "sleeper", IMAGE, "sleep", "1000");
                assertThat(ok("kube", "generate", "sleeper")).contains("kind: Pod", "command:", "sleep");
                ok("rm", "-f", "sleeper");
            });

            List<String> unaccounted = new ArrayList<>();
            List<Map.Entry<String, Consumer<String>>> toRun = new ArrayList<>();
            for (String line : ReadmeTest.shellLines()) {
                Map.Entry<String, Consumer<String>> run = checks.entrySet().stream().filter(e -> line.startsWith(e.getKey()))
                        .max(java.util.Comparator.comparingInt(e -> e.getKey().length())).orElse(null); // the most precise
                if (run != null) {
                    toRun.add(run);
                } else if (ELSEWHERE.keySet().stream().noneMatch(line::startsWith)) {
                    unaccounted.add(line);
                }
            }
            assertThat(unaccounted).as("README lines neither run here nor covered elsewhere").isEmpty();
            // run in the README's order (kube play before the filter by pod, and so on) where it matters
            List<String> order = new ArrayList<>(checks.keySet());
            toRun.sort(java.util.Comparator.comparingInt(e -> order.indexOf(e.getKey())));
            for (Map.Entry<String, Consumer<String>> e : toRun) {
                e.getValue().accept(e.getKey());
            }
            assertThat(toRun.stream().map(Map.Entry::getKey).distinct()).as("checks whose README line is gone").hasSameSizeAs(checks.keySet());
            ok("rm", "-af");
            ok("volume", "rm", "cache");
        }
    }

    private String ok(String... args) {
        Run r = b.berth(args);
        assertThat(r.code()).as("berth %s: %s", String.join(" ", args), r.err()).isZero();
        return r.out();
    }

    private Path write(String name, String text) {
        try {
            return Files.writeString(b.dir.resolve(name), text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void run(String... argv) {
        try {
            assertThat(new ProcessBuilder(argv).inheritIO().start().waitFor()).isZero();
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        for (int i = 0; i < 300; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("the README's promise did not hold within 30 s");
    }
}
