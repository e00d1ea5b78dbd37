package dev.berth.proc;

import dev.berth.api.BerthException;

/** A command that exited non-zero or timed out; the message names the command, its exit code and its stderr. */
public final class CommandFailedException extends BerthException {
    private final Result result;

    public CommandFailedException(Command command, Result result, String why) {
        super(Kind.HOST, "`" + command.display() + "` " + why
                + (result == null || result.stderr().isBlank() ? "" : ": " + result.stderr().strip()));
        this.result = result;
    }

    /** The result, or null when the command did not finish. */
    public Result result() {
        return result;
    }
}
