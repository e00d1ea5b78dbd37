package dev.berth.network;

import static dev.berth.testing.BerthRoot.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.berth.testing.BerthRoot;
import dev.berth.testing.BerthRoot.Run;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pod networking on a bridge and subnet of the test's own: Services, replicas, hostPorts, egress, clean-up. */
class NetworkIT {
    BerthRoot b;
    String bridge;
    String subnetPrefix;
    String gateway;

    @BeforeEach
    void setUp() throws Exception {
        b = new BerthRoot().withSampleImage();
        subnetPrefix = b.subnetPrefix;
        gateway = subnetPrefix + "1";
        bridge = b.bridge;
    }

    @AfterEach
    void tearDown() throws Exception {
        b.close(); // removes every pod and container, and whatever a berth that no longer works left behind
        assertHostNetworkAsItWas();
    }

    Path manifest(String name, String yaml) throws Exception {
        return Files.writeString(b.dir.resolve(name), yaml);
    }

    static String run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    /** No bridge, veth, lease or rule of this test left on the host. */
    void assertHostNetworkAsItWas() throws Exception {
        assertThat(run("ip", "-br", "link", "show")).doesNotContain(bridge);
        assertThat(b.rulesOfThisRoot()).isEmpty();
        Path leases = b.root.resolve("cni/networks/berth");
        if (Files.exists(leases)) {
            try (Stream<Path> s = Files.list(leases)) {
                assertThat(s.map(p -> p.getFileName().toString())).allMatch(n -> n.equals("lock") || n.startsWith("last_reserved_ip"));
            }
        }
    }

    String waitForLog(String container, String expected) throws Exception {
        String out = "";
        for (int i = 0; i < 100 && !out.contains(expected); i++) {
            TimeUnit.MILLISECONDS.sleep(50);
            out = b.berth("logs", container).out();
        }
        return out;
    }

    @Test
    void podToPodThroughAServiceName() throws Exception {
        String link = Path.of("manifests/service-link.yaml").toAbsolutePath().toString();
        b.berth("kube", "play", link).ok();
        for (String name : List.of("api", "api.default", "api.default.svc.cluster.local")) {
            assertThat(b.berth("exec", "frontend-ui", "wget", "-q", "-O", "-", "http://" + name + "/").ok().out()).isEqualTo("api\n");
        }
        assertThat(waitForLog("frontend-ui", "api")).startsWith("api\n");
        assertThat(b.berth("exec", "frontend-ui", "cat", "/etc/hosts").ok().out()).contains(subnetPrefix);
        b.berth("kube", "down", "--timeout", "1", link).ok();
        assertThat(b.rulesOfThisRoot()).noneMatch(r -> r.contains("BERTH-")); // this root's: other tests may run beside it
    }

    @Test
    void twoReplicasBehindOneServiceBothReceiveRequests() throws Exception {
        Path m = manifest("replicas.yaml", """
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
                          command: ["sh", "-c", "mkdir -p /srv && hostname > /srv/index.html && exec httpd -f -p 8080 -h /srv"]
                          ports: [{containerPort: 8080}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: caller}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                    - {name: c, image: %s, command: ["sleep", "1000"]}
                """.formatted(IMAGE, IMAGE));
        b.berth("kube", "play", m.toString()).ok();
        Set<String> answers = new HashSet<>();
        for (int i = 0; i < 40 && answers.size() < 2; i++) {
            answers.add(b.berth("exec", "caller-c", "wget", "-q", "-O", "-", "http://echo/").ok().out().strip());
        }
        assertThat(answers).containsExactlyInAnyOrder("echo-0", "echo-1");
        b.berth("kube", "down", "--timeout", "1", m.toString()).ok();
    }

    int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    String hostPortPod(String name, int hostPort) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                    - name: web
                      image: %s
                      command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
                      ports: [{containerPort: 8080, hostPort: %d}]
                """.formatted(name, IMAGE, hostPort);
    }

    @Test
    void theHostReachesAHostPortWithAPlainTcpClient() throws Exception {
        int port = freePort();
        Path m = manifest("hp.yaml", hostPortPod("published", port));
        b.berth("kube", "play", m.toString()).ok();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.").contains("hello from berth-busybox");
        }
        b.berth("kube", "down", m.toString()).ok();
    }

    /** --publish is not in the spec: a replay that publishes other ports plays the pod anew, one that publishes the same keeps it (issue 18). */
    @Test
    void aReplayWithAnotherPublishPublishesIt() throws Exception {
        int first = freePort();
        int second = freePort();
        Path m = manifest("pub.yaml", hostPortPod("pub", first));
        b.berth("kube", "play", m.toString()).ok();
        assertThat(b.berth("kube", "play", "--publish", second + ":8080", m.toString()).ok().out())
                .contains("Pod/pub  replacing: its published ports changed").contains("pod pub: replaced");
        for (int port : List.of(first, second)) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(5000);
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("hello from berth-busybox");
            }
        }
        assertThat(b.berth("kube", "play", "--publish", second + ":8080", m.toString()).ok().out()).contains("pod pub: unchanged");
        assertThat(b.berth("kube", "play", m.toString()).ok().out()).contains("pod pub: replaced");
        b.berth("kube", "down", m.toString()).ok();
    }

    @Test
    void aHostPortConflictIsReportedBeforeAnythingStarts() throws Exception {
        int port = freePort();
        Path first = manifest("first.yaml", hostPortPod("first", port));
        Path second = manifest("second.yaml", hostPortPod("second", port));
        b.berth("kube", "play", first.toString()).ok();
        Run conflict = b.berth("kube", "play", second.toString());
        assertThat(conflict.code()).isEqualTo(125);
        assertThat(conflict.err()).contains("nothing was started: pod second: hostPort " + port + "/TCP is already taken by pod first");
        assertThat(b.berth("ps", "-a").ok().out()).doesNotContain("second-web");
        b.berth("kube", "down", first.toString()).ok();
        try (ServerSocket held = new ServerSocket(freePort())) {
            Path third = manifest("third.yaml", hostPortPod("third", held.getLocalPort()));
            Run busy = b.berth("kube", "play", third.toString());
            assertThat(busy.code()).isEqualTo(125);
            // the process is named, as ss -ltnp names it: this test's JVM
            assertThat(busy.err()).contains("hostPort " + held.getLocalPort() + "/TCP is already taken by java (pid "
                    + ProcessHandle.current().pid() + ") on this host");
        }
    }

    @Test
    void aPodReachesAnAddressOnTheHost() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "from the host\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Path m = manifest("egress.yaml", """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: egress}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers: [{name: c, image: %s, command: ["sleep", "1000"]}]
                    """.formatted(IMAGE));
            b.berth("kube", "play", m.toString()).ok();
            String url = "http://" + gateway + ":" + server.getAddress().getPort() + "/";
            assertThat(b.berth("exec", "egress-c", "wget", "-q", "-O", "-", url).ok().out()).isEqualTo("from the host\n");
            assertThat(b.berth("exec", "egress-c", "ip", "-4", "addr", "show", "eth0").ok().out()).contains("inet " + subnetPrefix);
            b.berth("kube", "down", m.toString()).ok();
        } finally {
            server.stop(0);
        }
    }

    /**
     * A server "beyond the host": in a network namespace of the test's own, on a veth pair with a
     * /30 of its own and no route back to the pods' subnet, so only the network's masquerade
     * brings the answer back to the pod.
     */
    @Test
    void aPodReachesAnAddressBeyondTheHostThroughTheNetworksMasquerade() throws Exception {
        String name = "bt-" + Long.toHexString(System.nanoTime() & 0xffffffL);
        String prefix = "198.18." + new java.util.Random().nextInt(256) + ".";
        Path site = Files.createDirectories(b.dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), "from beyond the host\n");
        Process server = null;
        try {
            for (String[] step : new String[][] {{"ip", "netns", "add", name},
                    {"ip", "link", "add", name + "h", "type", "veth", "peer", "name", name + "n", "netns", name},
                    {"ip", "addr", "add", prefix + "1/30", "dev", name + "h"}, {"ip", "link", "set", name + "h", "up"},
                    {"ip", "-n", name, "addr", "add", prefix + "2/30", "dev", name + "n"}, {"ip", "-n", name, "link", "set", name + "n", "up"},
                    {"ip", "-n", name, "link", "set", "lo", "up"}}) {
                assertThat(new ProcessBuilder(step).inheritIO().start().waitFor()).as(String.join(" ", step)).isZero();
            }
            server = new ProcessBuilder("ip", "netns", "exec", name, "busybox", "httpd", "-f", "-p", prefix + "2:8080", "-h", site.toString())
                    .inheritIO().start();
            Path m = manifest("beyond.yaml", """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: beyond}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers: [{name: c, image: %s, command: ["sleep", "1000"]}]
                    """.formatted(IMAGE));
            b.berth("kube", "play", m.toString()).ok();
            assertThat(b.rulesOfThisRoot()).anyMatch(r -> r.startsWith("nat -A POSTROUTING -s " + subnetPrefix))
                    .anyMatch(r -> r.startsWith("filter -A FORWARD -s " + subnetPrefix));
            String answer = "";
            for (int i = 0; i < 10 && answer.isEmpty(); i++) { // httpd may still be starting (busybox's wget -T crashes: timeout)
                answer = b.berth("exec", "beyond-c", "timeout", "5", "wget", "-q", "-O", "-", "http://" + prefix + "2:8080/").out();
            }
            assertThat(answer).isEqualTo("from beyond the host\n");
            b.berth("kube", "down", m.toString()).ok();
        } finally {
            if (server != null) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            new ProcessBuilder("ip", "netns", "del", name).inheritIO().start().waitFor(); // takes the veth pair with it
        }
    }

    @Test
    void theTwoTierSampleIsReachedFromTheHost() throws Exception {
        int port = freePort();
        String yaml = Files.readString(Path.of("manifests/two-tier.yaml")).replace("hostPort: 8088", "hostPort: " + port)
                .replace("nodePort: 30088", "nodePort: " + (30000 + new java.util.Random().nextInt(2700)));
        Path m = manifest("two-tier.yaml", yaml);
        b.berth("kube", "play", m.toString()).ok();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /cgi-bin/page HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).contains("storefront asks catalog:80 ...").containsPattern("catalog answered from catalog-[01]");
        }
        b.berth("kube", "down", "--timeout", "1", m.toString()).ok();
    }

    /** A NodePort answers on 127.0.0.1 with no hostPort anywhere (issue 18: it timed out unless portmap had set route_localnet). */
    @Test
    void aNodePortAnswersOnLoopback() throws Exception {
        int nodePort = 30000 + new java.util.Random().nextInt(2700);
        Path m = manifest("np.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: np, labels: {app: np}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                    - name: web
                      image: %s
                      command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
                      ports: [{containerPort: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: np}
                spec:
                  type: NodePort
                  selector: {app: np}
                  ports: [{port: 80, targetPort: 8080, nodePort: %d}]
                """.formatted(IMAGE, nodePort));
        b.berth("kube", "play", m.toString()).ok();
        try (Socket s = new Socket("127.0.0.1", nodePort)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("hello from berth-busybox");
        }
        b.berth("kube", "down", "--timeout", "1", m.toString()).ok();
    }

    @Test
    void namedNetworks() throws Exception {
        String subnet = subnetPrefix.replaceFirst("\\.\\d+\\.$", ".") + "250.0/24";
        b.berth("network", "create", "side", "--subnet", subnet, "--bridge", bridge + "s").ok();
        assertThat(b.berth("network", "ls").ok().out()).containsPattern("side +" + bridge + "s +" + subnet.replace(".", "\\.") + " +0");
        Path m = manifest("side.yaml", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: aside
                  annotations: {berth.dev/network: side}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers: [{name: c, image: %s, command: ["sleep", "1000"]}]
                """.formatted(IMAGE));
        b.berth("kube", "play", m.toString()).ok();
        assertThat(b.berth("exec", "aside-c", "ip", "-4", "addr", "show", "eth0").ok().out()).contains("inet " + subnet.substring(0, subnet.lastIndexOf('.')));
        Run inUse = b.berth("network", "rm", "side");
        assertThat(inUse.code()).isEqualTo(125);
        assertThat(inUse.err()).contains("network side is used by 1 pod(s)");
        b.berth("kube", "down", m.toString()).ok();
        b.berth("network", "rm", "side").ok();
        assertThat(run("ip", "-br", "link", "show")).doesNotContain(bridge + "s");
    }
}
