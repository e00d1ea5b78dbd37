package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Json;
import dev.berth.testing.BerthRoot;
import dev.berth.testing.BerthRoot.Run;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * berth commands at once over the same host: the same file played twice, two roots side by
 * side, and Service addresses that must never leave the host.
 */
class ConcurrencyIT {
    static final String LINKED = Path.of("manifests/service-link.yaml").toAbsolutePath().toString();

    /** What a berth process printed and returned. */
    static Run process(BerthRoot b, String... args) throws Exception {
        Process p = new ProcessBuilder(b.processArgv(args)).redirectErrorStream(true).start();
        String out = BerthRoot.text(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("berth %s ended", List.of(args)).isTrue();
        return new Run(p.exitValue(), out, "");
    }

    @Test
    void theSameFilePlayedTwiceAtOnceWaitsForTheFirstAndLeavesNothingAfterDown() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            for (int trial = 0; trial < Integer.getInteger("berth.trials", 3); trial++) {
                // one play in a process of its own (the file lock), one in this JVM
                CompletableFuture<Run> other = CompletableFuture.supplyAsync(() -> {
                    try {
                        return process(b, "kube", "play", LINKED);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Run here;
                Run there;
                try {
                    here = b.berth("kube", "play", LINKED);
                } finally {
                    there = other.get(180, TimeUnit.SECONDS);
                }
                try {
                    assertThat(here.code()).as("play here: %s %s", here.out(), here.err()).isZero();
                    assertThat(there.code()).as("play in a process: %s", there.out()).isZero();
                    // whichever came second found the pods the first made, and kept them
                    assertThat(here.out() + there.out()).contains("pod api: unchanged").contains("pod api: created");
                    List<?> pods = (List<?>) Json.parse(b.berth("pod", "ps", "--format", "json").ok().out());
                    assertThat(pods).hasSize(2).allSatisfy(p -> assertThat(((Map<?, ?>) p).get("Phase")).isEqualTo("Running"));
                    assertThat(b.berth("exec", "frontend-ui", "wget", "-q", "-O", "-", "http://api:80/").ok().out()).contains("api");
                } finally {
                    b.berth("kube", "down", "--timeout", "1", LINKED).ok();
                }
                b.assertNothingLeft();
            }
        }
    }

    /** A file of its own: a Service, its backing pod (slow to listen) and a client that asks it all the time. */
    static String tier(String name) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s}
                spec:
                  selector: {app: %1$s}
                  ports: [{port: 80, targetPort: 8080}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: %1$s-server, labels: {app: %1$s}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                    - name: c
                      image: localhost/berth-busybox:latest
                      command: ["sh", "-c", "sleep 1; echo %1$s > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"]
                      ports: [{containerPort: 8080}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: %1$s-client}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                    - name: c
                      image: localhost/berth-busybox:latest
                      command: ["sh", "-c", "while true; do wget -q -O /dev/null http://%1$s:80/ ; sleep 0.2; done"]
                """.formatted(name);
    }

    /**
     * Counts, in the mangle table's POSTROUTING, packets to this root's pod and Service ranges that
     * leave by an interface other than its bridge (loopback included: nothing of them may go there).
     */
    static final class OffHostCounter implements AutoCloseable {
        final List<List<String>> rules;

        OffHostCounter(BerthRoot b) throws Exception {
            String comment = "bt-count-" + b.bridge;
            rules = List.of(
                    List.of("-t", "mangle", "-A", "POSTROUTING", "-d", b.subnetPrefix + "0/24", "!", "-o", b.bridge, "-m", "comment", "--comment", comment),
                    List.of("-t", "mangle", "-A", "POSTROUTING", "-d", b.servicePrefix + "0/24", "!", "-o", b.bridge, "-m", "comment", "--comment", comment));
            for (List<String> r : rules) {
                iptables(r);
            }
        }

        long packets() throws Exception {
            String out = BerthRoot.text(new ProcessBuilder("iptables", "-w", "-t", "mangle", "-L", "POSTROUTING", "-v", "-x", "-n")
                    .redirectErrorStream(true).start().getInputStream().readAllBytes());
            return out.lines().filter(l -> l.contains(rules.get(0).get(rules.get(0).size() - 1)))
                    .mapToLong(l -> Long.parseLong(l.strip().split("\\s+")[0])).sum();
        }

        static void iptables(List<String> rule) throws Exception {
            List<String> argv = new java.util.ArrayList<>(List.of("iptables", "-w"));
            argv.addAll(rule);
            assertThat(new ProcessBuilder(argv).inheritIO().start().waitFor()).isZero();
        }

        @Override
        public void close() throws Exception {
            for (List<String> r : rules) {
                List<String> delete = new java.util.ArrayList<>(r);
                delete.set(2, "-D");
                iptables(delete);
            }
        }
    }

    @Test
    void sixPlaysAtOnceOfFourFilesThenDownsLeaveNothingAndSendNothingOffTheHost() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage(); OffHostCounter counter = new OffHostCounter(b)) {
            List<Path> files = new java.util.ArrayList<>();
            for (String name : List.of("ta", "tb", "tc", "td")) {
                files.add(Files.writeString(b.dir.resolve(name + ".yaml"), tier(name)));
            }
            List<Path> plays = List.of(files.get(0), files.get(1), files.get(2), files.get(3), files.get(0), files.get(1));
            try {
                List<CompletableFuture<Run>> running = new java.util.ArrayList<>();
                for (int i = 0; i < plays.size(); i++) {
                    Path f = plays.get(i);
                    boolean inProcess = i % 2 == 0;
                    running.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return inProcess ? process(b, "kube", "play", f.toString()) : b.berth("kube", "play", f.toString());
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }));
                }
                for (CompletableFuture<Run> r : running) {
                    Run run = r.get(300, TimeUnit.SECONDS);
                    assertThat(run.code()).as("%s %s", run.out(), run.err()).isZero();
                }
                List<?> pods = (List<?>) Json.parse(b.berth("pod", "ps", "--format", "json").ok().out());
                assertThat(pods).hasSize(8).allSatisfy(p -> assertThat(((Map<?, ?>) p).get("Phase")).isEqualTo("Running"));
                for (String name : List.of("ta", "tb", "tc", "td")) {
                    assertThat(b.berth("exec", name + "-client-c", "wget", "-q", "-O", "-", "http://" + name + ":80/").ok().out()).contains(name);
                }
            } finally {
                List<CompletableFuture<Run>> downs = new java.util.ArrayList<>();
                for (Path f : List.of(files.get(0), files.get(1), files.get(2), files.get(3), files.get(0))) {
                    downs.add(CompletableFuture.supplyAsync(() -> b.berth("kube", "down", f.toString())));
                }
                for (CompletableFuture<Run> d : downs) {
                    d.get(120, TimeUnit.SECONDS).ok();
                }
            }
            b.assertNothingLeft();
            assertThat(counter.packets()).as("packets to pod or Service addresses that left the host").isZero();
        }
    }

    @Test
    void aServiceWithoutReadyPodsRefusesAtOnceAndItsRangeNeverLeavesTheHost() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path m = Files.writeString(b.dir.resolve("empty-service.yaml"), """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: nobody}
                    spec:
                      selector: {app: nobody}
                      ports: [{port: 80, targetPort: 8080}]
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: asker}
                    spec:
                      containers:
                        - name: c
                          image: localhost/berth-busybox:latest
                          command: ["sleep", "1000"]
                    """);
            try {
                checkRefusals(b, m);
            } finally {
                b.berth("kube", "down", "--timeout", "1", m.toString()).ok();
            }
            b.assertNothingLeft();
        }
    }

    private static void checkRefusals(BerthRoot b, Path m) throws Exception {
        b.berth("kube", "play", m.toString()).ok();
        String vip = b.berth("exec", "asker-c", "cat", "/etc/hosts").ok().out().lines().filter(l -> l.endsWith("\tnobody") || l.contains("\tnobody "))
                .map(l -> l.split("\t")[0]).findFirst().orElseThrow();
        assertThat(vip).startsWith(b.servicePrefix);
        // from a pod: refused by the guard, not routed away and answered by some other machine
        Run fromPod = b.berth("exec", "asker-c", "wget", "-q", "-O", "-", "http://nobody:80/");
        assertThat(fromPod.code()).isNotZero();
        assertThat(fromPod.out() + fromPod.err()).containsIgnoringCase("refused");
        // from the host, on a port no Service has, too
        for (int port : new int[] {80, 81}) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(vip, port), 3000);
                throw new AssertionError("connected to " + vip + ":" + port);
            } catch (ConnectException expected) {
                assertThat(expected.getMessage()).contains("refused");
            } catch (IOException timeout) {
                throw new AssertionError("no quick refusal from " + vip + ":" + port + ": " + timeout);
            }
        }
    }

    static final String ONE_POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: %s}
            spec:
              containers:
                - name: c
                  image: localhost/berth-busybox:latest
                  command: ["sh", "-c", "echo %s > /tmp/index.html && exec httpd -f -p 8080 -h /tmp"]
                  ports: [{containerPort: 8080}]
            """;

    @Test
    void twoRootsGetNetworksOfTheirOwnAndOneRootsDownLeavesTheOther() throws Exception {
        try (BerthRoot one = new BerthRoot(false).withSampleImage().adoptDefaultNetwork();
                BerthRoot two = new BerthRoot(false).withSampleImage().adoptDefaultNetwork()) {
            assertThat(one.bridge).isNotEqualTo(two.bridge).startsWith("berth-");
            assertThat(one.subnetPrefix).isNotEqualTo(two.subnetPrefix).startsWith("10.90.");
            Path m1 = Files.writeString(one.dir.resolve("a.yaml"), ONE_POD.formatted("same", "one"));
            Path m2 = Files.writeString(two.dir.resolve("a.yaml"), ONE_POD.formatted("same", "two"));
            try {
                oneDownLeavesTheOther(one, two, m1, m2);
            } finally {
                one.berth("kube", "down", "--timeout", "1", m1.toString()).ok();
                two.berth("kube", "down", "--timeout", "1", m2.toString()).ok();
            }
            one.assertNothingLeft();
            two.assertNothingLeft();
        }
    }

    private static void oneDownLeavesTheOther(BerthRoot one, BerthRoot two, Path m1, Path m2) throws Exception {
        one.berth("kube", "play", m1.toString()).ok();
        two.berth("kube", "play", m2.toString()).ok();
        String ip2 = two.berth("exec", "same-c", "ip", "-4", "-o", "addr", "show", "eth0").ok().out();
        assertThat(ip2).contains(two.subnetPrefix);
        one.berth("kube", "down", "--timeout", "1", m1.toString()).ok();
        assertThat(BerthRoot.linkExists(two.bridge)).isTrue();
        String address = ip2.replaceAll("(?s).*inet ([0-9.]+)/.*", "$1");
        try (var in = new java.net.URL("http://" + address + ":8080/index.html").openStream()) {
            assertThat(BerthRoot.text(in.readAllBytes())).contains("two");
        }
    }

    @Test
    void aFreshRootMakesItsDefaultNetworkOnceWhenSixPodsStartAtOnce() throws Exception {
        try (BerthRoot b = new BerthRoot(false).withSampleImage()) {
            StringBuilder six = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                six.append(ONE_POD.formatted("fresh" + i, "x")).append("---\n");
            }
            Path m = Files.writeString(b.dir.resolve("six.yaml"), six.toString());
            try {
                Run play = b.berth("kube", "play", m.toString());
                assertThat(play.code()).as(play.err()).isZero();
            } finally {
                b.adoptDefaultNetwork();
                b.berth("kube", "down", "--timeout", "1", m.toString()).ok();
            }
            b.assertNothingLeft();
        }
    }

    @Test
    void aBridgeOfOneRootIsRefusedToAnotherAndSoAreOverlappingSubnets() throws Exception {
        try (BerthRoot one = new BerthRoot().withSampleImage(); BerthRoot two = new BerthRoot().withSampleImage()) {
            Path m1 = Files.writeString(one.dir.resolve("a.yaml"), ONE_POD.formatted("p1", "one"));
            Path sameBridge = Files.writeString(two.dir.resolve("a.yaml"), ONE_POD.replace("metadata: {name: %s}",
                    "metadata: {name: %s, annotations: {berth.dev/network: lan}}").formatted("p2", "two"));
            Path sameSubnet = Files.writeString(two.dir.resolve("b.yaml"), ONE_POD.replace("metadata: {name: %s}",
                    "metadata: {name: %s, annotations: {berth.dev/network: clash}}").formatted("p3", "three"));
            try {
                one.berth("kube", "play", m1.toString()).ok();
                two.berth("network", "create", "lan", "--subnet", two.subnetPrefix.replaceFirst("\\.\\d+\\.$", ".251.0/24"), "--bridge", one.bridge).ok();
                Run refused = two.berth("kube", "play", sameBridge.toString());
                assertThat(refused.code()).isNotZero();
                assertThat(refused.err()).contains("bridge " + one.bridge).contains("belongs to berth root " + one.root);
                two.berth("network", "create", "clash", "--subnet", one.subnetPrefix + "0/24", "--bridge", two.bridge + "c").ok();
                refused = two.berth("kube", "play", sameSubnet.toString());
                assertThat(refused.code()).isNotZero();
                assertThat(refused.err()).contains("overlaps").contains(one.bridge);
                // root one's pod never noticed
                assertThat(one.berth("exec", "p1-c", "wget", "-q", "-O", "-", "http://127.0.0.1:8080/index.html").ok().out()).contains("one");
            } finally {
                two.berth("kube", "down", "--timeout", "1", sameBridge.toString()).ok();
                two.berth("kube", "down", "--timeout", "1", sameSubnet.toString()).ok();
                one.berth("kube", "down", "--timeout", "1", m1.toString()).ok();
            }
            assertThat(BerthRoot.linkExists(two.bridge + "c")).isFalse();
            one.assertNothingLeft();
            two.assertNothingLeft();
        }
    }
}
