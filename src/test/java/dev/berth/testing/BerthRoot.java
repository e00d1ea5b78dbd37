package dev.berth.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.api.Json;
import dev.berth.cli.Main;
import dev.berth.image.LayerUnpacker;
import dev.berth.sys.Linux;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A berth root and runroot of a test's own, under {@code /tmp/bt-<random>}, with the sample image
 * imported, and the clean-up every test needs: containers removed, no mount, no conmon left.
 * Root only: without root the test is skipped, saying why.
 */
public final class BerthRoot implements AutoCloseable {
    public static final String IMAGE = "localhost/berth-busybox:latest";
    private static Path sampleTar;

    public final Path dir;
    public final Path root;
    public final Path runroot;
    /** This root's own network: bridge name, and the first three octets of its /24 (e.g. {@code 10.123.46.}). */
    public String bridge;
    public String subnetPrefix;
    /** The first three octets of its Service range. */
    public String servicePrefix;

    /** What a berth command printed and returned. */
    public record Run(int code, String out, String err) {
        public Run ok() {
            if (code != 0) {
                throw new AssertionError("berth exited " + code + "\nstdout: " + out + "\nstderr: " + err);
            }
            return this;
        }
    }

    public BerthRoot() {
        this(true);
    }

    /**
     * @param ownNetwork whether to write a default network with a random bridge and subnet; without
     *                   it berth makes the root's default network itself, and {@link #adoptDefaultNetwork}
     *                   tells the clean-up which it made
     */
    public BerthRoot(boolean ownNetwork) {
        assumeTrue(Linux.isRoot(), "integration tests drive runc, conmon and overlayfs and need root");
        try {
            dir = Files.createDirectories(Path.of("/tmp", "bt-" + UUID.randomUUID().toString().substring(0, 8)));
            root = dir.resolve("root");
            runroot = dir.resolve("run");
            // a bridge and subnets of its own, so tests can run beside each other and beside berth0
            java.util.Random r = new java.util.Random();
            int a = 100 + r.nextInt(100);
            int c = r.nextInt(120) * 2;
            subnetPrefix = "10." + a + "." + c + ".";
            bridge = "bt" + Integer.toHexString(0x100000 + r.nextInt(0xf00000));
            servicePrefix = "10." + a + "." + (c + 1) + ".";
            if (ownNetwork) {
                dev.berth.network.CniNetwork.write(root.resolve("networks"), root.resolve("cni/networks"), new dev.berth.network.CniNetwork.Definition(
                        "berth", bridge, subnetPrefix + "0/24", subnetPrefix + "1", servicePrefix + "0/24"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the default network berth made for this root (bridge and subnet), for the clean-up's census. */
    public BerthRoot adoptDefaultNetwork() {
        berth("network", "ls").ok();
        Map<String, Object> net = Json.parseObject(berth("network", "inspect", "berth").ok().out());
        Map<?, ?> bridgePlugin = (Map<?, ?>) ((List<?>) net.get("plugins")).get(0);
        bridge = (String) bridgePlugin.get("bridge");
        String subnet = (String) ((Map<?, ?>) ((List<?>) ((List<?>) ((Map<?, ?>) bridgePlugin.get("ipam")).get("ranges")).get(0)).get(0)).get("subnet");
        subnetPrefix = subnet.substring(0, subnet.lastIndexOf('.') + 1);
        String services = (String) net.get("berth.serviceSubnet");
        servicePrefix = services.substring(0, services.lastIndexOf('.') + 1);
        return this;
    }

    public BerthRoot withSampleImage() {
        berth("image", "import", sampleTar().toString(), IMAGE).ok();
        return this;
    }

    /** The sample image's rootfs tarball, built once per test JVM by samples/build-image. */
    public static synchronized Path sampleTar() {
        if (sampleTar == null) {
            try {
                Path tar = Files.createTempFile("bt-sample-", ".tar");
                Process p = new ProcessBuilder("samples/build-image", tar.toString()).inheritIO().start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("samples/build-image failed");
                }
                tar.toFile().deleteOnExit();
                sampleTar = tar;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        return sampleTar;
    }

    /** Runs berth in this JVM with this root and runroot. */
    public Run berth(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--runroot", runroot.toString()));
        all.addAll(List.of(args));
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), new ByteArrayInputStream(new byte[0]), all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    /** The command line that runs berth as a process of its own (the packaged jar), with this root. */
    public List<String> processArgv(String... args) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-jar", Path.of("target/berth.jar").toAbsolutePath().toString(),
                "--root", root.toString(), "--runroot", runroot.toString()));
        argv.addAll(List.of(args));
        return argv;
    }

    /** Runs berth as a process of its own (its stdin a pipe, as in {@code echo hi | berth …}) with {@code input}; its stdout. */
    public String piped(String input, String... args) {
        try {
            Process p = new ProcessBuilder(processArgv(args)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (var in = p.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("berth " + String.join(" ", args) + " did not finish within 60 s");
            }
            return out;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Mount points under this test's directory, from /proc/mounts. */
    public List<String> mounts() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/mounts"))) {
            return lines.map(l -> l.split(" ")[1]).filter(m -> m.startsWith(dir.toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The processes of this root once its supervisor had time to notice there is nothing left to
     * watch (it looks twice a second): it is no leftover while it does.
     */
    public List<Long> processesAfterTheSupervisor() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Long> left = processes();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            left = processes();
        }
        return left;
    }

    /** Processes of this root: those whose command line mentions the test's directory (conmon, runc, the supervisor), and containers' own processes. */
    public List<Long> processes() {
        List<Long> pids = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            try {
                String cmdline = Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).replace('\0', ' ');
                if ((cmdline.contains(dir.toString()) || rootedHere(p.pid())) && p.pid() != ProcessHandle.current().pid()) {
                    String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
                    if (!stat.contains(") Z ")) {
                        pids.add(p.pid());
                    }
                }
            } catch (IOException | RuntimeException e) {
                // gone meanwhile
            }
        });
        return pids;
    }

    /**
     * Whether a process runs in a container of this root: its root file system is an overlay
     * whose layers lie under the test's directory (a container's process names no path of ours).
     */
    private boolean rootedHere(long pid) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/" + pid + "/mountinfo"))) {
            return lines.anyMatch(l -> l.contains(" / / ") && l.contains(dir.toString()));
        }
    }

    /** The iptables rules that mention this root's subnets, as {@code "<table> -A …"}. */
    public List<String> rulesOfThisRoot() {
        List<String> rules = new ArrayList<>();
        String services = servicePrefix;
        for (String table : List.of("filter", "nat")) {
            for (String line : run("iptables-save", "-t", table).split("\n")) {
                if (line.startsWith("-A ") && (line.contains(subnetPrefix) || line.contains(services))) {
                    rules.add(table + " " + line);
                }
            }
        }
        return rules;
    }

    /**
     * The census after a test's pods are gone: no mount, iptables rule, bridge (and so no veth on
     * it), process, netns file, IPAM lease or runtime state of this root's left, and no container
     * or pod listed.
     */
    public void assertNothingLeft() {
        List<String> left = new ArrayList<>();
        mounts().forEach(m -> left.add("mount " + m));
        rulesOfThisRoot().forEach(r -> left.add("iptables rule " + r));
        if (linkExists(bridge)) {
            left.add("bridge " + bridge);
        }
        processesAfterTheSupervisor().forEach(p -> left.add("process " + p));
        for (Path dir : List.of(runroot.resolve("netns"), runroot.resolve("runtime"))) {
            if (Files.exists(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    s.forEach(f -> left.add("file " + f));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        Path leases = root.resolve("cni").resolve("networks");
        if (Files.isDirectory(leases)) {
            try (Stream<Path> s = Files.walk(leases)) {
                s.filter(f -> f.getFileName().toString().matches("\\d+\\.\\d+\\.\\d+\\.\\d+")).forEach(f -> left.add("IPAM lease " + f));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Run ps = berth("ps", "-a", "--format", "json").ok();
        if (!ps.out().strip().equals("[]")) {
            left.add("containers " + ps.out().strip());
        }
        Run pods = berth("pod", "ps", "--format", "json").ok();
        if (!pods.out().strip().equals("[]")) {
            left.add("pods " + pods.out().strip());
        }
        if (!left.isEmpty()) {
            throw new AssertionError("left behind:\n" + String.join("\n", left));
        }
    }

    /**
     * Deletes rules listed as {@code "<table> -A …"} in one iptables-restore per table (it reads
     * the quoted comments CNI writes), then flushes and deletes the per-pod chains they jumped to.
     */
    static void removeRules(List<String> rules) {
        for (String table : List.of("nat", "filter")) {
            StringBuilder input = new StringBuilder("*" + table + "\n");
            java.util.Set<String> chains = new java.util.TreeSet<>();
            for (String rule : rules) {
                if (rule.startsWith(table + " -A ")) {
                    String line = rule.substring(table.length() + 1);
                    input.append("-D").append(line.substring(2)).append('\n');
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("-j ((CNI|BERTH)-[0-9A-Za-z]{16,24})$").matcher(line);
                    if (m.find()) {
                        chains.add(m.group(1));
                    }
                }
            }
            chains.forEach(c -> input.append("-F ").append(c).append("\n-X ").append(c).append('\n'));
            try {
                Process p = new ProcessBuilder("iptables-restore", "-w", "--noflush").redirectErrorStream(true).start();
                p.getOutputStream().write(input.append("COMMIT\n").toString().getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
                p.getInputStream().readAllBytes();
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether a network link of that name exists on the host. */
    public static boolean linkExists(String name) {
        try {
            Process p = new ProcessBuilder("ip", "link", "show", name).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static String run(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Removes every container, then checks nothing is left; leftovers are cleaned by pid and path, then reported. */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        if (Files.exists(runroot.resolve("api.wanted"))) {
            Run stop = berth("api", "stop"); // its reconcile would make its pods again
            if (stop.code() != 0) {
                problems.add("api stop failed: " + stop.err());
            }
        }
        if (Files.exists(root)) {
            Run pods = berth("pod", "ps", "--format", "json");
            if (pods.code() == 0) {
                for (Object p : (List<?>) Json.parse(pods.out())) {
                    berth("pod", "rm", "-f", (String) ((Map<?, ?>) p).get("Name"));
                }
            }
            Run ps = berth("ps", "-a", "--format", "json");
            if (ps.code() != 0) {
                problems.add("ps -a failed: " + ps.err());
            } else {
                for (Object c : (List<?>) Json.parse(ps.out())) {
                    Run rm = berth("rm", "-f", (String) ((Map<?, ?>) c).get("Id"));
                    if (rm.code() != 0) {
                        problems.add("rm -f failed: " + rm.err());
                    }
                }
            }
        }
        // containers runc still knows, deleted through runc itself: it kills them and removes their cgroups
        Path runtime = runroot.resolve("runtime");
        if (Files.isDirectory(runtime)) {
            try (Stream<Path> ids = Files.list(runtime)) {
                for (Path id : ids.toList()) {
                    problems.add("runc container " + id.getFileName() + " left behind");
                    run("runc", "--root", runtime.toString(), "delete", "--force", id.getFileName().toString());
                }
            } catch (IOException e) {
                problems.add("cannot list " + runtime + ": " + e);
            }
        }
        for (Long pid : processesAfterTheSupervisor()) {
            problems.add("process " + pid + " left behind");
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (String m : mounts()) {
            problems.add("mount " + m + " left behind");
            Linux.unmount(Path.of(m), Linux.MNT_DETACH);
        }
        List<String> rules = rulesOfThisRoot();
        rules.forEach(rule -> problems.add("iptables rule left behind: " + rule));
        removeRules(rules);
        if (linkExists(bridge)) {
            problems.add("bridge " + bridge + " left behind");
            run("ip", "link", "del", bridge);
        }
        try {
            TimeUnit.MILLISECONDS.sleep(problems.isEmpty() ? 0 : 200);
            LayerUnpacker.deleteTree(dir);
        } catch (IOException | InterruptedException e) {
            problems.add("cannot delete " + dir + ": " + e);
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("clean-up found leftovers:\n" + String.join("\n", problems));
        }
    }

    /** Waits (20 s at most, looking every 100 ms) until {@code condition} holds, else fails naming {@code what}. */
    public static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 20 s for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    public static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
