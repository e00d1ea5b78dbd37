package dev.berth.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.berth.api.BerthException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The few Linux calls Java lacks, through JNA. The library is loaded on first use only. */
public final class Linux {
    public static final int MNT_DETACH = 2;
    public static final int CLONE_NEWNET = 0x40000000;
    private static final int ENOENT = 2;
    private static final int EINVAL = 22;
    private static final int ESRCH = 3;

    private Linux() {}

    interface LibC extends Library {
        int mount(String source, String target, String fstype, long flags, String data) throws LastErrorException;

        int umount2(String target, int flags) throws LastErrorException;

        int mknod(String path, int mode, long dev) throws LastErrorException;

        int lsetxattr(String path, String name, byte[] value, long size, int flags) throws LastErrorException;

        int kill(int pid, int signal) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;

        int open(String path, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int flock(int fd, int operation) throws LastErrorException;

        long syscall(long number, Object... args) throws LastErrorException;

        int mkdirat(int dirfd, String path, int mode) throws LastErrorException;

        int geteuid();

        int socket(int domain, int type, int protocol) throws LastErrorException;

        int connect(int fd, byte[] address, int length) throws LastErrorException;

        long read(int fd, byte[] buffer, long count) throws LastErrorException;

        long write(int fd, byte[] buffer, long count) throws LastErrorException;

        int shutdown(int fd, int how) throws LastErrorException;

        String strerror(int errno);
    }

    private static final class Holder {
        // the exact soname: a bare "c" makes JNA run ldconfig to find it, at every start
        static final LibC LIBC = Native.load("libc.so.6", LibC.class);
    }

    private static LibC libc() {
        return Holder.LIBC;
    }

    private static BerthException failure(String what, LastErrorException e) {
        return new BerthException(BerthException.Kind.HOST, what + ": " + libc().strerror(e.getErrorCode()), e);
    }

    public static void mount(String source, Path target, String fstype, long flags, String data) {
        try {
            libc().mount(source, target.toString(), fstype, flags, data);
        } catch (LastErrorException e) {
            throw failure("mount " + (fstype == null ? source : fstype) + " on " + target
                    + (data == null ? "" : " (" + (data.length() > 200 ? data.substring(0, 200) + "…" : data) + ")"), e);
        }
    }

    /** Unmounts (lazily with {@link #MNT_DETACH}); returns false when nothing was mounted there. */
    public static boolean unmount(Path target, int flags) {
        try {
            libc().umount2(target.toString(), flags);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EINVAL || e.getErrorCode() == ENOENT) {
                return false;
            }
            throw failure("unmount " + target, e);
        }
    }

    /**
     * Holds an exclusive {@code flock(2)} on a file or directory until closed: the kind of lock the
     * {@code flock} command takes, so that a shell script (conmon's exit command) and berth exclude
     * each other.
     */
    public static Flock flock(Path file) {
        int fd;
        try {
            fd = libc().open(file.toString(), 02000000); // O_RDONLY | O_CLOEXEC: a directory too
        } catch (LastErrorException e) {
            throw failure("open " + file, e);
        }
        try {
            libc().flock(fd, 2); // LOCK_EX
        } catch (LastErrorException e) {
            libc().close(fd);
            throw failure("flock " + file, e);
        }
        return () -> libc().close(fd);
    }

    /** A held {@link #flock}; closing releases it. */
    public interface Flock extends AutoCloseable {
        @Override
        void close();
    }

    /** Whether something is mounted on {@code dir}: its device differs from its parent's. */
    public static boolean isMountPoint(Path dir) {
        try {
            return !java.nio.file.Files.getAttribute(dir, "unix:dev").equals(java.nio.file.Files.getAttribute(dir.getParent(), "unix:dev"));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Creates the character device 0/0 that overlayfs reads as a whiteout. */
    public static void mknodWhiteout(Path path) {
        try {
            libc().mknod(path.toString(), 0020000, 0);
        } catch (LastErrorException e) {
            throw failure("mknod " + path, e);
        }
    }

    public static void setXattr(Path path, String name, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        try {
            libc().lsetxattr(path.toString(), name, v, v.length, 0);
        } catch (LastErrorException e) {
            throw failure("setxattr " + name + " on " + path, e);
        }
    }

    /** Sends a signal; returns false when the process does not exist. */
    public static boolean kill(int pid, int signal) {
        try {
            libc().kill(pid, signal);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ESRCH) {
                return false;
            }
            throw failure("kill " + pid, e);
        }
    }

    public static boolean isAlive(int pid) {
        return pid > 0 && kill(pid, 0);
    }

    private static Boolean root;

    /** Whether the effective uid is 0, read from /proc so that commands that need no syscall never load JNA. */
    public static synchronized boolean isRoot() {
        if (root == null) {
            root = readEffectiveUid() == 0;
        }
        return root;
    }

    private static Boolean userNamespace;

    /**
     * Whether this process runs in a user namespace of its own rather than the host's: a berth
     * command of an ordinary user, which runs as uid 0 inside the namespace that user's pause
     * process holds (see {@code engine/UserNamespace}).
     */
    public static synchronized boolean inUserNamespace() {
        if (userNamespace == null) {
            userNamespace = !readProc("/proc/self/uid_map").strip().matches("0\\s+0\\s+4294967295");
        }
        return userNamespace;
    }

    /** The uid this process has on the host: its effective uid mapped out of its user namespace. */
    public static int hostUid() {
        return (int) hostId(readProc("/proc/self/uid_map"), effectiveUid());
    }

    /** An id of a user namespace as the host sees it, given the namespace's {@code uid_map}; -1 when unmapped. */
    public static long hostId(String map, long id) {
        for (String line : map.strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 3) {
                long inside = Long.parseLong(f[0]);
                long outside = Long.parseLong(f[1]);
                if (id >= inside && id < inside + Long.parseLong(f[2])) {
                    return outside + id - inside;
                }
            }
        }
        return -1;
    }

    /** A /proc file's text, read to its end ({@code Files.readString} stops short on files whose size is 0). */
    public static String readProc(String path) {
        try (var in = java.nio.file.Files.newInputStream(Path.of(path))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** The effective uid, read from /proc (no JNA). */
    public static int effectiveUid() {
        return readEffectiveUid();
    }

    private static int readEffectiveUid() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.split("\\s+")[2]);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall back to the syscall
        }
        return libc().geteuid();
    }

    /** Moves the calling thread into the namespace open at {@code fd}. */
    public static void setns(int fd, int nstype, String what) {
        try {
            libc().setns(fd, nstype);
        } catch (LastErrorException e) {
            throw failure("setns " + what, e);
        }
    }

    /** Moves the calling thread into the network namespace bound at {@code file}; other threads stay where they are. */
    public static void enterNetns(Path file) {
        int fd;
        try {
            fd = libc().open(file.toString(), 0);
        } catch (LastErrorException e) {
            throw failure("open " + file, e);
        }
        try {
            setns(fd, CLONE_NEWNET, file.toString());
        } finally {
            libc().close(fd);
        }
    }

    private static final long SYS_OPENAT2 = 437; // the same number on x86_64 and arm64
    private static final long O_PATH = 010000000;
    private static final long O_DIRECTORY = 0200000;
    private static final long O_CLOEXEC = 02000000;
    private static final long RESOLVE_NO_MAGICLINKS = 0x02;
    private static final long RESOLVE_IN_ROOT = 0x10;
    private static final long MS_BIND = 4096;
    private static final int EEXIST = 17;

    /**
     * Binds {@code relative} of {@code root} on {@code target}, resolved as if {@code root} were
     * the file system's root: a symlink in the way, even an absolute one or a {@code ..}, cannot
     * lead outside it (openat2 with RESOLVE_IN_ROOT). What was opened is what gets bound (through
     * its {@code /proc/self/fd} link), so a symlink swapped in after the check changes nothing.
     * Missing directories on the way are made inside the root when {@code create} is set. The
     * target (a directory, or a file for a file) is made as needed.
     */
    public static void bindBeneath(Path root, String relative, Path target, boolean create) {
        int rootFd = openPath(root);
        try {
            int fd = openInRoot(rootFd, root, relative, create);
            try {
                Path opened = Path.of("/proc/self/fd/" + fd);
                java.nio.file.Files.createDirectories(target.getParent());
                if (java.nio.file.Files.isDirectory(opened)) {
                    java.nio.file.Files.createDirectories(target);
                } else if (!java.nio.file.Files.exists(target)) {
                    java.nio.file.Files.createFile(target);
                }
                unmount(target, MNT_DETACH); // a container's restart binds again
                libc().mount(opened.toString(), target.toString(), null, MS_BIND, null);
            } catch (LastErrorException e) {
                throw failure("bind " + relative + " of " + root + " on " + target, e);
            } catch (java.io.IOException e) {
                throw new BerthException(BerthException.Kind.HOST, "cannot make " + target + ": " + e.getMessage(), e);
            } finally {
                libc().close(fd);
            }
        } finally {
            libc().close(rootFd);
        }
    }

    private static int openPath(Path dir) {
        try {
            return libc().open(dir.toString(), (int) (O_PATH | O_DIRECTORY | O_CLOEXEC));
        } catch (LastErrorException e) {
            throw failure("open " + dir, e);
        }
    }

    private static int openInRoot(int rootFd, Path root, String relative, boolean create) {
        String path = ".";
        for (String part : relative.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            String parent = path;
            path = path + "/" + part;
            if (create && !part.equals("..") && !existsInRoot(rootFd, path)) {
                int parentFd = openInRoot(rootFd, root, parent);
                try {
                    libc().mkdirat(parentFd, part, 0755);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != EEXIST) {
                        throw failure("mkdir " + path + " in " + root, e);
                    }
                } finally {
                    libc().close(parentFd);
                }
            }
        }
        return openInRoot(rootFd, root, path);
    }

    private static boolean existsInRoot(int rootFd, String path) {
        try {
            libc().close(openat2(rootFd, path));
            return true;
        } catch (LastErrorException e) {
            return false;
        }
    }

    private static int openInRoot(int rootFd, Path root, String path) {
        try {
            return openat2(rootFd, path);
        } catch (LastErrorException e) {
            throw failure("open " + path.substring(2) + " in " + root, e);
        }
    }

    private static int openat2(int dirfd, String path) {
        try (com.sun.jna.Memory how = new com.sun.jna.Memory(24)) {
            how.setLong(0, O_PATH | O_CLOEXEC);
            how.setLong(8, 0);
            how.setLong(16, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
            return (int) libc().syscall(SYS_OPENAT2, dirfd, path, how, 24L);
        }
    }

    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SHUT_WR = 1;
    private static final int SHUT_RDWR = 2;
    private static final int EINTR = 4;

    /**
     * A connected unix socket of packets (SOCK_SEQPACKET, which Java's channels lack), as conmon's
     * attach socket is. Its path is reached through the directory's {@code /proc/self/fd} link,
     * so a path longer than a socket address holds (108 bytes) still works.
     */
    public static final class SeqPacket implements AutoCloseable {
        private final int fd;

        private SeqPacket(int fd) {
            this.fd = fd;
        }

        public static SeqPacket connect(Path socket) {
            int dir = openPath(socket.getParent());
            try {
                byte[] path = ("/proc/self/fd/" + dir + "/" + socket.getFileName()).getBytes(StandardCharsets.UTF_8);
                byte[] address = new byte[110];
                address[0] = AF_UNIX;
                System.arraycopy(path, 0, address, 2, path.length);
                int fd = libc().socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
                try {
                    libc().connect(fd, address, 2 + path.length + 1);
                } catch (LastErrorException e) {
                    libc().close(fd);
                    throw e;
                }
                return new SeqPacket(fd);
            } catch (LastErrorException e) {
                throw failure("connect to " + socket, e);
            } finally {
                libc().close(dir);
            }
        }

        /** Reads one packet into {@code buffer}; returns its length, 0 at the end. */
        public int read(byte[] buffer) {
            while (true) {
                try {
                    return (int) libc().read(fd, buffer, buffer.length);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != EINTR) {
                        return 0;
                    }
                }
            }
        }

        /** Sends {@code length} bytes as one packet; returns false when the other end is gone. */
        public boolean write(byte[] buffer, int length) {
            byte[] packet = length == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, length);
            try {
                return libc().write(fd, packet, length) == length;
            } catch (LastErrorException e) {
                return false;
            }
        }

        /** Tells the other end that nothing more will be sent. */
        public void shutdownOutput() {
            try {
                libc().shutdown(fd, SHUT_WR);
            } catch (LastErrorException e) {
                // already closed by the other end
            }
        }

        /** Ends the connection both ways; a read blocked in another thread returns. */
        public void shutdown() {
            try {
                libc().shutdown(fd, SHUT_RDWR);
            } catch (LastErrorException e) {
                // already closed by the other end
            }
        }

        @Override
        public void close() {
            libc().close(fd);
        }
    }
}
