package dev.berth.runtime;

import dev.berth.sys.Linux;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What this host needs for containers without root, as {@code berth system check} lists it for
 * an ordinary user: subordinate id ranges, {@code newuidmap}/{@code newgidmap}, user namespaces
 * the kernel lets a user create, overlayfs inside one (kernel 5.11),
 * {@code slirp4netns} and a /dev/net/tun it may open, for the pods' way out and their hostPorts. Each missing part comes with
 * the command that fixes it.
 */
public final class Rootless {
    /** One requirement: met (with what meets it) or not (with the fix). */
    public record Requirement(String name, boolean met, String detail, String fix) {}

    /** A user's first subordinate range: {@code start} and {@code count} ids. */
    public record Range(long start, long count) {}

    private Rootless() {}

    public static List<Requirement> check(String user, int uid) {
        List<Requirement> all = new ArrayList<>();
        String addRanges = "as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 " + user;
        for (String file : List.of("/etc/subuid", "/etc/subgid")) {
            Range r = range(Linux.readProc(file), user, uid);
            all.add(new Requirement(file, r != null, r == null ? "no range for " + user
                    : r.count() + " ids from " + r.start() + (r.count() < 65536 ? " (fewer than 65536: images with high ids fail)" : ""), addRanges));
        }
        for (String helper : List.of("newuidmap", "newgidmap")) {
            Path p = HostComponents.find(helper);
            all.add(new Requirement(helper, p != null, p == null ? "not installed" : p.toString(), "as root: apt-get install -y uidmap"));
        }
        String max = Linux.readProc("/proc/sys/user/max_user_namespaces").strip();
        String clone = Linux.readProc("/proc/sys/kernel/unprivileged_userns_clone").strip(); // Debian's switch, when the kernel has it
        boolean allowed = !max.equals("0") && !clone.equals("0");
        all.add(new Requirement("user namespaces", allowed, allowed ? "allowed (max_user_namespaces " + max + ")" : "not allowed to users",
                "as root: sysctl -w user.max_user_namespaces=15000 kernel.unprivileged_userns_clone=1"));
        String release = Linux.readProc("/proc/sys/kernel/osrelease").strip();
        boolean nativeOverlay = kernelAtLeast(release, 5, 11);
        all.add(new Requirement("overlay in a user namespace", nativeOverlay, "kernel " + release + (nativeOverlay ? "" : " < 5.11"),
                "a kernel 5.11 or later (berth does not use fuse-overlayfs)"));
        Path slirp = HostComponents.find("slirp4netns");
        all.add(new Requirement("slirp4netns", slirp != null, slirp != null ? slirp.toString() : "not installed (pods would not reach the host's network, nor it their hostPorts)",
                "as root: apt-get install -y slirp4netns"));
        boolean tunUsable = tunUsable();
        all.add(new Requirement("/dev/net/tun", tunUsable, tunUsable ? "usable" : "not usable by " + user + " (slirp4netns needs it)",
                "as root: chmod 0666 /dev/net/tun (Debian's default)"));
        return all;
    }

    /** The first range of {@code user} (by name or uid) in an /etc/subuid-style text, or null. */
    public static Range range(String text, String user, int uid) {
        for (String line : text.split("\n")) {
            String[] f = line.strip().split(":");
            if (f.length == 3 && (f[0].equals(user) || f[0].equals(Integer.toString(uid)))) {
                try {
                    long count = Long.parseLong(f[2]);
                    if (count > 0) {
                        return new Range(Long.parseLong(f[1]), count);
                    }
                } catch (NumberFormatException e) {
                    // a malformed line: as shadow's tools, skip it
                }
            }
        }
        return null;
    }

    /** Whether a kernel release such as {@code 6.1.0-28-amd64} is at least {@code major.minor}. */
    public static boolean kernelAtLeast(String release, int major, int minor) {
        String[] parts = release.split("[.-]");
        try {
            int ma = Integer.parseInt(parts[0]);
            int mi = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return ma > major || ma == major && mi >= minor;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Whether this user may open /dev/net/tun, which slirp4netns needs for its tap device. */
    public static boolean tunUsable() {
        Path tun = Path.of("/dev/net/tun");
        return java.nio.file.Files.isReadable(tun) && java.nio.file.Files.isWritable(tun);
    }
}
