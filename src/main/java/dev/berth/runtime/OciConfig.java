package dev.berth.runtime;

import dev.berth.api.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OCI runtime config ({@code config.json}) of a container, as podman writes it for a
 * non-privileged container: standard mounts, default capabilities, masked and read-only paths,
 * new namespaces or joined ones by path.
 */
public final class OciConfig {
    /** Capabilities a container gets by default (bounding = effective = permitted). */
    public static final List<String> DEFAULT_CAPABILITIES = List.of(
            "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_MKNOD",
            "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT");
    static final List<String> MASKED_PATHS = List.of("/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/fs/selinux",
            "/sys/dev/block");
    static final List<String> READONLY_PATHS = List.of("/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    private OciConfig() {}

    /** A bind mount (or other mount) to add to the standard ones. */
    public record Mount(String destination, String type, String source, List<String> options) {
        public Mount {
            options = List.copyOf(options);
        }

        public static Mount bind(String source, String destination, boolean readOnly) {
            List<String> options = new ArrayList<>(List.of("rbind", "rprivate"));
            options.add(readOnly ? "ro" : "rw");
            return new Mount(destination, "bind", source, options);
        }
    }

    /** A namespace: new when {@code path} is null, else joined. */
    public record Namespace(String type, String path) {}

    /**
     * What varies between containers.
     *
     * @param hostname    null when the UTS namespace is joined (runc refuses to set it then)
     * @param nofileLimit RLIMIT_NOFILE for the process, never above the host's hard limit
     */
    public record Spec(
            List<String> args,
            List<String> env,
            String cwd,
            int uid,
            int gid,
            List<Integer> additionalGids,
            String rootfs,
            boolean readOnlyRoot,
            String hostname,
            List<Namespace> namespaces,
            List<Mount> mounts,
            long nofileLimit,
            Extra extra) {

        public Spec(List<String> args, List<String> env, String cwd, int uid, int gid, List<Integer> additionalGids, String rootfs,
                boolean readOnlyRoot, String hostname, List<Namespace> namespaces, List<Mount> mounts, long nofileLimit) {
            this(args, env, cwd, uid, gid, additionalGids, rootfs, readOnlyRoot, hostname, namespaces, mounts, nofileLimit, Extra.DEFAULT);
        }

        public Spec {
            args = List.copyOf(args);
            env = List.copyOf(env);
            additionalGids = List.copyOf(additionalGids);
            namespaces = List.copyOf(namespaces);
            mounts = List.copyOf(mounts);
        }
    }

    /**
     * What a securityContext and resources change from the defaults.
     *
     * @param capabilities the process's capabilities, or null for {@link #DEFAULT_CAPABILITIES}
     * @param maskPaths    whether /proc and /sys paths are masked and read-only (not for privileged or Unmasked)
     * @param memoryLimit  bytes, or 0 for none
     * @param cpuQuota     microseconds per 100 ms period, or 0 for none
     * @param cpuShares    relative weight, or 0 for the default
     * @param cgroupsPath  the container's cgroup (needed for limits), or null
     * @param seccomp      the {@code linux.seccomp} filter, or null for none (Unconfined, privileged)
     */
    public record Extra(List<String> capabilities, boolean noNewPrivileges, boolean maskPaths, Map<String, String> sysctls,
            long memoryLimit, long cpuQuota, long cpuShares, String cgroupsPath, Seccomp.Filter seccomp) {
        public static final Extra DEFAULT = new Extra(null, false, true, Map.of(), 0, 0, 0, null, null);

        public Extra {
            capabilities = capabilities == null ? null : List.copyOf(capabilities);
            sysctls = Map.copyOf(sysctls);
        }
    }

    /** Every capability Linux knows, in the order of their numbers (CAP_CHOWN is 0). */
    private static final List<String> CAPABILITIES_BY_NUMBER = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
            "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
            "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
            "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
            "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    /**
     * Every capability berth itself may pass on (its bounding set), for privileged containers:
     * runc refuses to set one outside it ("unable to apply caps"), and some hosts drop a few
     * (CAP_SYS_RESOURCE is missing on this machine kind), as podman finds.
     */
    public static final List<String> ALL_CAPABILITIES = boundingSet();

    private static List<String> boundingSet() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("CapBnd:")) {
                    long bits = Long.parseUnsignedLong(line.substring("CapBnd:".length()).strip(), 16);
                    List<String> caps = new ArrayList<>();
                    for (int n = 0; n < CAPABILITIES_BY_NUMBER.size(); n++) {
                        if ((bits >> n & 1) == 1) {
                            caps.add(CAPABILITIES_BY_NUMBER.get(n));
                        }
                    }
                    return List.copyOf(caps);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux, or no /proc: every capability, and runc says what it cannot set
        }
        return CAPABILITIES_BY_NUMBER;
    }

    /** The new namespaces of a standalone container. */
    public static List<Namespace> ownNamespaces() {
        return List.of(new Namespace("pid", null), new Namespace("network", null), new Namespace("ipc", null),
                new Namespace("uts", null), new Namespace("mount", null));
    }

    /** A container's config.json; {@code terminal}: its process gets one (and TERM). */
    public static String json(Spec spec, boolean terminal) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("ociVersion", "1.0.2");
        Process process = Process.of(spec);
        config.put("process", (terminal ? process.withTerminal() : process).json());
        config.put("root", orderedMap("path", spec.rootfs(), "readonly", spec.readOnlyRoot()));
        if (spec.hostname() != null) {
            config.put("hostname", spec.hostname());
        }
        List<Object> mounts = new ArrayList<>(standardMounts());
        for (Mount m : spec.mounts()) {
            Map<String, Object> mount = new LinkedHashMap<>();
            mount.put("destination", m.destination());
            mount.put("type", m.type());
            mount.put("source", m.source());
            mount.put("options", m.options());
            mounts.add(mount);
        }
        config.put("mounts", mounts);
        Map<String, Object> linux = new LinkedHashMap<>();
        List<Object> namespaces = new ArrayList<>();
        for (Namespace n : spec.namespaces()) {
            namespaces.add(n.path() == null ? Map.of("type", n.type()) : orderedMap("type", n.type(), "path", n.path()));
        }
        linux.put("namespaces", namespaces);
        Extra x = spec.extra();
        if (x.maskPaths()) {
            linux.put("maskedPaths", MASKED_PATHS);
            linux.put("readonlyPaths", READONLY_PATHS);
        }
        if (x.seccomp() != null) {
            linux.put("seccomp", x.seccomp().json());
        }
        if (!x.sysctls().isEmpty()) {
            linux.put("sysctl", new java.util.TreeMap<>(x.sysctls()));
        }
        if (x.cgroupsPath() != null) {
            linux.put("cgroupsPath", x.cgroupsPath());
            Map<String, Object> resources = new LinkedHashMap<>();
            if (x.memoryLimit() > 0) {
                resources.put("memory", Map.of("limit", x.memoryLimit()));
            }
            Map<String, Object> cpu = new LinkedHashMap<>();
            if (x.cpuQuota() > 0) {
                cpu.put("quota", x.cpuQuota());
                cpu.put("period", 100000);
            }
            if (x.cpuShares() > 0) {
                cpu.put("shares", x.cpuShares());
            }
            if (!cpu.isEmpty()) {
                resources.put("cpu", cpu);
            }
            linux.put("resources", resources);
        }
        config.put("linux", linux);
        return Json.write(config);
    }

    /**
     * A config's {@code process} section, which {@code runc exec --process} also takes: who runs
     * what, where, with which environment, capabilities and open-file limit.
     */
    public record Process(boolean terminal, User user, List<String> args, List<String> env, String cwd, List<String> capabilities, long nofile,
            boolean noNewPrivileges) {
        public Process {
            args = List.copyOf(args);
            env = List.copyOf(env);
            capabilities = List.copyOf(capabilities);
        }

        public record User(int uid, int gid, List<Integer> additionalGids) {
            public User {
                additionalGids = List.copyOf(additionalGids);
            }
        }

        static Process of(Spec spec) {
            return new Process(false, new User(spec.uid(), spec.gid(), spec.additionalGids()), spec.args(), spec.env(), spec.cwd(),
                    spec.extra().capabilities() == null ? DEFAULT_CAPABILITIES : spec.extra().capabilities(), spec.nofileLimit(),
                    spec.extra().noNewPrivileges());
        }

        /** The process section of a config.json berth wrote. */
        public static Process ofConfig(String configJson) {
            Map<String, Object> p = Json.object(Json.parseObject(configJson), "process");
            Map<String, Object> user = Json.object(p, "user");
            Object rlimits = Json.array(p, "rlimits").stream().findFirst().orElse(Map.of());
            Object hard = ((Map<?, ?>) rlimits).get("hard");
            return new Process(Boolean.TRUE.equals(p.get("terminal")),
                    new User(((Number) user.get("uid")).intValue(), ((Number) user.get("gid")).intValue(),
                            Json.array(user, "additionalGids").stream().map(g -> ((Number) g).intValue()).toList()),
                    Json.strings(p, "args"), Json.strings(p, "env"), Json.string(p, "cwd"), Json.strings(Json.object(p, "capabilities"), "bounding"),
                    hard instanceof Number n ? n.longValue() : 1024, Boolean.TRUE.equals(p.get("noNewPrivileges")));
        }

        /** With a terminal, and TERM=xterm unless it sets TERM, as podman does. */
        public Process withTerminal() {
            List<String> withTerm = new ArrayList<>(env);
            if (withTerm.stream().noneMatch(e -> e.startsWith("TERM="))) {
                withTerm.add("TERM=xterm");
            }
            return new Process(true, user, args, withTerm, cwd, capabilities, nofile, noNewPrivileges);
        }

        public Process withArgs(List<String> newArgs) {
            return new Process(terminal, user, newArgs, env, cwd, capabilities, nofile, noNewPrivileges);
        }

        public Process withEnv(List<String> newEnv) {
            return new Process(terminal, user, args, newEnv, cwd, capabilities, nofile, noNewPrivileges);
        }

        public Process withCwd(String newCwd) {
            return new Process(terminal, user, args, env, newCwd, capabilities, nofile, noNewPrivileges);
        }

        public Process withUser(User newUser) {
            return new Process(terminal, newUser, args, env, cwd, capabilities, nofile, noNewPrivileges);
        }

        public String text() {
            return Json.write(json());
        }

        Map<String, Object> json() {
            Map<String, Object> process = new LinkedHashMap<>();
            process.put("terminal", terminal);
            Map<String, Object> u = new LinkedHashMap<>();
            u.put("uid", user.uid());
            u.put("gid", user.gid());
            if (!user.additionalGids().isEmpty()) {
                u.put("additionalGids", user.additionalGids());
            }
            process.put("user", u);
            process.put("args", args);
            process.put("env", env);
            process.put("cwd", cwd);
            Map<String, Object> caps = new LinkedHashMap<>();
            caps.put("bounding", capabilities);
            caps.put("effective", capabilities);
            caps.put("permitted", capabilities);
            process.put("capabilities", caps);
            process.put("rlimits", List.of(orderedMap("type", "RLIMIT_NOFILE", "hard", nofile, "soft", nofile)));
            process.put("noNewPrivileges", noNewPrivileges);
            return process;
        }
    }

    private static List<Object> standardMounts() {
        return List.of(
                mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                mount("/dev/pts", "devpts", "devpts", List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")));
    }

    private static Map<String, Object> mount(String destination, String type, String source, List<String> options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("destination", destination);
        m.put("type", type);
        m.put("source", source);
        m.put("options", options);
        return m;
    }

    private static Map<String, Object> orderedMap(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    private static Map<String, Object> orderedMap(String k1, Object v1, String k2, Object v2, String k3, Object v3) {
        Map<String, Object> m = orderedMap(k1, v1, k2, v2);
        m.put(k3, v3);
        return m;
    }
}
