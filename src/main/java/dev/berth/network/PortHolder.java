package dev.berth.network;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which process on the host listens on a TCP port, as {@code ss -ltnp} finds it: the port's
 * listening sockets in {@code /proc/net/tcp} and {@code tcp6}, then the process holding one of
 * them among {@code /proc/PID/fd}. Only what this process may read is seen (an ordinary user
 * sees its own processes).
 */
public final class PortHolder {
    private PortHolder() {}

    private static final String LISTEN = "0A";

    /**
     * Who on the host holds a hostPort a pod would publish: null when it can be bound on its
     * address (UDP ports are not checked), else "NAME (pid N)", or "another process" when the
     * holder cannot be seen.
     */
    public static String holding(CniNetwork.PortMapping m) {
        if (!m.protocol().equals("TCP")) {
            return null;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(m.hostIP() == null || m.hostIP().isEmpty() ? "0.0.0.0" : m.hostIP()), m.hostPort()));
            return null;
        } catch (IOException e) {
            String process = of(m.hostPort());
            return process == null ? "another process" : process;
        }
    }

    /** "NAME (pid N)" of a process listening on {@code port}, or null when none can be seen. */
    public static String of(int port) {
        Set<String> inodes = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            inodes.addAll(listening(read(Path.of(table)), port));
        }
        if (inodes.isEmpty()) {
            return null;
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                if (holds(proc, inodes)) {
                    String name = read(proc.resolve("comm")).strip();
                    return (name.isEmpty() ? "a process" : name) + " (pid " + proc.getFileName() + ")";
                }
            }
        } catch (IOException e) {
            // no /proc to read: nobody named
        }
        return null;
    }

    /** The inodes of the sockets listening on {@code port} in one of /proc/net/tcp's tables. */
    static Set<String> listening(String table, int port) {
        Set<String> inodes = new HashSet<>();
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        for (String line : table.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals(LISTEN) && !f[9].equals("0")) {
                inodes.add(f[9]);
            }
        }
        return inodes;
    }

    private static boolean holds(Path proc, Set<String> inodes) {
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException | SecurityException e) {
            // not ours to read, or gone
        }
        return false;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
