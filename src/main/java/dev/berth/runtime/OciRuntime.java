package dev.berth.runtime;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import dev.berth.proc.Command;
import dev.berth.proc.ProcessRunner;
import dev.berth.proc.Result;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A thin adapter over {@code runc} (or {@code crun}): each method is one command, built as an
 * argv list with the runtime's own state directory ({@code --root}) under berth's runroot.
 */
public final class OciRuntime {
    private final Path binary;
    private final Path stateRoot;
    private final ProcessRunner processes;

    public OciRuntime(Path binary, Path stateRoot, ProcessRunner processes) {
        this.binary = binary;
        this.stateRoot = stateRoot;
        this.processes = processes;
    }

    public Path binary() {
        return binary;
    }

    public Path stateRoot() {
        return stateRoot;
    }

    List<String> argv(String... rest) {
        List<String> argv = new ArrayList<>(List.of(binary.toString(), "--root", stateRoot.toString()));
        argv.addAll(List.of(rest));
        return argv;
    }

    /** The states of the OCI runtime spec's {@code state} operation. */
    public enum Status { CREATING, CREATED, RUNNING, PAUSED, STOPPED }

    /** The runtime's view of a container ({@link #state} returns null when it has none). */
    public record State(Status status, int pid) {}

    public State state(String id) {
        Result r = processes.run(Command.of(argv("state", id)).withTimeout(Duration.ofSeconds(10)));
        if (r.exitCode() != 0) {
            return null;
        }
        Map<String, Object> json = Json.parseObject(r.stdoutText());
        Object pid = json.get("pid");
        String status = Json.string(json, "status");
        try {
            return new State(Status.valueOf(status.toUpperCase(java.util.Locale.ROOT)), pid instanceof Number n ? n.intValue() : 0);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new BerthException(BerthException.Kind.HOST, "the runtime says container " + id + " is \"" + status + "\", which is no OCI state");
        }
    }

    /**
     * Whether the container may be created but not started, or gone from the runtime, without a
     * runtime call: runc keeps {@code exec.fifo} in its state directory from create until start
     * (and has no directory for a container it lost). For another runtime: always true, so the
     * caller asks {@link #state}.
     */
    public boolean mayBeUnstarted(String id) {
        if (!binary.getFileName().toString().equals("runc")) {
            return true;
        }
        java.nio.file.Path dir = stateRoot.resolve(id);
        return !java.nio.file.Files.isDirectory(dir) || java.nio.file.Files.exists(dir.resolve("exec.fifo"));
    }

    public void start(String id) {
        processes.check(Command.of(argv("start", id)).withTimeout(Duration.ofSeconds(30)));
    }

    /** Sends a signal ({@code TERM}, {@code KILL}, or a number); a container that is gone is not an error. */
    public void kill(String id, String signal) {
        Result r = processes.run(Command.of(argv("kill", id, signal)).withTimeout(Duration.ofSeconds(10)));
        if (r.exitCode() != 0 && !gone(r.stderr())) {
            throw new BerthException(BerthException.Kind.HOST, "cannot signal container " + id.substring(0, 12) + ": " + r.stderr().strip());
        }
    }

    /** Removes the runtime's record (and kills what is left); a container it does not know is not an error. */
    public void delete(String id) {
        Result r = processes.run(Command.of(argv("delete", "--force", id)).withTimeout(Duration.ofSeconds(30)));
        if (r.exitCode() != 0 && !gone(r.stderr())) {
            throw new BerthException(BerthException.Kind.HOST, "cannot delete container " + id.substring(0, 12) + ": " + r.stderr().strip());
        }
    }

    private static boolean gone(String stderr) {
        return stderr.contains("does not exist") || stderr.contains("not exist") || stderr.contains("container not running")
                || stderr.contains("process already finished");
    }

    /** Exit codes as podman's (and a shell's) for a command that could not be run: not executable, or not found. */
    public static final int CANNOT_INVOKE = 126;
    public static final int NOT_FOUND = 127;

    /** The exit code for the runtime's failure to start a container's command, from its message; null for another failure. */
    public static Integer cannotInvoke(String message) {
        if (!message.contains("exec:")) {
            return null;
        }
        if (message.contains("executable file not found") || message.contains("no such file or directory")) {
            return NOT_FOUND;
        }
        return message.contains("permission denied") ? CANNOT_INVOKE : null;
    }

    /**
     * Runs a process in a running container, streaming its output (and berth's own stdin to it
     * when {@code ownInput}; a process with a terminal gets one from the runtime, which copies
     * between it and berth's stdio and passes resizes on); returns its exit code, or 127
     * or 126 when the runtime could not start it (runc then exits 255 with the reason on stderr,
     * which is kept to tell the two apart).
     */
    public int exec(String id, Path processJson, boolean ownInput, OutputStream out, OutputStream err, Duration timeout) {
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                if (said.size() < 8192) {
                    said.write(b, off, len);
                }
                err.write(b, off, len);
            }
        };
        Command command = Command.of(argv("exec", "--process", processJson.toString(), id)).withTimeout(timeout);
        int code = processes.stream(ownInput ? command.withOwnInput() : command, out, tee);
        Integer failure = code == 255 ? cannotInvoke(said.toString(java.nio.charset.StandardCharsets.UTF_8)) : null;
        return failure != null ? failure : code;
    }

    /**
     * {@link #exec} with the process's output, stdout and stderr, written to {@code output} (no
     * stdin); its exit code, or 127 or 126 as there.
     */
    public int execToFile(String id, Path processJson, Path output, Duration timeout) {
        int code = processes.run(Command.of(argv("exec", "--process", processJson.toString(), id)).withOutputFile(output).withTimeout(timeout)).exitCode();
        if (code != 255) {
            return code;
        }
        try {
            Integer failure = cannotInvoke(java.nio.file.Files.readString(output));
            return failure != null ? failure : code;
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return code;
        }
    }
}
