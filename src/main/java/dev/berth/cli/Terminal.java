package dev.berth.cli;

import dev.berth.proc.Command;
import dev.berth.proc.ProcessRunner;
import dev.berth.proc.Result;

/**
 * The terminal berth runs on, in raw mode while a container's terminal is attached to it (keys
 * go to the container as typed, ctrl-C included) and restored afterwards; {@code stty} does the
 * work, on berth's own stdin.
 */
final class Terminal implements AutoCloseable {
    private final ProcessRunner processes;
    private final String saved;
    /** Restores the terminal when berth is ended by a signal in raw mode (ctrl-C is a key then, so only kill does it). */
    private final Thread restore;

    private Terminal(ProcessRunner processes, String saved) {
        this.processes = processes;
        this.saved = saved;
        this.restore = new Thread(() -> stty(processes, saved), "restore-terminal");
        Runtime.getRuntime().addShutdownHook(restore);
    }

    /** Puts the terminal in raw mode; null when stdin is not a terminal (a pipe, a file). */
    static Terminal raw(ProcessRunner processes) {
        Result r = stty(processes, "-g");
        if (r.exitCode() != 0) {
            return null;
        }
        stty(processes, "raw", "-echo");
        return new Terminal(processes, r.stdoutText().strip());
    }

    /** Rows and columns, or null when the terminal does not say. */
    int[] size() {
        String[] f = stty(processes, "size").stdoutText().strip().split(" ");
        return f.length == 2 && f[0].matches("[1-9][0-9]*") && f[1].matches("[1-9][0-9]*")
                ? new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])} : null;
    }

    /** Runs {@code action} whenever the terminal is resized (SIGWINCH). */
    void onResize(Runnable action) {
        sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), s -> action.run());
    }

    @Override
    public void close() {
        stty(processes, saved);
        try {
            Runtime.getRuntime().removeShutdownHook(restore);
        } catch (IllegalStateException exiting) {
            // the hook is running or has run
        }
    }

    private static Result stty(ProcessRunner processes, String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "stty";
        System.arraycopy(args, 0, argv, 1, args.length);
        return processes.run(Command.of(argv).withOwnInput());
    }
}
