package dev.berth.cli;

import dev.berth.api.BerthException;
import dev.berth.engine.Berth;
import dev.berth.reconcile.Supervisor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the root's supervisor ({@code berth system supervise}) as a process of its own, in a
 * session of its own so that it outlives the command that started it and a Ctrl-C of it, with its
 * output appended to {@code <runroot>/supervisor.log}. A second one for the same root leaves at
 * once (the supervisor's lock), so starting one whenever some pod needs it is safe.
 */
final class Supervision {
    private Supervision() {}

    /** Starts the supervisor when some pod of the root needs one; says nothing otherwise. */
    static void startIfNeeded(Berth berth, GlobalOptions global) {
        if (!Supervisor.needed(berth)) {
            return;
        }
        List<String> argv = new ArrayList<>(List.of("setsid", ProcessHandle.current().info().command().orElse("java")));
        for (String property : List.of("org.sqlite.lib.path", "org.sqlite.lib.name", "jna.boot.library.path")) {
            if (System.getProperty(property) != null) {
                argv.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        argv.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss1m", "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--root", berth.layout().root().toString(), "--runroot", berth.layout().runroot().toString()));
        if (global.runtime != null) {
            argv.addAll(List.of("--runtime", global.runtime));
        }
        argv.addAll(List.of("system", "supervise"));
        Path log = berth.layout().runroot().resolve("supervisor.log");
        try {
            Files.createDirectories(log.getParent());
            new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot start berth's supervisor: " + e.getMessage(), e);
        }
    }
}
