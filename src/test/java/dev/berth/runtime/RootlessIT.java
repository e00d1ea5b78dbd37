package dev.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.sys.Linux;
import dev.berth.testing.Archives;
import dev.berth.testing.BerthRoot;
import dev.berth.testing.Tars;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * berth run by an ordinary user (made by the test, removed after it): {@code system check} lists
 * what containers without root need and how to fix it; with subordinate ids, the user's commands
 * run containers and pods as root's do, in the user's own namespaces.
 */
class RootlessIT {
    record Run(int code, String out) {}

    @Test
    void aUserSeesWhatIsMissingForContainersWithoutRootAndHowToFixIt() throws Exception {
        assumeTrue(Linux.isRoot(), "making a user needs root");
        String user;
        try (TestUser u = TestUser.make()) {
            user = u.name();
            Path home = u.home();
            Run check = asUser(user, home, "system", "check");
            assertThat(check.code()).as(check.out()).isEqualTo(125);
            assertThat(check.out()).containsPattern("/etc/subuid +MISSING +no range for " + user + "; fix as root: usermod --add-subuids"
                    + " 100000-165535 --add-subgids 100000-165535 " + user).containsPattern("newuidmap +(ok|MISSING)");

            run("usermod", "--add-subuids", "300000-365535", "--add-subgids", "300000-365535", user);
            Run fixed = asUser(user, home, "system", "check");
            assertThat(fixed.out()).containsPattern("/etc/subuid +ok +65536 ids from 300000")
                    .containsPattern("/etc/subgid +ok +65536 ids from 300000");
            assertThat(fixed.code()).as("0 once nothing is missing").isEqualTo(fixed.out().contains("MISSING") ? 125 : 0);
        }
        assertThat(Files.readString(Path.of("/etc/subuid"))).doesNotContain(user + ":");
    }

    /**
     * The issue's proof: as a user with subordinate ids, the same commands and manifests as root,
     * with the same results, and nothing of that user's berth left after kube down.
     */
    @Test
    void anOrdinaryUserRunsContainersAndPodsAsRootDoesAndDownLeavesNothing() throws Exception {
        assumeTrue(Linux.isRoot(), "making a user needs root");
        Path tun = Path.of("/dev/net/tun");
        var tunMode = Files.getPosixFilePermissions(tun);
        int uid = -1;
        try (TestUser u = TestUser.make()) {
            String user = u.name();
            Path home = u.home();
            try {
                run("usermod", "--add-subuids", "300000-365535", "--add-subgids", "300000-365535", user);
                uid = Integer.parseInt(capture("id", "-u", user).strip());
                // Debian makes /dev/net/tun 0666; this machine's is 0600 (slirp4netns opens it as the user)
                Files.setPosixFilePermissions(tun, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
                run("cp", BerthRoot.sampleTar().toString(), home.toString());
                Path sample = home.resolve(BerthRoot.sampleTar().getFileName());
                byte[] base = Files.readAllBytes(BerthRoot.sampleTar());
                byte[] top = new Tars().owner(1000, 1000).dir("www").file("www/.wh..wh..opq", new byte[0], 0644).file("www/app.txt", "app's\n")
                        .owner(33, 33).dir("var").dir("var/www").file("var/www/data.txt", "www-data's\n").owner(0, 0)
                        .dir("etc").file("etc/.wh.group", new byte[0], 0644).bytes();
                Files.write(home.resolve("owners.tar"), Archives.dockerArchive("localhost/owners:1", List.of(base, top),
                        List.of(dev.berth.image.Digest.of(base).toString(), dev.berth.image.Digest.of(top).toString())));
                for (String m : List.of("demo.yaml", "two-tier.yaml")) {
                    Files.copy(Path.of("manifests", m), home.resolve(m));
                }
                Files.writeString(home.resolve("low-port.yaml"), """
                        apiVersion: v1
                        kind: Pod
                        metadata: {name: low}
                        spec:
                          containers:
                          - name: c
                            image: localhost/berth-busybox:latest
                            command: [sleep, "60"]
                            ports: [{containerPort: 80, hostPort: 80}]
                        """);
                run("chown", "-R", user + ":", home.toString());

                ok(asUser(user, home, "image", "import", sample.toString(), "localhost/berth-busybox:latest"));
                Run id = ok(asUser(user, home, "run", "--rm", "localhost/berth-busybox:latest", "sh", "-c", "id -u; cat /proc/self/uid_map"));
                assertThat(id.out()).as("container root is the user, the others its subordinate ids")
                        .containsPattern("^0\n +0 +" + uid + " +1\n +1 +300000 +65535\n$");

                ok(asUser(user, home, "run", "-d", "--name", "bt-sleeper", "localhost/berth-busybox:latest", "sleep", "300"));
                assertThat(ok(asUser(user, home, "exec", "bt-sleeper", "ps")).out()).contains("sleep 300");
                String pid = ok(asUser(user, home, "inspect", "bt-sleeper")).out().replaceAll("(?s).*\"Pid\" *: *(\\d+).*", "$1");
                assertThat(capture("stat", "-c", "%u", "/proc/" + pid).strip()).as("the container's root is the user on the host").isEqualTo(Integer.toString(uid));
                run("runuser", "-u", user, "--", "kill", "-9", pid);
                assertThat(waitFor(() -> ok(asUser(user, home, "ps", "-a")).out(), out -> out.contains("Exited (137)")))
                        .containsPattern("bt-sleeper");

                ok(asUser(user, home, "image", "load", "-i", home.resolve("owners.tar").toString()));
                Run owners = ok(asUser(user, home, "run", "--rm", "localhost/owners:1", "sh", "-c",
                        "stat -c '%u:%g %n' /www/app.txt /var/www/data.txt; ls /www; test -e /etc/group || echo group gone"));
                assertThat(owners.out()).isEqualTo("1000:1000 /www/app.txt\n33:33 /var/www/data.txt\napp.txt\ngroup gone\n");
                Path layer = home.resolve(".local/share/berth/layers").resolve(dev.berth.image.Digest.of(top).hex()).resolve("diff");
                assertThat(capture("stat", "-c", "%u %g", layer.resolve("www/app.txt").toString()).strip()).as("1000 is subordinate id 300999").isEqualTo("300999 300999");
                assertThat(capture("stat", "-c", "%u", layer.resolve("var/www/data.txt").toString()).strip()).isEqualTo("300032");

                Run low = asUser(user, home, "kube", "play", home.resolve("low-port.yaml").toString());
                assertThat(low.code()).as(low.out()).isEqualTo(125);
                assertThat(low.out()).contains("hostPort 80/TCP is below 1024", "sysctl -w net.ipv4.ip_unprivileged_port_start=80");

                ok(asUser(user, home, "kube", "play", home.resolve("demo.yaml").toString()));
                assertThat(ok(asUser(user, home, "logs", "demo-client")).out()).isEqualTo("hello from web\n");
                // the user's own Kubernetes API, reached from the host's loopback through slirp4netns
                ok(asUser(user, home, "api", "start"));
                Path kubeconfig = Files.writeString(home.resolve("kubeconfig"), ok(asUser(user, home, "api", "kubeconfig")).out());
                run("chown", user + ":", kubeconfig.toString());
                Process kubectl = new ProcessBuilder("runuser", "-u", user, "--", "env", "-i", "HOME=" + home, "KUBECONFIG=" + kubeconfig,
                        dev.berth.testing.KubeClients.binary("v35/kubectl").toString(), "get", "pods", "-o", "wide").redirectErrorStream(true).start();
                String pods = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(pods).as(pods).containsPattern("demo +\\d/\\d +Running");
                ok(asUser(user, home, "api", "stop"));
                ok(asUser(user, home, "kube", "play", home.resolve("two-tier.yaml").toString()));
                assertThat(fetch("http://127.0.0.1:8088/cgi-bin/page")).as("hostPort 8088 from the host, catalog by its Service")
                        .contains("catalog answered from catalog-");

                String generated = ok(asUser(user, home, "kube", "generate", "demo")).out();
                Files.writeString(home.resolve("generated.yaml"), generated);
                ok(asUser(user, home, "kube", "down", home.resolve("demo.yaml").toString()));
                ok(asUser(user, home, "kube", "play", home.resolve("generated.yaml").toString()));
                assertThat(ok(asUser(user, home, "kube", "generate", "demo")).out()).as("generate → play → generate").isEqualTo(generated);

                Run rootStore = asUser(user, home, "--root", "/var/lib/berth", "--runroot", home.resolve("elsewhere").toString(), "ps");
                assertThat(rootStore.code()).as(rootStore.out()).isEqualTo(125);
                assertThat(rootStore.out()).doesNotContain("Exception");

                ok(asUser(user, home, "kube", "down", home.resolve("generated.yaml").toString(), home.resolve("two-tier.yaml").toString()));
                ok(asUser(user, home, "rm", "bt-sleeper"));
                assertThat(ok(asUser(user, home, "ps", "-a")).out().lines()).hasSize(1);
                int userUid = uid;
                assertThat(waitFor(() -> processesOf(userUid), List::isEmpty)).as("no process of the user's berth left").isEmpty();
                assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(home.toString());
                assertThat(Path.of("/tmp/berth-" + uid, "rootless", "pause.pid")).doesNotExist();
            } finally {
                if (uid >= 0) {
                    for (String process : processesOf(uid)) {
                        run("kill", "-9", process.split(" ")[0]);
                    }
                    run("rm", "-rf", "/tmp/berth-" + uid);
                }
                Files.setPosixFilePermissions(tun, tunMode);
            }
        }
    }

    /**
     * An ordinary user made for a test, removed by close: a system user (useradd gives other new
     * users subordinate ranges of their own), its home in a temporary directory anyone may enter,
     * with a copy of the jar and its libraries (the user cannot read the build directory under
     * root's home).
     */
    private record TestUser(String name, Path dir, Path home) implements AutoCloseable {
        static TestUser make() throws Exception {
            String name = "bt" + UUID.randomUUID().toString().substring(0, 8);
            Path dir = Files.createTempDirectory("bt-rootless-");
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path home = dir.resolve("home");
            run("useradd", "--system", "--create-home", "--home-dir", home.toString(), "--shell", "/bin/sh", name);
            run("cp", "-r", "target/berth.jar", "target/lib", home.toString());
            run("chown", "-R", name + ":", home.toString());
            return new TestUser(name, dir, home);
        }

        @Override
        public void close() throws Exception {
            run("userdel", "--remove", name);
            run("rm", "-rf", dir.toString());
        }
    }

    /** Processes (not zombies) of the user or of its subordinate ids 300000–365535: pid and command line. */
    private static List<String> processesOf(int uid) throws Exception {
        List<String> pids = new ArrayList<>();
        try (var all = Files.list(Path.of("/proc"))) {
            for (Path p : all.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String status = Files.readString(p.resolve("status"));
                    String[] ids = status.replaceAll("(?s).*\nUid:\\s+(\\d+).*", "$1").split("\\s+");
                    long id = Long.parseLong(ids[0]);
                    boolean zombie = status.contains("\nState:\tZ");
                    if (!zombie && (id == uid || id >= 300000 && id <= 365535)) {
                        pids.add(p.getFileName().toString() + " " + Files.readString(p.resolve("cmdline")).replace('\0', ' ').strip());
                    }
                } catch (java.io.IOException | NumberFormatException gone) {
                    // ended meanwhile
                }
            }
        }
        return pids;
    }

    private static <T> T waitFor(java.util.concurrent.Callable<T> value, java.util.function.Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        T v = value.call();
        while (!done.test(v) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            v = value.call();
        }
        return v;
    }

    private static String fetch(String url) throws Exception {
        var c = (java.net.HttpURLConnection) new java.net.URL(url).openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(10000);
        try (var in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Run ok(Run r) {
        assertThat(r.code()).as(r.out()).isZero();
        return r;
    }

    private static String capture(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", argv) + ": " + out).isZero();
        return out;
    }

    private static Run asUser(String user, Path home, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("runuser", "-u", user, "--", "env", "-i", "HOME=" + home, "PATH=/usr/bin:/bin",
                "USER=" + user, "java", "-Duser.name=" + user, "-jar", home.resolve("berth.jar").toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).directory(home.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", argv) + ": " + out).isZero();
    }
}
