package dev.berth.proc;

import java.io.OutputStream;

/** The one way berth starts external processes; tests fake it to assert exact argv lists. */
public interface ProcessRunner {

    /** Runs the command to its end and captures its output, whatever its exit code. */
    Result run(Command command);

    /** Runs the command, copying its stdout and stderr to the given streams as they come; returns its exit code. */
    int stream(Command command, OutputStream out, OutputStream err);

    /** Runs the command and returns its result, or throws {@link CommandFailedException} when it exits non-zero. */
    default Result check(Command command) {
        Result r = run(command);
        if (r.exitCode() != 0) {
            throw new CommandFailedException(command, r, "exited with " + r.exitCode());
        }
        return r;
    }
}
