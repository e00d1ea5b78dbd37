package dev.berth.engine;

import dev.berth.api.BerthException;
import dev.berth.api.LogLimits;
import dev.berth.image.ImageStore;
import dev.berth.image.LayerUnpacker;
import dev.berth.runtime.Conmon;
import dev.berth.runtime.CriLog;
import dev.berth.runtime.OciConfig;
import dev.berth.runtime.OciRuntime;
import dev.berth.state.ContainerRecord;
import dev.berth.state.Layout;
import dev.berth.state.Locks;
import dev.berth.state.StateStore;
import dev.berth.sys.Linux;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Containers: create (overlay root, OCI bundle, conmon), start, stop, kill, remove, exec, logs,
 * and their status, from the record plus reality (the runtime's state and conmon's exit file).
 * Every step is ordered so that a berth killed at any point leaves a record the next command
 * can explain and {@link #remove} can clean.
 */
public final class ContainerEngine {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long MAX_NOFILE = 1_048_576;

    private final Layout layout;
    private final StateStore state;
    private final ImageStore images;
    private final OciRuntime runtime;
    private final Conmon conmon;
    private final Locks locks;
    /**
     * What does not change in a container's life, read once by a long-lived process (the
     * supervisor rotates logs and probes at every look): its log limits and its process section.
     */
    private final Map<String, LogLimits> logLimits = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, OciConfig.Process> processes = new java.util.concurrent.ConcurrentHashMap<>();

    public ContainerEngine(Layout layout, StateStore state, ImageStore images, OciRuntime runtime, Conmon conmon, Locks locks) {
        this.layout = layout;
        this.state = state;
        this.images = images;
        this.runtime = runtime;
        this.conmon = conmon;
        this.locks = locks;
    }

    /**
     * What to create.
     *
     * @param command replaces the image's entrypoint when not null (Kubernetes {@code command})
     * @param args    replaces the image's cmd when not null (Kubernetes {@code args}, podman's {@code CMD…})
     * @param env     {@code K=V} entries added to (and overriding) the image's
     * @param network {@code private} (own namespace, loopback only) or {@code host}; ignored in a pod
     * @param sandbox the pod to join, or null for a standalone container
     * @param hostname the hostname of a pod's infra container, which owns the pod's UTS namespace
     * @param secretEnv names of env variables whose values come from Secrets: kept, never shown
     */
    public record CreateOptions(
            String name, String image, List<String> command, List<String> args, List<String> env, String workingDir,
            String user, String network, boolean autoRemove, Sandbox sandbox, String hostname, List<VolumeBind> volumes,
            List<String> secretEnv, Security security, boolean supervised, LogLimits logs, boolean stdin, boolean tty) {

        /** A pod's container: stdin closed, no terminal. */
        public CreateOptions(String name, String image, List<String> command, List<String> args, List<String> env, String workingDir,
                String user, String network, boolean autoRemove, Sandbox sandbox, String hostname, List<VolumeBind> volumes,
                List<String> secretEnv, Security security, boolean supervised, LogLimits logs) {
            this(name, image, command, args, env, workingDir, user, network, autoRemove, sandbox, hostname, volumes, secretEnv, security,
                    supervised, logs, false, false);
        }

        public static CreateOptions standalone(String name, String image, List<String> command, List<String> args,
                List<String> env, String workingDir, String user, String network, boolean autoRemove, boolean supervised,
                boolean stdin, boolean tty, List<VolumeBind> volumes, Sandbox pod) {
            return new CreateOptions(name, image, command, args, env, workingDir, user, network, autoRemove, pod, null, volumes,
                    List.of(), null, supervised, null, stdin, tty);
        }
    }

    /** What a securityContext (the container's over its pod's) and resources ask of a container. */
    public record Security(dev.berth.api.SecurityContext context, Map<String, String> limits, Map<String, String> requests) {
        public Security {
            limits = Map.copyOf(limits);
            requests = Map.copyOf(requests);
        }
    }

    /** A host directory or file bound into the container (a pod volume's mount). */
    public record VolumeBind(Path source, String destination, boolean readOnly) {}

    /** A container as the user sees it: its record and what is true of it now. */
    public record Container(ContainerRecord record, ContainerState status, Integer exitCode, int pid) {
        /** What it was created with (the values of variables from Secrets included: see {@link ContainerConfig#withSecretsHidden}). */
        public ContainerConfig config() {
            return ContainerConfig.fromJson(record.config());
        }

        public String id() {
            return record.id();
        }

        public String name() {
            return record.name();
        }

        public boolean running() {
            return status == ContainerState.RUNNING;
        }
    }

    // create and start

    public Container create(CreateOptions o) {
        ImageStore.Image image = images.require(o.image());
        String id = newId();
        String name = o.name() != null ? o.name() : "berth-" + id.substring(0, 12);
        checkName(name);
        state.requireRoom("create container " + name);
        Instant now = Instant.now();
        // the record comes first, so a crash from here on leaves something rm can find and clean
        String pod = o.sandbox() == null ? null : o.sandbox().pod();
        ContainerRecord record = new ContainerRecord(id, name, image.id(), shownName(o.image(), image), pod, "{}",
                ContainerRecord.Status.CREATING, now, null, null, null);
        state.insertContainer(record);
        try {
            Path storage = layout.containerStorage(id);
            Path bundle = layout.bundle(id);
            Path rootfs = bundle.resolve("rootfs");
            Files.createDirectories(storage.resolve("upper"));
            Files.createDirectories(storage.resolve("work"));
            Files.createDirectories(rootfs);
            Files.createDirectories(layout.exits());
            Files.createDirectories(layout.runtimeRoot());
            writeExitScript();
            images.mountRootFs(image, storage.resolve("upper"), storage.resolve("work"), rootfs);

            dev.berth.image.OciImage.RunConfig run = image.runConfig();
            dev.berth.api.SecurityContext sc = o.security() == null ? dev.berth.api.SecurityContext.NONE : o.security().context();
            Users.Identity who = Users.resolve(rootfs, userSpec(o.user() != null ? o.user() : run.user(), sc));
            if (Boolean.TRUE.equals(sc.runAsNonRoot()) && who.uid() == 0) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "container " + name
                        + ": runAsNonRoot is set, but it would run as root (uid 0); set runAsUser, or use an image whose USER is not root");
            }
            List<Integer> groups = new ArrayList<>(who.additionalGids());
            sc.supplementalGroups().forEach(g -> groups.add(g.intValue()));
            if (sc.fsGroup() != null) {
                groups.add(sc.fsGroup().intValue());
            }
            who = new Users.Identity(who.uid(), who.gid(), groups, who.home());
            List<String> args = processArgs(run.entrypoint(), run.cmd(), o.command(), o.args());
            if (args.isEmpty()) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "no command: image " + o.image()
                        + " has neither entrypoint nor cmd; give one (berth run IMAGE COMMAND…)");
            }
            String hostname = o.hostname() != null ? o.hostname() : o.sandbox() != null ? podHostname(o.sandbox()) : id.substring(0, 12);
            List<String> env = environment(run.env(), o.env(), hostname, who.home());
            String cwd = o.workingDir() != null ? o.workingDir() : run.workingDir();
            if (cwd == null || cwd.isEmpty()) {
                cwd = "/";
            }
            String network = o.network() == null ? "private" : o.network();
            if (network.startsWith("container:")) {
                Container other = find(network.substring("container:".length()));
                if (!other.running()) {
                    throw new BerthException(BerthException.Kind.INVALID_INPUT, "--network " + network + ": container " + other.name()
                            + " is not running (" + other.status() + ")");
                }
                network = "/proc/" + other.pid() + "/ns/net";
            }
            ContainerConfig config = new ContainerConfig(args, env, cwd, who.uid(), who.gid(), who.additionalGids(),
                    hostname, network, o.autoRemove(), o.secretEnv() == null ? List.of() : o.secretEnv(), o.stdin(), o.tty());
            writeBundle(bundle, config, o.sandbox(), o.volumes(), extra(id, o.security(), layout.seccompProfiles()),
                    Boolean.TRUE.equals(sc.readOnlyRootFilesystem()));
            state.setContainerConfig(id, config.toJson());
            if (o.supervised()) {
                Files.createFile(monitorFiles(id).supervisedMarker());
            }
            if (o.stdin()) {
                Files.createFile(monitorFiles(id).stdinMarker());
            }
            if (o.tty()) {
                Files.createFile(monitorFiles(id).terminalMarker());
            }
            LogLimits logs = o.logs() == null ? LogLimits.DEFAULT : o.logs();
            Files.writeString(bundle.resolve(LOG_LIMITS), logs.maxSize() + " " + logs.maxFiles());
            conmon.create(id, name, runtime, monitorFiles(id));
            state.updateContainer(id, ContainerRecord.Status.CREATED, null, null, null);
            ContainerRecord created = new ContainerRecord(id, name, image.id(), shownName(o.image(), image), pod, config.toJson(),
                    ContainerRecord.Status.CREATED, now, null, null, null);
            return new Container(created, ContainerState.CREATED, null, 0);
        } catch (IOException e) {
            cleanUpQuietly(id);
            throw new BerthException(BerthException.Kind.HOST, "cannot create container " + name + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            cleanUpQuietly(id);
            throw e;
        }
    }

    private static void checkName(String name) {
        if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*") || name.length() > 253) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "\"" + name
                    + "\" is not a valid container name (letters, digits, '_', '.', '-', starting with a letter or digit)");
        }
    }

    /** Kubernetes' rules: command replaces the entrypoint (and drops the image's cmd), args replace the cmd. */
    static List<String> processArgs(List<String> entrypoint, List<String> cmd, List<String> command, List<String> args) {
        List<String> argv = new ArrayList<>(command != null ? command : entrypoint);
        if (args != null) {
            argv.addAll(args);
        } else if (command == null) {
            argv.addAll(cmd);
        }
        return argv;
    }

    /** The image's environment, then the given one (which wins), plus HOSTNAME and HOME when not set. */
    static List<String> environment(List<String> image, List<String> given, String hostname, String home) {
        Map<String, String> env = new LinkedHashMap<>();
        for (List<String> source : List.of(image, given)) {
            for (String kv : source) {
                int eq = kv.indexOf('=');
                env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
            }
        }
        env.putIfAbsent("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.putIfAbsent("HOSTNAME", hostname);
        env.putIfAbsent("HOME", home != null ? home : "/root");
        List<String> out = new ArrayList<>();
        env.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    /**
     * The image's name as listings show it: the reference with its tag, as podman shows it
     * ({@code localhost/app} is {@code localhost/app:latest}), or as given when it is an ID or
     * names the image another way.
     */
    private static String shownName(String given, ImageStore.Image image) {
        try {
            String full = dev.berth.image.ImageRef.parse(given).toString();
            return image.record().names().contains(full) ? full : given;
        } catch (IllegalArgumentException e) {
            return given;
        }
    }

    /** A pod's hostname, as its /etc/hostname has it (a member container's $HOSTNAME, as Kubernetes sets it). */
    private static String podHostname(Sandbox sandbox) throws IOException {
        return Files.readString(sandbox.files().resolve("hostname")).strip();
    }

    /** Writes /etc/hosts, /etc/hostname and /etc/resolv.conf for a container or a pod into {@code dir}. */
    static void writeEtcFiles(Path dir, String hostname) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("hostname"), hostname + "\n");
        Files.writeString(dir.resolve("hosts"), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t" + hostname + "\n");
        Path resolv = Path.of("/etc/resolv.conf");
        Files.writeString(dir.resolve("resolv.conf"), Files.isReadable(resolv) ? Files.readString(resolv) : "");
    }

    /** {@code user[:group]} with runAsUser and runAsGroup applied over the image's or the given one. */
    static String userSpec(String base, dev.berth.api.SecurityContext sc) {
        String user = base == null || base.isEmpty() ? "0" : base;
        String name = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
        String group = user.contains(":") ? user.substring(user.indexOf(':') + 1) : null;
        if (sc.runAsUser() != null) {
            name = sc.runAsUser().toString();
        }
        if (sc.runAsGroup() != null) {
            group = sc.runAsGroup().toString();
        }
        return group == null ? name : name + ":" + group;
    }

    /** Capabilities, privilege escalation, masking, sysctls and cgroup limits from a securityContext and resources. */
    static OciConfig.Extra extra(String id, Security security, Path seccompProfiles) {
        if (security == null) {
            return new OciConfig.Extra(null, false, true, java.util.Map.of(), 0, 0, 0, null,
                    dev.berth.runtime.Seccomp.runtimeDefault(OciConfig.DEFAULT_CAPABILITIES));
        }
        dev.berth.api.SecurityContext sc = security.context();
        boolean privileged = Boolean.TRUE.equals(sc.privileged());
        List<String> caps;
        if (privileged) {
            caps = OciConfig.ALL_CAPABILITIES;
        } else {
            java.util.LinkedHashSet<String> set = new java.util.LinkedHashSet<>(OciConfig.DEFAULT_CAPABILITIES);
            for (String d : sc.capabilitiesDrop()) {
                if (d.equalsIgnoreCase("ALL")) {
                    set.clear();
                } else {
                    set.remove(capability(d));
                }
            }
            for (String a : sc.capabilitiesAdd()) {
                if (a.equalsIgnoreCase("ALL")) {
                    set.addAll(OciConfig.ALL_CAPABILITIES);
                } else {
                    set.add(capability(a));
                }
            }
            caps = List.copyOf(set);
        }
        long memory = 0;
        long quota = 0;
        long shares = 0;
        if (security.limits().containsKey("memory")) {
            memory = dev.berth.api.Quantities.ceilLong(security.limits().get("memory"));
        }
        if (security.limits().containsKey("cpu")) {
            quota = dev.berth.api.Quantities.parse(security.limits().get("cpu")).multiply(java.math.BigDecimal.valueOf(100000)).longValue();
        }
        if (security.requests().containsKey("cpu")) {
            shares = Math.max(2, dev.berth.api.Quantities.parse(security.requests().get("cpu")).multiply(java.math.BigDecimal.valueOf(1024)).longValue());
        }
        if (Linux.inUserNamespace()) {
            memory = quota = shares = 0; // no cgroup is the user's to write (kube play says so)
        }
        boolean limited = memory > 0 || quota > 0 || shares > 0;
        return new OciConfig.Extra(caps, Boolean.FALSE.equals(sc.allowPrivilegeEscalation()),
                !privileged && !"Unmasked".equals(sc.procMount()), sc.sysctls(), memory, quota, shares,
                limited ? "/berth/" + id : null, privileged ? null : seccomp(sc.seccompProfile(), caps, seccompProfiles));
    }

    /** The filter of a seccompProfile: RuntimeDefault when none is given (as podman), none for Unconfined. */
    private static dev.berth.runtime.Seccomp.Filter seccomp(dev.berth.api.SecurityContext.SeccompProfile profile, List<String> caps, Path profiles) {
        if (profile == null || profile.type().equals("RuntimeDefault")) {
            return dev.berth.runtime.Seccomp.runtimeDefault(caps);
        }
        if (profile.type().equals("Unconfined")) {
            return null;
        }
        return dev.berth.runtime.Seccomp.fromFile(profiles.resolve(profile.localhostProfile()), caps);
    }

    private static String capability(String name) {
        String n = name.toUpperCase(java.util.Locale.ROOT);
        return n.startsWith("CAP_") ? n : "CAP_" + n;
    }

    private void writeBundle(Path bundle, ContainerConfig c, Sandbox sandbox, List<VolumeBind> volumes, OciConfig.Extra extra,
            boolean readOnlyRoot) throws IOException {
        Path etc = sandbox != null ? sandbox.files() : bundle;
        if (sandbox == null) {
            writeEtcFiles(bundle, c.hostname());
        }
        List<OciConfig.Mount> mounts = new ArrayList<>(List.of(
                OciConfig.Mount.bind(etc.resolve("hostname").toString(), "/etc/hostname", false),
                OciConfig.Mount.bind(etc.resolve("hosts").toString(), "/etc/hosts", false),
                OciConfig.Mount.bind(etc.resolve("resolv.conf").toString(), "/etc/resolv.conf", false)));
        for (VolumeBind v : volumes == null ? List.<VolumeBind>of() : volumes) {
            mounts.add(OciConfig.Mount.bind(v.source().toString(), v.destination(), v.readOnly()));
        }
        writePrivate(bundle.resolve("config.json"), OciConfig.json(spec(bundle, c, mounts, sandbox, extra, readOnlyRoot), c.tty()));
    }

    /**
     * Writes a file only root may read from its creation on (a process spec's environment may
     * hold Secret values): a temporary file made 0600, then renamed into place.
     */
    static void writePrivate(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + "-" + java.util.UUID.randomUUID() + ".tmp"); // writers of one file may meet
        Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private OciConfig.Spec spec(Path bundle, ContainerConfig c, List<OciConfig.Mount> mounts, Sandbox sandbox, OciConfig.Extra extra,
            boolean readOnlyRoot) {
        if (sandbox != null && sandbox.joinable()) {
            List<OciConfig.Namespace> joined = new ArrayList<>();
            if (sandbox.netns() != null) {
                joined.add(new OciConfig.Namespace("network", sandbox.netns().toString()));
            }
            joined.add(new OciConfig.Namespace("ipc", sandbox.namespace("ipc")));
            joined.add(new OciConfig.Namespace("uts", sandbox.namespace("uts")));
            joined.add(new OciConfig.Namespace("pid", sandbox.namespace("pid")));
            joined.add(new OciConfig.Namespace("mount", null));
            return new OciConfig.Spec(c.args(), c.env(), c.cwd(), c.uid(), c.gid(), c.additionalGids(),
                    bundle.resolve("rootfs").toString(), readOnlyRoot, null, joined, mounts, nofileLimit(), extra);
        }
        List<OciConfig.Namespace> namespaces = new ArrayList<>();
        for (OciConfig.Namespace n : OciConfig.ownNamespaces()) {
            if (n.type().equals("network")) {
                if (sandbox != null) {
                    if (sandbox.netns() != null) {
                        namespaces.add(new OciConfig.Namespace("network", sandbox.netns().toString()));
                    }
                    continue; // no netns file: hostNetwork
                }
                if (c.network().equals("host")) {
                    continue;
                }
                if (c.network().startsWith("/")) {
                    namespaces.add(new OciConfig.Namespace("network", c.network())); // another container's (--network container:NAME)
                    continue;
                }
            }
            namespaces.add(n);
        }
        return new OciConfig.Spec(c.args(), c.env(), c.cwd(), c.uid(), c.gid(), c.additionalGids(),
                bundle.resolve("rootfs").toString(), readOnlyRoot, c.hostname(), namespaces, mounts, nofileLimit(), extra);
    }

    /** The host's hard RLIMIT_NOFILE (runc fails asking for more), capped as podman caps it. */
    static long nofileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return f[1].equals("unlimited") ? MAX_NOFILE : Math.min(MAX_NOFILE, Long.parseLong(f[1]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to a limit every host allows
        }
        return 1024;
    }

    private Conmon.MonitorFiles monitorFiles(String id) {
        return new Conmon.MonitorFiles(layout.bundle(id), layout.exits(), layout.bundle(id).resolve("ctr.log"), layout.exitScript(), layout.superviseScript(),
                logLimits(id).maxSize());
    }

    /** The file in a bundle that says how much of the container's log is kept ("SIZE FILES"). */
    private static final String LOG_LIMITS = "log-limits";

    private LogLimits logLimits(String id) {
        LogLimits known = logLimits.get(id);
        if (known != null) {
            return known;
        }
        try {
            String[] parts = Files.readString(layout.bundle(id).resolve(LOG_LIMITS)).strip().split(" ");
            LogLimits read = new LogLimits(Long.parseLong(parts[0]), Integer.parseInt(parts[1]));
            logLimits.put(id, read);
            return read;
        } catch (IOException | RuntimeException e) {
            return LogLimits.DEFAULT; // made by an older berth, or not written yet (not kept: it may be soon)
        }
    }

    /**
     * Keeps a container's cut logs, as the kubelet keeps rotated ones. conmon cuts the current file
     * at the size limit ({@code --log-size-max}: it renames a new empty file over {@code ctr.log}),
     * and the content would be gone; so the current file is kept under a hard link as
     * {@code ctr.log.1} while it grows, and when {@code ctr.log} is a new file, the older ones
     * shift ({@code .1} → {@code .2} …, the oldest beyond the limit deleted) and the new one is
     * linked. conmon is not told anything (its reopen through the control FIFO does not reset its
     * byte count, so it would cut the new file early). A container that fills a whole file
     * between two calls loses that file, never disk. Returns whether the files shifted.
     */
    public boolean rotateLog(String id) {
        LogLimits limits = logLimits(id);
        Path log = layout.bundle(id).resolve("ctr.log");
        Path first = rotated(log, 1);
        try {
            if (limits.maxFiles() < 2 || !Files.exists(log) || Files.exists(first) && Files.isSameFile(log, first)) {
                return false;
            }
            Files.deleteIfExists(rotated(log, limits.maxFiles() - 1));
            for (int i = limits.maxFiles() - 2; i >= 1; i--) {
                if (Files.exists(rotated(log, i))) {
                    Files.move(rotated(log, i), rotated(log, i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.createLink(first, log);
            return true;
        } catch (IOException e) {
            return false; // a container going away meanwhile: nothing to keep
        }
    }

    private static Path rotated(Path log, int n) {
        return log.resolveSibling(log.getFileName() + "." + n);
    }

    /** A container's log files, oldest first: the rotated ones, then the current one. */
    private List<Path> logFiles(String id) {
        Path log = layout.bundle(id).resolve("ctr.log");
        List<Path> files = new ArrayList<>();
        for (int i = logLimits(id).maxFiles() - 1; i >= 1; i--) {
            if (Files.exists(rotated(log, i)) && !sameFile(log, rotated(log, i))) {
                files.add(rotated(log, i));
            }
        }
        files.add(log);
        return files;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The restart policy of a container made by {@code run --restart} ({@code always},
     * {@code unless-stopped}, {@code on-failure[:N]}), kept in its supervised marker; null when it
     * has none, or was stopped by hand since (which, as with podman, ends its restarts).
     */
    public String restartPolicy(String id) {
        try {
            String policy = Files.readString(monitorFiles(id).supervisedMarker()).strip();
            return policy.isEmpty() ? null : policy;
        } catch (IOException e) {
            return null;
        }
    }

    public void setRestartPolicy(String id, String policy) {
        try {
            Files.writeString(monitorFiles(id).supervisedMarker(), policy);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot record the restart policy of " + id + ": " + e.getMessage(), e);
        }
    }

    /** From now on the container's exits start the supervisor again (a pod's container, started again by {@code pod start}). */
    public void supervise(String id) {
        setRestartPolicy(id, "");
    }

    /** The container is being removed: its exit command does nothing (the removal unmounts it), nor does its supervisor start. */
    public void removing(String id) {
        unsupervise(id);
        try {
            Files.writeString(monitorFiles(id).removingMarker(), "");
        } catch (IOException e) {
            // its bundle is gone already: nothing will run
        }
    }

    /** From now on the container's exits no longer start the supervisor (it is being removed, or stopped by hand). */
    public void unsupervise(String id) {
        try {
            Files.deleteIfExists(monitorFiles(id).supervisedMarker());
        } catch (IOException e) {
            // its bundle is gone already: nothing will run
        }
    }

    /** The pid of a created container's process, from the pid file conmon wrote (no runtime call). */
    public int pid(String id) {
        int pid = pidOrZero(id);
        return pid != 0 ? pid : find(id).pid();
    }

    /**
     * Starts an exited container again, as podman's restart does: the same bundle (config, root
     * file system with its writable layer, log, appended to) under a new conmon; the record keeps
     * the last exit (code, finishedAt) as the container's last state, and the restart is counted.
     */
    public Container restart(Container c) {
        if (c.running()) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "container " + c.name() + " is running");
        }
        String id = c.id();
        runtime.delete(id);
        killConmon(id);
        Conmon.MonitorFiles files = monitorFiles(id);
        state.countRestart(id); // an attempt counts, so a container that cannot start backs off too
        try {
            Files.deleteIfExists(files.pidFile());
            Files.deleteIfExists(files.conmonPidFile());
            writeExitScript();
            // its exit unmounted the root file system (or will not, once the exit file is gone): mounted again
            try (Linux.Flock held = Linux.flock(files.bundle())) {
                Files.deleteIfExists(layout.exitFile(id));
                Path rootfs = layout.bundle(id).resolve("rootfs");
                if (!Linux.isMountPoint(rootfs)) {
                    Path storage = layout.containerStorage(id);
                    images.mountRootFs(images.require(c.record().imageId()), storage.resolve("upper"), storage.resolve("work"), rootfs);
                }
            }
            conmon.create(id, c.name(), runtime, files);
            runtime.start(id);
        } catch (IOException | RuntimeException e) {
            // it stays exited, with the exit it had: the next attempt finds it so
            runtime.delete(id);
            killConmon(id);
            writeExitFile(id, c.exitCode() == null ? 128 + 9 : c.exitCode());
            throw new BerthException(BerthException.Kind.HOST, "cannot restart container " + c.name() + ": " + e.getMessage(), e);
        }
        state.updateContainer(id, ContainerRecord.Status.RUNNING, Instant.now(), null, null);
        return find(id);
    }

    /** Whether {@link #finishInterruptedStart} may have something to do: no exit, and runc has it created or has lost it (files only). */
    public boolean startMayBeUnfinished(String id) {
        return exitCode(id) == null && runtime.mayBeUnstarted(id);
    }

    /**
     * A container a restart left half way, its maker killed (a supervisor killed between runc's
     * delete and its start): with no exit file it would count as running for ever. Run by a
     * supervisor taking the container over, under the lock restarts are made under, so that no
     * one is starting it: created by runc, it is started; gone from runc, it is recorded as exited
     * (and so restarted as its policy says). Returns what was done, or null when it runs (or has
     * an exit) as it should.
     */
    public String finishInterruptedStart(String id) {
        if (!startMayBeUnfinished(id)) {
            return null;
        }
        OciRuntime.State s = runtime.state(id);
        if (s != null && s.status() == OciRuntime.Status.CREATED) {
            runtime.start(id);
            state.updateContainer(id, ContainerRecord.Status.RUNNING, Instant.now(), null, null);
            return "started it (left created)";
        }
        if (s == null || s.status() == OciRuntime.Status.STOPPED) {
            killConmon(id); // one still creating it would finish behind this
            writeExitFile(id, 128 + 9);
            return "recorded it as exited (left without a process)";
        }
        return null;
    }

    private volatile boolean exitScriptWritten;

    /** Writes conmon's exit command ({@link Conmon#EXIT_SCRIPT}) once per process, atomically, when it is not there as it should be. */
    private void writeExitScript() throws IOException {
        if (exitScriptWritten) {
            return;
        }
        Path script = layout.exitScript();
        if (!Files.exists(script) || !Files.readString(script).equals(Conmon.EXIT_SCRIPT)) {
            Files.createDirectories(script.getParent());
            Path temp = Files.createTempFile(script.getParent(), "exited", ".tmp",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            Files.writeString(temp, Conmon.EXIT_SCRIPT);
            Files.move(temp, script, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        exitScriptWritten = true;
    }

    /** How many times a container was restarted after it exited. */
    public int restarts(String id) {
        return state.restarts(id);
    }

    /** Starts a container {@link #create} returned. */
    public Container start(Container c) {
        if (c.status() != ContainerState.CREATED) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "container " + c.name() + " is " + c.status().word() + "; only a created container can start");
        }
        runtime.start(c.id());
        Instant started = Instant.now();
        state.updateContainer(c.id(), ContainerRecord.Status.RUNNING, started, null, null);
        ContainerRecord r = c.record();
        return new Container(new ContainerRecord(r.id(), r.name(), r.imageId(), r.imageName(), r.pod(), r.config(),
                ContainerRecord.Status.RUNNING, r.created(), started, null, null), ContainerState.RUNNING, null, 0);
    }

    // status

    /** Every container, each checked as {@link #look} does (the runtime asked only where the files do not answer). */
    public List<Container> list() {
        return state.containers().stream().map(this::look).toList();
    }

    /** Finds a container by name or ID prefix. */
    public Container find(String reference) {
        return withReality(record(reference));
    }

    /**
     * As {@link #find}, without a runtime call when the files answer: no exit file and a live
     * process (not a zombie) under the pid conmon wrote means running. Only when they do not
     * agree is the runtime asked. For looks over many containers (a reconcile pass, pod ps).
     */
    public Container look(String reference) {
        return look(record(reference));
    }

    private Container look(ContainerRecord r) {
        int pid = r.status() == ContainerRecord.Status.RUNNING ? pidOrZero(r.id()) : 0;
        if (pid != 0 && exitCode(r.id()) == null && !zombie(pid)) {
            return new Container(r, ContainerState.RUNNING, null, pid);
        }
        return withReality(r);
    }

    private ContainerRecord record(String reference) {
        var byName = state.containerByName(reference);
        if (byName.isPresent()) {
            return byName.get();
        }
        if (reference.matches("[0-9a-f]{3,64}")) {
            List<ContainerRecord> byId = state.containersByIdPrefix(reference);
            if (byId.size() == 1) {
                return byId.get(0);
            }
            if (byId.size() > 1) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "\"" + reference + "\" matches " + byId.size() + " containers; give more of the ID");
            }
        }
        throw new BerthException(BerthException.Kind.NOT_FOUND, "no container \"" + reference + "\"");
    }

    /** The record's status checked against conmon's exit file and the runtime's state, and the record updated to match. */
    private Container withReality(ContainerRecord r) {
        Integer exit = exitCode(r.id());
        if (exit != null) {
            if (r.status() != ContainerRecord.Status.EXITED) {
                Instant finished = exitTime(r.id());
                state.updateContainer(r.id(), ContainerRecord.Status.EXITED, null, finished, exit);
                r = new ContainerRecord(r.id(), r.name(), r.imageId(), r.imageName(), r.pod(), r.config(),
                        ContainerRecord.Status.EXITED, r.created(), r.started(), finished, exit);
            }
            return new Container(r, ContainerState.EXITED, exit, 0);
        }
        if (r.status() == ContainerRecord.Status.CREATING || r.status() == ContainerRecord.Status.REMOVING) {
            return new Container(r, r.status() == ContainerRecord.Status.CREATING ? ContainerState.CREATING : ContainerState.REMOVING, null, 0);
        }
        OciRuntime.State s = runtime.state(r.id());
        if (s == null) {
            return new Container(r, r.status() == ContainerRecord.Status.EXITED ? ContainerState.EXITED : ContainerState.UNKNOWN, r.exitCode(), 0);
        }
        return new Container(r, ContainerState.of(s.status()), null, s.pid());
    }

    /** The exit code conmon wrote, or null while the container has not exited. */
    public Integer exitCode(String id) {
        try {
            Path f = layout.exitFile(id);
            if (!Files.exists(f)) {
                return null;
            }
            String text = Files.readString(f).strip();
            return text.isEmpty() ? null : Integer.parseInt(text);
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** When the container's last run ended: its exit file's time (now when it has none). */
    public Instant exitTime(String id) {
        try {
            return Files.getLastModifiedTime(layout.exitFile(id)).toInstant();
        } catch (IOException e) {
            return Instant.now();
        }
    }

    /** Waits until the container has exited, up to {@code timeout}; returns its exit code, or null when it still runs. */
    public Integer waitForExit(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleep = 2;
        while (true) {
            Integer code = exitCode(id);
            if (code != null) {
                withReality(state.containersByIdPrefix(id).get(0));
                return code;
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            sleepMillis(sleep);
            sleep = Math.min(50, sleep * 2);
        }
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException(BerthException.Kind.FAILED, "interrupted");
        }
    }

    // stop, kill, remove

    /**
     * SIGTERM, then SIGKILL after {@code timeout}; returns the exit code. Stopped by hand, a
     * container of {@code run --restart} is not started again (as podman does).
     */
    public Integer stop(String reference, Duration timeout) {
        Container c = find(reference);
        stoppedByHand(c);
        return stop(c, timeout);
    }

    private void stoppedByHand(Container c) {
        if (c.record().standalone()) {
            unsupervise(c.id());
        }
    }

    /** Stops a container already looked up (no second runtime call). */
    public Integer stop(Container c, Duration timeout) {
        if (!c.running()) {
            return c.exitCode();
        }
        signal(c, "TERM");
        Integer code = waitForStop(c.id(), timeout, 128 + 15);
        if (code == null) {
            signal(c, "KILL");
            code = waitForStop(c.id(), Duration.ofSeconds(10), 128 + 9);
        }
        return code;
    }

    /**
     * Sends TERM or KILL to a running container's process: directly when the pid is the one in
     * the container's cgroup (named after its ID, so a recycled pid is never signalled), as
     * {@code runc kill} would, without a runtime process per signal; else through the runtime.
     */
    private void signal(Container c, String name) {
        int number = name.equals("KILL") ? 9 : 15;
        if (c.running() && c.pid() > 0 && inCgroupOf(c.pid(), c.id())) {
            Linux.kill(c.pid(), number);
        } else {
            runtime.kill(c.id(), name);
        }
    }

    private static boolean inCgroupOf(int pid, String id) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/cgroup")).contains(id);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Waits for a signalled container to exit. Its conmon writes the exit code; when conmon was
     * killed, nothing would, so the container's process is watched instead and, once it is gone,
     * the exit file is written here with the code the signal gives ({@code assumed}: a process
     * that caught SIGTERM and exited otherwise is not told apart).
     */
    private Integer waitForStop(String id, Duration timeout, int assumed) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int pid = pidOrZero(id);
        long sleep = 2;
        while (true) {
            Integer code = exitCode(id);
            if (code != null) {
                return code;
            }
            if (!conmonAlive(id) && (pid == 0 || !Linux.isAlive(pid) || zombie(pid)) && exitCode(id) == null) {
                writeExitFile(id, assumed);
                return assumed;
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            sleepMillis(sleep);
            sleep = Math.min(50, sleep * 2);
        }
    }

    private int pidOrZero(String id) {
        try {
            return Integer.parseInt(Files.readString(layout.bundle(id).resolve("pidfile")).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static boolean zombie(int pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/stat")).contains(") Z ");
        } catch (IOException e) {
            return true;
        }
    }

    private void writeExitFile(String id, int code) {
        try {
            Files.createDirectories(layout.exits());
            writePrivate(layout.exitFile(id), Integer.toString(code));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot record the exit of container " + id.substring(0, 12) + ": " + e.getMessage(), e);
        }
    }

    public void kill(String reference, String signal) {
        Container c = find(reference);
        if (!c.running()) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "container " + c.name() + " is not running (" + c.status().word() + ")");
        }
        stoppedByHand(c);
        runtime.kill(c.id(), signal.startsWith("SIG") ? signal.substring(3) : signal);
    }

    /** Removes a container and everything it has on disk; a running one only with {@code force} (killed first). */
    public void remove(String reference, boolean force) {
        remove(find(reference), force);
    }

    /**
     * Removes a container already looked up; one that has exited needs no runtime call before its
     * delete. A container of {@code run} is removed under the lock the supervisor restarts it
     * under (named after it), its restart marker deleted first: a restart never races the removal.
     */
    public void remove(Container c, boolean force) {
        if (!c.record().standalone()) {
            removeNow(c, force);
            return;
        }
        try (Locks.Held held = locks.pod(c.name(), waiting -> { })) {
            removeNow(find(c.id()), force); // its restart marker goes first (removing)
        }
    }

    private void removeNow(Container c, boolean force) {
        if (c.running() && !force) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "container " + c.name() + " is running; stop it first, or use rm -f");
        }
        removing(c.id());
        state.updateContainer(c.id(), ContainerRecord.Status.REMOVING, null, null, null);
        if (c.running() || EnumSet.of(ContainerState.CREATED, ContainerState.UNKNOWN, ContainerState.CREATING, ContainerState.REMOVING).contains(c.status())) {
            signal(c, "KILL");
            waitForStop(c.id(), Duration.ofSeconds(5), 128 + 9);
        }
        cleanUp(c.id());
        state.deleteContainer(c.id());
    }

    /** Removes what a container has on disk, tolerating any part of it being gone already. */
    void cleanUp(String id) {
        logLimits.remove(id);
        processes.remove(id);
        runtime.delete(id);
        killConmon(id);
        Path bundle = layout.bundle(id);
        Linux.unmount(bundle.resolve("rootfs"), Linux.MNT_DETACH);
        try {
            LayerUnpacker.deleteTree(bundle);
            LayerUnpacker.deleteTree(layout.containerStorage(id));
            Files.deleteIfExists(layout.exitFile(id));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot remove the files of container " + id.substring(0, 12) + ": " + e.getMessage(), e);
        }
    }

    private void killConmon(String id) {
        try {
            Path pidFile = layout.bundle(id).resolve("conmon.pid");
            if (Files.exists(pidFile)) {
                int pid = Integer.parseInt(Files.readString(pidFile).strip());
                if (isConmon(pid, id)) {
                    Linux.kill(pid, 9);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no pid file, no conmon to end
        }
    }

    /** Whether the container's conmon still runs: while it does, output may still come. */
    private boolean conmonAlive(String id) {
        try {
            int pid = Integer.parseInt(Files.readString(layout.bundle(id).resolve("conmon.pid")).strip());
            return isConmon(pid, id);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** Whether {@code pid} is still this container's conmon (pids are reused). */
    private static boolean isConmon(int pid, String id) {
        try {
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
            return cmdline.contains("conmon") && cmdline.contains(id) && !Files.readString(Path.of("/proc/" + pid + "/stat")).contains(") Z ");
        } catch (IOException e) {
            return false;
        }
    }

    private void cleanUpQuietly(String id) {
        try {
            cleanUp(id);
            state.deleteContainer(id);
        } catch (RuntimeException e) {
            // the record stays (status creating), so rm -f can finish the job
        }
    }

    // exec and logs

    /**
     * Runs a command in a running container with its user, environment and working directory;
     * returns its exit code. With {@code stdin} it reads berth's own stdin; with {@code tty} it
     * runs on a terminal of its own (TERM=xterm unless the container sets TERM).
     */
    public int exec(String reference, List<String> command, ExecOptions options, OutputStream out, OutputStream err) {
        Container c = find(reference);
        if (!c.running()) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "container " + c.name() + " is not running (" + c.status().word() + ")");
        }
        try {
            return runIn(c.id(), command, options, out, err, Duration.ofDays(365));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot exec in " + c.name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs a process in a container as its own process runs: the process section of its
     * config.json (user, environment, working directory, capabilities, no-new-privileges) with
     * another argv; the runtime puts it under the container's seccomp filter. Its process file is
     * written here, private from creation, and removed.
     */
    private int runIn(String id, List<String> command, ExecOptions o, OutputStream out, OutputStream err,
            Duration timeout) throws IOException {
        OciConfig.Process process = processFor(id).withArgs(command);
        if (o.tty()) {
            process = process.withTerminal();
        }
        if (o.workdir() != null) {
            process = process.withCwd(o.workdir());
        }
        if (!o.env().isEmpty()) {
            process = process.withEnv(environment(process.env(), o.env(), null, null));
        }
        if (o.user() != null) {
            Users.Identity who = Users.resolve(layout.bundle(id).resolve("rootfs"), userSpec(o.user(), dev.berth.api.SecurityContext.NONE));
            process = process.withUser(new OciConfig.Process.User(who.uid(), who.gid(), who.additionalGids()));
        }
        Path file = layout.bundle(id).resolve("exec-" + newId().substring(0, 12) + ".json");
        try {
            writePrivate(file, process.text());
            return runtime.exec(id, file, o.stdin() || o.tty(), out, err, timeout);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Connects to a created or running container's conmon, to stream its output from now on and
     * (when it was created with stdin) send it input; attach before start to miss nothing.
     */
    public dev.berth.runtime.Attach attach(String id) {
        return dev.berth.runtime.Attach.open(layout.bundle(id));
    }

    /**
     * How {@code exec} runs its command: berth's stdin passed on, a terminal, and the working
     * directory, extra variables ({@code K=V}) and user ({@code USER[:GROUP]}) that replace the
     * container's; null and empty keep the container's.
     */
    public record ExecOptions(boolean stdin, boolean tty, String workdir, List<String> env, String user) {
        public static final ExecOptions NONE = new ExecOptions(false, false, null, List.of(), null);

        public ExecOptions {
            env = List.copyOf(env);
        }
    }

    /** What a command run in a container (a probe) did: its exit code (null when it timed out) and output. */
    public record ExecResult(Integer exitCode, String output) {}

    /**
     * Runs a command in a running container within {@code timeout}, capturing its output (the
     * first 64 KiB), for exec probes, which run again and again: the process file of a command is
     * written once and kept in the bundle, and the output goes to a file (no thread copies it).
     */
    public ExecResult execCaptured(String id, List<String> command, Duration timeout) {
        String cid = id.matches("[0-9a-f]{64}") ? id : record(id).id();
        Path output = layout.bundle(cid).resolve("exec-" + newId().substring(0, 12) + ".out");
        try {
            String text = processFor(cid).withArgs(command).text();
            Path processFile = layout.bundle(cid).resolve("exec-" + dev.berth.api.Canonical.hash(text).substring(0, 16) + ".json");
            if (!Files.exists(processFile)) {
                writePrivate(processFile, text);
            }
            Files.createFile(output, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))); // what a probe prints is the container's
            int code = runtime.execToFile(cid, processFile, output, timeout);
            return new ExecResult(code, head(output, 64 * 1024));
        } catch (dev.berth.proc.CommandFailedException e) {
            return new ExecResult(null, "timed out after " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return new ExecResult(null, e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (IOException ignored) {
                // in the bundle: goes with it
            }
        }
    }

    /** The first {@code max} bytes of a file, as text. */
    private static String head(Path file, int max) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(max), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** A container's process section, read from its config.json once. */
    private OciConfig.Process processFor(String id) throws IOException {
        OciConfig.Process base = processes.get(id);
        if (base == null) {
            base = OciConfig.Process.ofConfig(Files.readString(layout.bundle(id).resolve("config.json")));
            processes.put(id, base);
        }
        return base;
    }

    /** Where a container's output goes as it is written. */
    public interface LogSink {
        void line(CriLog.Line line);
    }

    /** {@link #logs(String, boolean, int, java.util.function.Predicate, LogSink)} of every line. */
    public void logs(String reference, boolean follow, int tail, LogSink sink) {
        logs(reference, follow, tail, l -> true, sink);
    }

    /**
     * Sends a container's log to {@code sink}: of the lines {@code shown} accepts, the last
     * {@code tail} (all when negative), then, with {@code follow}, new ones until it exits.
     */
    public void logs(String reference, boolean follow, int tail, java.util.function.Predicate<CriLog.Line> shown, LogSink sink) {
        Container c = look(reference);
        List<Path> files = logFiles(c.id());
        CriLog log = new CriLog(files.get(files.size() - 1));
        try {
            List<CriLog.Line> first = new ArrayList<>();
            for (Path rotated : files.subList(0, files.size() - 1)) {
                first.addAll(new CriLog(rotated).readNew());
            }
            first.addAll(log.readNew());
            first.removeIf(shown.negate());
            int from = tail < 0 ? 0 : Math.max(0, first.size() - tail);
            first.subList(from, first.size()).forEach(sink::line);
            if (!follow) {
                return;
            }
            long sleep = 10;
            while (exitCode(c.id()) == null && conmonAlive(c.id())) {
                List<CriLog.Line> lines = log.readNew();
                lines.stream().filter(shown).forEach(sink::line);
                sleep = lines.isEmpty() ? Math.min(200, sleep * 2) : 10;
                sleepMillis(sleep);
            }
            log.readNew().stream().filter(shown).forEach(sink::line);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot read the log of " + c.name() + ": " + e.getMessage(), e);
        }
    }

    private static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
