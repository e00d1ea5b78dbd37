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

        int geteuid();

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

}
