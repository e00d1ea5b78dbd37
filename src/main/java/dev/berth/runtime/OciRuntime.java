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

    /** The runtime's view of a container: {@code created}, {@code running}, {@code stopped}, or null when it has none. */
    public record State(String status, int pid) {}

    public State state(String id) {
        Result r = processes.run(Command.of(argv("state", id)).withTimeout(Duration.ofSeconds(10)));
        if (r.exitCode() != 0) {
            return null;
        }
        Map<String, Object> json = Json.parseObject(r.stdoutText());
        Object pid = json.get("pid");
        return new State(Json.string(json, "status"), pid instanceof Number n ? n.intValue() : 0);
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

    /** Runs a process in a running container, streaming its output; returns its exit code. */
    public int exec(String id, Path processJson, OutputStream out, OutputStream err, Duration timeout) {
        return processes.stream(Command.of(argv("exec", "--process", processJson.toString(), id)).withTimeout(timeout), out, err);
    }
}
