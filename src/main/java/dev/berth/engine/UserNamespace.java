package dev.berth.engine;

import dev.berth.api.BerthException;
import dev.berth.proc.Command;
import dev.berth.proc.ProcessRunner;
import dev.berth.proc.Processes;
import dev.berth.runtime.HostComponents;
import dev.berth.runtime.Rootless;
import dev.berth.state.Layout;
import dev.berth.sys.Linux;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How an ordinary user's berth runs, as podman's rootless mode does: every command that touches
 * the store runs again inside the user's namespaces, as uid 0 there. A pause process
 * ({@code catatonit -P}, started by {@code unshare}) holds them: a user namespace (uid 0 is the
 * user, 1… the user's subordinate ids), a mount namespace (overlay and netns mounts live there;
 * a fresh sysfs shows the namespace's interfaces) and a network namespace (the "rootless netns":
 * pods' bridge and iptables rules live there as they live on the host for root). slirp4netns
 * connects that network namespace to the host, and publishes hostPorts through its API socket.
 *
 * <p>Commands take {@code <runroot>/rootless/lock} shared while they run inside; the namespaces are
 * made under it exclusively, and ended under it exclusively when a command leaves no container
 * and no pod behind and no other command runs, so {@code kube down} leaves no process behind.
 */
public final class UserNamespace {
    private static final Duration STARTUP = Duration.ofSeconds(10);
    /** The system property that tells a command inside the host's {@code net.ipv4.ip_unprivileged_port_start}. */
    public static final String UNPRIVILEGED_PORT_START = "berth.hostUnprivilegedPortStart";

    private final Layout layout;
    private final Path dir;
    private final java.util.function.Consumer<String> notes;
    private final ProcessRunner processes = new Processes();

    private UserNamespace(Layout layout, java.util.function.Consumer<String> notes) {
        this.layout = layout;
        this.dir = layout.rootless();
        this.notes = notes;
    }

    /**
     * Runs this JVM's own command line again inside the user's namespaces (made first when there
     * are none), with this terminal, and returns its exit code. What the user should know about
     * new namespaces goes to {@code notes}.
     */
    public static int run(Layout layout, List<String> commandLine, java.util.function.Consumer<String> notes) {
        UserNamespace ns = new UserNamespace(layout, notes);
        ns.makeRunroot(layout.runroot());
        try (FileChannel lockFile = FileChannel.open(ns.dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock held = lockFile.lock(0, Long.MAX_VALUE, true);
            int pause = ns.pause();
            if (pause == 0) {
                held.release();
                held = lockFile.lock();
                pause = ns.pause();
                if (pause == 0) {
                    ns.stop();
                    pause = ns.start();
                }
                held.release();
                held = lockFile.lock(0, Long.MAX_VALUE, true);
            }
            int code = ns.runInside(pause, commandLine);
            held.release();
            FileLock alone = lockFile.tryLock();
            if (alone != null) {
                if (ns.idle()) {
                    ns.stop();
                }
                alone.release();
            }
            return code;
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot use " + ns.dir + ": " + e.getMessage(), e);
        }
    }

    /** The runroot (0700, the user's own: /tmp/berth-UID is in a directory everyone can write) and its rootless/. */
    private void makeRunroot(Path runroot) {
        try {
            Files.createDirectories(runroot.getParent());
            if (!Files.exists(runroot)) {
                Files.createDirectory(runroot, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            int owner = (Integer) Files.getAttribute(runroot, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (owner != Linux.hostUid()) {
                throw new BerthException(BerthException.Kind.HOST, runroot + " belongs to uid " + owner + ", not to you; remove it"
                        + " or give berth another runroot (--runroot, or XDG_RUNTIME_DIR)");
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot make " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The pid of the pause process that holds this user's namespaces, or 0 when there is none ready. */
    private int pause() {
        return pid("pause");
    }

    /**
     * The pid {@code NAME.pid} records ("PID START", START the process's start time from
     * /proc/PID/stat), or 0 when no such process lives: a pid used again by another process has
     * another start time.
     */
    private int pid(String name) {
        try {
            String[] recorded = Files.readString(dir.resolve(name + ".pid")).strip().split(" ");
            int pid = Integer.parseInt(recorded[0]);
            return recorded.length == 2 && recorded[1].equals(startTime(pid)) ? pid : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Field 22 of /proc/PID/stat (after the command name in parentheses), or "" when the process is gone. */
    private static String startTime(int pid) {
        String stat = Linux.readProc("/proc/" + pid + "/stat");
        int end = stat.lastIndexOf(')');
        String[] fields = end < 0 ? new String[0] : stat.substring(end + 2).split(" ");
        return fields.length > 19 ? fields[19] : "";
    }

    /**
     * Starts the pause process in new user, mount and network namespaces (the user's subordinate
     * ids mapped when {@code /etc/subuid} has some), prepares them (sysfs of the new network
     * namespace with the host's cgroups kept, loopback up), connects them to the host through
     * slirp4netns when {@code /dev/net/tun} allows it, and writes {@code pause.pid} last.
     */
    private int start() {
        Path unshare = require("unshare", "util-linux");
        Path catatonit = require("catatonit", "catatonit");
        List<String> argv = new ArrayList<>(List.of(unshare.toString(), "--user", "--map-root-user"));
        String user = System.getProperty("user.name");
        if (Rootless.range(Linux.readProc("/etc/subuid"), user, Linux.hostUid()) != null
                && Rootless.range(Linux.readProc("/etc/subgid"), user, Linux.hostUid()) != null) {
            argv.add("--map-auto");
        } else {
            notes.accept("berth: " + user + " has no subordinate ids in /etc/subuid and /etc/subgid: containers see one user, root"
                    + " (you); images with files of other users cannot be unpacked (berth system check says how to add a range)");
        }
        argv.addAll(List.of("--mount", "--net", "--propagation", "private", catatonit.toString(), "-P"));
        int pid = detach("pause", argv);
        waitFor(() -> Linux.readProc("/proc/" + pid + "/comm").strip().equals("catatonit"), "the pause process (log: " + log("pause") + ")");
        Path cgroups = dir.resolve("cgroup");
        processes.check(Command.of(nsenter(pid, List.of("/bin/sh", "-c", """
                set -e
                if [ -d /sys/fs/cgroup ]; then mkdir -p "$0"; mount -n --rbind /sys/fs/cgroup "$0"; fi
                mount -n -t sysfs sysfs /sys
                if [ -d "$0" ]; then mount -n --move "$0" /sys/fs/cgroup; rmdir "$0"; fi
                ip link set lo up
                """, cgroups.toString()))).withTimeout(STARTUP));
        connect(pid);
        record("pause", pid);
        return pid;
    }

    /** Writes NAME.pid ("PID START", see {@link #pid}) through a rename, once the process is ready. */
    private void record(String name, int pid) {
        Path tmp = dir.resolve(name + ".pid.tmp");
        try {
            Files.writeString(tmp, pid + " " + startTime(pid));
            Files.move(tmp, dir.resolve(name + ".pid"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot write " + name + ".pid: " + e.getMessage(), e);
        }
    }

    /**
     * slirp4netns on the pause's network namespace: a tap device with 10.0.2.100 and a route out
     * through 10.0.2.2, and an API socket for hostPorts. Without a usable {@code /dev/net/tun}
     * pods still reach each other, but not the host's network; {@code system check} says so.
     */
    private void connect(int pause) {
        Path slirp = HostComponents.find("slirp4netns");
        if (slirp == null || !Rootless.tunUsable()) {
            return;
        }
        Path socket = layout.slirp4netnsSocket();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot remove " + socket + ": " + e.getMessage(), e);
        }
        int pid = detach("slirp4netns", List.of(slirp.toString(), "--configure", "--mtu=65520", "--disable-host-loopback",
                "--api-socket", socket.toString(), Integer.toString(pause), "tap0"));
        waitFor(() -> Files.exists(socket), "slirp4netns (log: " + log("slirp4netns") + ")");
        record("slirp4netns", pid);
    }

    /** Starts a process in a session of its own that outlives this command; returns its pid (which it writes to NAME.pid.new). */
    private int detach(String name, List<String> argv) {
        Path pidFile = dir.resolve(name + ".pid.new");
        List<String> all = new ArrayList<>(List.of("setsid", "-f", "/bin/sh", "-c", "echo $$ >\"$0\"; exec \"$@\"", pidFile.toString()));
        all.addAll(argv);
        try {
            Files.deleteIfExists(pidFile);
            Files.deleteIfExists(log(name));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot write in " + dir + ": " + e.getMessage(), e);
        }
        processes.check(Command.of(all).withOutputFile(log(name)).withTimeout(STARTUP));
        waitFor(() -> Files.exists(pidFile) && pidIn(pidFile) > 0, name);
        int pid = pidIn(pidFile);
        try {
            Files.delete(pidFile);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot remove " + pidFile + ": " + e.getMessage(), e);
        }
        return pid;
    }

    private static int pidIn(Path file) {
        try {
            String text = Files.readString(file).strip();
            return text.isEmpty() ? 0 : Integer.parseInt(text);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private Path log(String name) {
        return dir.resolve(name + ".log");
    }

    private static void waitFor(java.util.function.BooleanSupplier ready, String what) {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!ready.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new BerthException(BerthException.Kind.HOST, "cannot make this user's namespaces: " + what + " did not start within "
                        + STARTUP.toSeconds() + " s (berth system check lists what containers without root need)");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BerthException(BerthException.Kind.FAILED, "interrupted while starting " + what, e);
            }
        }
    }

    private static List<String> nsenter(int pid, List<String> command) {
        List<String> argv = new ArrayList<>(List.of(require("nsenter", "util-linux").toString(), "--target", Integer.toString(pid),
                "--user", "--mount", "--net", "--preserve-credentials", "--wd=" + Path.of("").toAbsolutePath()));
        argv.addAll(command);
        return argv;
    }

    private static Path require(String program, String debianPackage) {
        Path p = HostComponents.find(program);
        if (p == null) {
            throw new BerthException(BerthException.Kind.HOST, "containers without root need " + program + "; as root: apt-get install -y " + debianPackage);
        }
        return p;
    }

    /**
     * Runs the command line inside: the JVM told its user's home and name (uid 0's would be
     * root's), iptables its lock file in the runroot (the host's /run is not the user's to write),
     * the sbin directories added to PATH (a user's PATH on Debian has none), and the host's first
     * unprivileged port (the network namespace inside has its own).
     * SIGINT, SIGTERM and SIGHUP are passed on, so the command inside ends as it would alone.
     */
    private int runInside(int pause, List<String> commandLine) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin"; // CNI plugins look for iptables there
        List<String> inside = new ArrayList<>(List.of("env", "PATH=" + path, "XTABLES_LOCKFILE=" + dir.resolve("xtables.lock"), commandLine.get(0),
                "-Duser.home=" + System.getProperty("user.home"), "-Duser.name=" + System.getProperty("user.name"),
                "-D" + UNPRIVILEGED_PORT_START + "=" + Linux.readProc("/proc/sys/net/ipv4/ip_unprivileged_port_start").strip()));
        inside.addAll(commandLine.subList(1, commandLine.size()));
        try {
            return Processes.runInForeground(nsenter(pause, inside));
        } catch (BerthException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot run berth in this user's namespaces: " + e.getMessage(), e);
        }
    }

    /**
     * Whether nothing lives in the namespaces: no container has a bundle (a container keeps it
     * from create to rm, exited or not) and no pod a network namespace file.
     */
    private boolean idle() {
        for (Path d : List.of(layout.bundles(), layout.netns())) {
            try (var entries = Files.list(d)) {
                if (entries.findAny().isPresent()) {
                    return false;
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // none made yet
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** Ends slirp4netns and the pause process (the namespaces, their mounts and interfaces go with it), and forgets them; pids are checked by start time. */
    private void stop() {
        for (String name : List.of("slirp4netns", "pause")) {
            int pid = pid(name);
            if (pid != 0) {
                Linux.kill(pid, 9);
            }
            try {
                Files.deleteIfExists(dir.resolve(name + ".pid"));
            } catch (IOException e) {
                throw new BerthException(BerthException.Kind.HOST, "cannot remove " + name + ".pid: " + e.getMessage(), e);
            }
        }
        try {
            Files.deleteIfExists(layout.slirp4netnsSocket());
        } catch (IOException e) {
            // markers only
        }
    }
}
