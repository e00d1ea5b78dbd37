package dev.berth.proc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An external command to run: an argv list (never a shell string), extra environment, working
 * directory, bytes for stdin, and how long it may take.
 *
 * @param outputFile when set, stdout and stderr go to this file instead of being captured (for
 *                   commands that leave a daemon behind holding them, such as conmon)
 * @param ownInput   whether the command reads berth's own stdin (a user's terminal or pipe)
 *                   instead of {@code stdin} or nothing
 */
public record Command(List<String> argv, Map<String, String> env, Path cwd, byte[] stdin, Duration timeout, Path outputFile,
        boolean ownInput) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    public Command {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }

    public static Command of(String... argv) {
        return new Command(List.of(argv), Map.of(), null, null, DEFAULT_TIMEOUT, null, false);
    }

    public static Command of(List<String> argv) {
        return new Command(argv, Map.of(), null, null, DEFAULT_TIMEOUT, null, false);
    }

    public Command withEnv(Map<String, String> extra) {
        return new Command(argv, extra, cwd, stdin, timeout, outputFile, ownInput);
    }

    public Command inDirectory(Path dir) {
        return new Command(argv, env, dir, stdin, timeout, outputFile, ownInput);
    }

    public Command withStdin(byte[] input) {
        return new Command(argv, env, cwd, input, timeout, outputFile, ownInput);
    }

    public Command withTimeout(Duration t) {
        return new Command(argv, env, cwd, stdin, t, outputFile, ownInput);
    }

    public Command withOutputFile(Path file) {
        return new Command(argv, env, cwd, stdin, timeout, file, ownInput);
    }

    public Command withOwnInput() {
        return new Command(argv, env, cwd, null, timeout, outputFile, true);
    }

    /** The command as a user would type it, for messages. */
    public String display() {
        return String.join(" ", argv);
    }
}
