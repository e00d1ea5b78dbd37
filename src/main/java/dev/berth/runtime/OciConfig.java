package dev.berth.runtime;

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
            long nofileLimit) {

        public Spec {
            args = List.copyOf(args);
            env = List.copyOf(env);
            additionalGids = List.copyOf(additionalGids);
            namespaces = List.copyOf(namespaces);
            mounts = List.copyOf(mounts);
        }
    }

    /** The new namespaces of a standalone container. */
    public static List<Namespace> ownNamespaces() {
        return List.of(new Namespace("pid", null), new Namespace("network", null), new Namespace("ipc", null),
                new Namespace("uts", null), new Namespace("mount", null));
    }

    public static Map<String, Object> build(Spec spec) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("ociVersion", "1.0.2");
        config.put("process", process(spec));
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
        linux.put("maskedPaths", MASKED_PATHS);
        linux.put("readonlyPaths", READONLY_PATHS);
        config.put("linux", linux);
        return config;
    }

    /** The {@code process} section alone, which {@code runc exec --process} also takes. */
    public static Map<String, Object> process(Spec spec) {
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("terminal", false);
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("uid", spec.uid());
        user.put("gid", spec.gid());
        if (!spec.additionalGids().isEmpty()) {
            user.put("additionalGids", spec.additionalGids());
        }
        process.put("user", user);
        process.put("args", spec.args());
        process.put("env", spec.env());
        process.put("cwd", spec.cwd());
        Map<String, Object> caps = new LinkedHashMap<>();
        caps.put("bounding", DEFAULT_CAPABILITIES);
        caps.put("effective", DEFAULT_CAPABILITIES);
        caps.put("permitted", DEFAULT_CAPABILITIES);
        process.put("capabilities", caps);
        process.put("rlimits", List.of(orderedMap("type", "RLIMIT_NOFILE", "hard", spec.nofileLimit(), "soft", spec.nofileLimit())));
        process.put("noNewPrivileges", false);
        return process;
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
