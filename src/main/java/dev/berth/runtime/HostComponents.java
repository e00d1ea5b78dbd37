package dev.berth.runtime;

import dev.berth.api.BerthException;
import dev.berth.proc.Command;
import dev.berth.proc.ProcessRunner;
import dev.berth.proc.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The host parts berth drives, where they are, their versions, and which OCI runtime to use. */
public final class HostComponents {
    /** One part: found at {@code path} with {@code version}, or missing with the command that installs it. */
    public record Component(String name, Path path, String version, String install) {
        public boolean found() {
            return path != null;
        }
    }

    private static final List<String> SEARCH = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin",
            "/usr/libexec/podman", "/usr/lib/podman");

    private final ProcessRunner processes;

    public HostComponents(ProcessRunner processes) {
        this.processes = processes;
    }

    public static Path find(String binary) {
        for (String dir : SEARCH) {
            Path p = Path.of(dir, binary);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    public List<Component> check() {
        List<Component> all = new ArrayList<>();
        all.add(binary("runc", "runc", "--version"));
        all.add(binary("crun", "crun", "--version"));
        all.add(binary("conmon", "conmon", "--version"));
        all.add(binary("catatonit", "catatonit", "--version"));
        Path cni = Path.of("/usr/lib/cni/bridge");
        all.add(new Component("CNI plugins", Files.isExecutable(cni) ? cni.getParent() : null,
                Files.isExecutable(cni) ? version(Command.of(cni.toString(), "--version").withEnv(java.util.Map.of("CNI_COMMAND", "VERSION"))) : null,
                "apt-get install -y containernetworking-plugins"));
        all.add(binary("busybox (static)", "busybox", "--help"));
        all.add(overlay());
        return all;
    }

    private Component binary(String name, String binary, String versionFlag) {
        Path p = find(binary);
        String pkg = switch (binary) {
            case "busybox" -> "busybox-static";
            default -> binary;
        };
        return new Component(name, p, p == null ? null : version(Command.of(p.toString(), versionFlag)),
                "apt-get install -y " + pkg);
    }

    private String version(Command c) {
        try {
            Result r = processes.run(c.withTimeout(Duration.ofSeconds(5)));
            String text = (r.stdoutText() + "\n" + r.stderr()).strip();
            return text.isEmpty() ? "unknown" : text.lines().findFirst().orElse("unknown").strip();
        } catch (BerthException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static Component overlay() {
        try {
            boolean supported = Files.readString(Path.of("/proc/filesystems")).contains("\toverlay");
            return new Component("overlayfs", supported ? Path.of("/proc/filesystems") : null, supported ? "supported" : null,
                    "modprobe overlay");
        } catch (IOException e) {
            return new Component("overlayfs", null, null, "modprobe overlay (" + e.getMessage() + ")");
        }
    }

    /** The cgroup setup of this host: {@code v2}, {@code v1}, or {@code hybrid} (v1 plus a cgroup2 hierarchy). */
    public static String cgroupMode() {
        try {
            String mounts = Files.readString(Path.of("/proc/self/mounts"));
            boolean v2Root = mounts.lines().anyMatch(l -> l.split(" ")[1].equals("/sys/fs/cgroup") && l.split(" ")[2].equals("cgroup2"));
            if (v2Root) {
                return "v2";
            }
            boolean anyV2 = mounts.lines().anyMatch(l -> l.split(" ")[2].equals("cgroup2"));
            return anyV2 ? "hybrid" : "v1";
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The runtime berth uses and why. */
    public record Choice(Path binary, String reason) {}

    /**
     * Chooses the OCI runtime: the one asked for, else crun where it works (as podman prefers),
     * else runc. crun 1.8 refuses cgroup v1 hosts with a cgroup2 hierarchy ("hybrid").
     */
    public static Choice chooseRuntime(String requested) {
        if (requested != null) {
            Path p = requested.contains("/") ? Path.of(requested) : find(requested);
            if (p == null || !Files.isExecutable(p)) {
                throw new BerthException(BerthException.Kind.HOST, "OCI runtime \"" + requested + "\" not found; install it: apt-get install -y " + requested);
            }
            return new Choice(p, "asked for with --runtime");
        }
        Path runc = find("runc");
        Path crun = find("crun");
        String mode = cgroupMode();
        if (crun != null && !mode.equals("hybrid")) {
            return new Choice(crun, "crun is installed and this host's cgroups (" + mode + ") suit it");
        }
        if (runc != null) {
            return new Choice(runc, crun != null
                    ? "crun 1.8 refuses this host's hybrid cgroups (v1 plus a cgroup2 hierarchy); runc works with them"
                    : "crun is not installed");
        }
        throw new BerthException(BerthException.Kind.HOST, "no OCI runtime found; install one: apt-get install -y runc");
    }
}
