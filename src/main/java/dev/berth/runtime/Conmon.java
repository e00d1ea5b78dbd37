package dev.berth.runtime;

import dev.berth.proc.Command;
import dev.berth.proc.ProcessRunner;
import dev.berth.proc.Result;
import dev.berth.api.BerthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a container's monitor: one {@code conmon} per container, which runs the OCI runtime's
 * {@code create}, holds the container's stdio, writes its output to a CRI log file and its exit
 * code to an exit file, and outlives berth.
 */
public final class Conmon {
    private final Path binary;
    private final ProcessRunner processes;

    public Conmon(Path binary, ProcessRunner processes) {
        this.binary = binary;
        this.processes = processes;
    }

    /**
     * The files of one container's monitor, all under its bundle except the shared exit directory
     * and the root's supervise script, which conmon runs when the container exits if the bundle is
     * marked supervised; {@code logSizeMax} is where conmon cuts the log file (0: never).
     */
    /**
     * @param bundle also the lock ({@code flock} on the directory) held around unmounting an exited
     *               container's root file system and mounting it again for a restart: a lock that
     *               creates no file, so that removing the bundle never races with it
     */
    public record MonitorFiles(Path bundle, Path exitDir, Path log, Path exitScript, Path superviseScript, long logSizeMax) {
        /** Present while the container's exits must reach the root's supervisor. */
        public Path supervisedMarker() {
            return bundle.resolve("supervised");
        }

        /** Present once the container is being removed: its exit needs nothing from the exit command. */
        public Path removingMarker() {
            return bundle.resolve("removing");
        }

        /** Present when conmon holds the container's stdin open for an attach ({@code run -i}). */
        public Path stdinMarker() {
            return bundle.resolve("stdin");
        }

        /** Present when the container runs on a terminal conmon holds ({@code run -t}; its config.json says so too). */
        public Path terminalMarker() {
            return bundle.resolve("terminal");
        }

        public Path pidFile() {
            return bundle.resolve("pidfile");
        }

        public Path conmonPidFile() {
            return bundle.resolve("conmon.pid");
        }

        public Path runtimeLog() {
            return bundle.resolve("oci-log");
        }

        public Path conmonOutput() {
            return bundle.resolve("conmon.out");
        }
    }

    /** conmon's command line, in the order podman uses. */
    public List<String> argv(String id, String name, OciRuntime runtime, MonitorFiles files) {
        List<String> argv = new ArrayList<>(List.of(
                binary.toString(), "--api-version", "1",
                "-c", id, "-u", id,
                "-r", runtime.binary().toString(),
                "-b", files.bundle().toString(),
                "-p", files.pidFile().toString(),
                "-n", name,
                "--exit-dir", files.exitDir().toString(),
                "--full-attach",
                "-l", "k8s-file:" + files.log(),
                "--log-level", "warning",
                "--runtime-arg", "--log-format=json",
                "--runtime-arg", "--log",
                "--runtime-arg=" + files.runtimeLog(),
                "--runtime-arg", "--root=" + runtime.stateRoot(),
                "--conmon-pidfile", files.conmonPidFile().toString()));
        if (Files.exists(files.stdinMarker())) {
            argv.add("--stdin");
        }
        if (Files.exists(files.terminalMarker())) {
            argv.add("--terminal");
        }
        if (files.logSizeMax() > 0) {
            argv.addAll(List.of("--log-size-max", Long.toString(files.logSizeMax())));
        }
        // podman's "container cleanup": at every exit the root file system is unmounted, and a killed supervisor comes back
        argv.addAll(List.of("--exit-command", "/bin/sh", "--exit-command-arg", files.exitScript().toString(),
                "--exit-command-arg", files.bundle().toString(), "--exit-command-arg", files.exitDir().resolve(id).toString(),
                "--exit-command-arg", files.superviseScript().toString()));
        return argv;
    }

    /**
     * conmon's exit command for every container ({@code sh SCRIPT BUNDLE EXIT-FILE SUPERVISE-SCRIPT}),
     * as podman's {@code container cleanup}: the container has exited, so its root file system is
     * unmounted (an exited container holds no mount, and a root deleted without {@code rm} leaves
     * none), under a {@code flock} of the bundle that a restart holds to mount it again, and
     * only while the exit file still says it exited; then a supervised container's exit runs the
     * supervise script (which starts the supervisor when none runs). A container being removed
     * (its bundle's {@code removing} marker) is left to its removal, which unmounts it anyway.
     */
    public static final String EXIT_SCRIPT = """
            #!/bin/sh
            # written by berth: conmon runs it when a container exits
            PATH=/usr/sbin:/usr/bin:/sbin:/bin
            bundle=$1 exited=$2 supervise=$3
            [ -e "$bundle/removing" ] && exit 0
            flock "$bundle" sh -c 'if [ -e "$2" ] && mountpoint -q "$1/rootfs"; then umount "$1/rootfs"; fi' sh "$bundle" "$exited"
            if [ -e "$bundle/supervised" ] && [ -e "$supervise" ]; then
              exec /bin/sh "$supervise" "$bundle"
            fi
            """;

    /**
     * Runs conmon, which creates the container (not yet started) and detaches. On failure the
     * message carries what the runtime logged.
     */
    public void create(String id, String name, OciRuntime runtime, MonitorFiles files) {
        Command command = Command.of(argv(id, name, runtime, files)).inDirectory(files.bundle())
                .withOutputFile(files.conmonOutput()).withTimeout(Duration.ofSeconds(60));
        Result r = processes.run(command);
        // conmon's first process returns before the runtime has created the container: wait for its pid file
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long sleep = 1;
        while (r.exitCode() == 0 && !hasContent(files.pidFile())) {
            if (System.nanoTime() > deadline || monitorGone(files)) {
                break;
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            sleep = Math.min(10, sleep * 2);
        }
        if (r.exitCode() != 0 || !hasContent(files.pidFile())) {
            throw new BerthException(BerthException.Kind.HOST, "cannot create container " + name + ": " + runtimeError(files)
                    + " (conmon exited with " + r.exitCode() + ")");
        }
    }

    private static boolean hasContent(Path file) {
        try {
            return Files.size(file) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether conmon has written its pid file and is no longer running: the create failed. */
    private static boolean monitorGone(MonitorFiles files) {
        try {
            if (!hasContent(files.conmonPidFile())) {
                return false;
            }
            int pid = Integer.parseInt(Files.readString(files.conmonPidFile()).strip());
            return !Files.exists(Path.of("/proc/" + pid)) || Files.readString(Path.of("/proc/" + pid + "/stat")).contains(") Z ");
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** The last error the runtime logged (runc writes JSON lines with a {@code msg}), or conmon's output. */
    static String runtimeError(MonitorFiles files) {
        try {
            if (Files.exists(files.runtimeLog())) {
                List<String> lines = Files.readAllLines(files.runtimeLog());
                for (int i = lines.size() - 1; i >= 0; i--) {
                    String line = lines.get(i);
                    if (line.contains("\"level\":\"error\"")) {
                        Object msg = dev.berth.api.Json.parseObject(line).get("msg");
                        return String.valueOf(msg);
                    }
                }
            }
            if (Files.exists(files.conmonOutput())) {
                String out = Files.readString(files.conmonOutput()).strip();
                if (!out.isEmpty()) {
                    return out;
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return "unknown error (" + e.getMessage() + ")";
        }
        return "unknown error";
    }
}
