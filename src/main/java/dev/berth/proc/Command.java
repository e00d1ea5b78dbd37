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
 */
public record Command(List<String> argv, Map<String, String> env, Path cwd, byte[] stdin, Duration timeout, Path outputFile) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    public Command {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }

    public static Command of(String... argv) {
        return new Command(List.of(argv), Map.of(), null, null, DEFAULT_TIMEOUT, null);
    }

    public static Command of(List<String> argv) {
        return new Command(argv, Map.of(), null, null, DEFAULT_TIMEOUT, null);
    }

    public Command withEnv(Map<String, String> extra) {
        return new Command(argv, extra, cwd, stdin, timeout, outputFile);
    }

    public Command inDirectory(Path dir) {
        return new Command(argv, env, dir, stdin, timeout, outputFile);
    }

    public Command withStdin(byte[] input) {
        return new Command(argv, env, cwd, input, timeout, outputFile);
    }

    public Command withTimeout(Duration t) {
        return new Command(argv, env, cwd, stdin, t, outputFile);
    }

    public Command withOutputFile(Path file) {
        return new Command(argv, env, cwd, stdin, timeout, file);
    }

    /** The command as a user would type it, for messages. */
    public String display() {
        return String.join(" ", argv);
    }
}
