package dev.berth.cli;

import dev.berth.api.BerthException;
import dev.berth.engine.Berth;
import dev.berth.reconcile.Supervisor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Starts the root's supervisor ({@code berth system supervise}) as a process of its own, in a
 * session of its own so that it outlives the command that started it and a Ctrl-C of it, with its
 * output appended to {@code <runroot>/supervisor.log}.
 *
 * <p>Through one script, {@code <runroot>/supervise.sh}: {@code kube play} runs it when some pod
 * needs watching, and conmon runs it when a supervised container exits (its
 * {@code --exit-command}, with the bundle as argument), so a supervisor that was killed comes back
 * at the next exit. The script costs a shell, not a JVM, when the supervisor runs (it reads the
 * pid in the supervisor's lock file) or when the container is being removed (its bundle's
 * {@code supervised} marker is gone). A second supervisor for the same root leaves at once (its
 * lock), so a race between two starts is harmless.
 */
final class Supervision {
    private Supervision() {}

    /**
     * Writes the root's supervise script (before a play: the containers it creates may exit at
     * once). {@code backoffMax} null: the command sets none (run, pod start), so a script written
     * by a play with its {@code --restart-backoff-max} is kept as it is.
     */
    static void prepare(Berth berth, GlobalOptions global, java.time.Duration backoffMax) {
        Path script = berth.layout().superviseScript();
        try {
            Files.createDirectories(berth.layout().locks()); // the script's start lock is there
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot make " + berth.layout().locks() + ": " + e.getMessage(), e);
        }
        if (backoffMax == null && Files.exists(script)) {
            return;
        }
        String text = script(berth, global, backoffMax == null ? dev.berth.reconcile.Restarts.DEFAULT_MAX : backoffMax);
        try {
            if (Files.exists(script) && Files.readString(script).equals(text)) {
                return;
            }
            Files.createDirectories(script.getParent());
            Path temp = Files.createTempFile(script.getParent(), "supervise", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.writeString(temp, text);
            Files.move(temp, script, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot write " + script + ": " + e.getMessage(), e);
        }
    }

    /** Starts the supervisor when some pod of the root needs one; says nothing otherwise. */
    static void startIfNeeded(Berth berth, GlobalOptions global, java.time.Duration backoffMax) {
        if (!Supervisor.needed(berth)) {
            return;
        }
        prepare(berth, global, backoffMax);
        try {
            Files.writeString(Supervisor.wanted(berth), "");
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot write " + Supervisor.wanted(berth) + ": " + e.getMessage(), e);
        }
        start(berth);
    }

    /**
     * Starts the supervisor again when it is wanted and gone: killed while every container it
     * watches runs or waits in back-off, no exit would bring it back. A file check and a pid
     * check when it runs; called by every command but the supervisor itself.
     */
    static void reviveIfGone(Berth berth) {
        if ((Files.exists(Supervisor.wanted(berth)) || Files.exists(berth.layout().apiWanted())) && Files.exists(berth.layout().superviseScript())
                && running(berth).isEmpty()) {
            start(berth);
        }
    }

    /** The process holding the supervisor's lock, as it wrote its pid there, when it is still a supervisor (or a {@code reconcile --watch} or {@code api start --foreground} doing its work). */
    static Optional<ProcessHandle> running(Berth berth) {
        try {
            long pid = Long.parseLong(Files.readString(berth.layout().locks().resolve("supervisor.lock")).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(Supervision::supervises);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether a process is a supervisor or a {@code reconcile --watch}, from its command line as
     * {@code /proc} has it ({@code ProcessHandle.Info.arguments()} is empty past 4 KiB, which a
     * long class path exceeds).
     */
    private static boolean supervises(ProcessHandle p) {
        try {
            List<String> argv = Arrays.asList(Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).split("\0"));
            return argv.contains("supervise") || argv.contains("reconcile") || argv.contains("--foreground"); // api start --foreground
        } catch (IOException gone) {
            return false;
        }
    }

    static void start(Berth berth) {
        try {
            dev.berth.proc.Processes.spawn(List.of("/bin/sh", berth.layout().superviseScript().toString()));
        } catch (BerthException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot start berth's supervisor: " + e.getMessage(), e);
        }
    }

    private static String script(Berth berth, GlobalOptions global, java.time.Duration backoffMax) {
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        for (String property : List.of("org.sqlite.lib.path", "org.sqlite.lib.name", "org.sqlite.tmpdir", "jna.boot.library.path", "user.home", "user.name")) {
            if (System.getProperty(property) != null) {
                argv.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        // the launcher's class-data archive, when this JVM maps one: the supervisor (and the API it may serve) starts sooner
        try {
            Arrays.stream(Files.readString(Path.of("/proc/self/cmdline")).split("\0"))
                    .filter(a -> a.startsWith("-XX:SharedArchiveFile=") || a.equals("-Xshare:auto")).forEach(argv::add);
        } catch (IOException e) {
            // started without it
        }
        // a long-lived JVM doing little: a small first heap and code cache keep its RSS near 70 MB; the heap may grow
        // to 256 MB when it serves the Kubernetes API
        argv.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k", "-Xms16m", "-Xmx256m", "-XX:ReservedCodeCacheSize=16m",
                "-XX:MaxMetaspaceSize=64m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--root", berth.layout().root().toString(), "--runroot", berth.layout().runroot().toString()));
        if (global.runtime != null) {
            argv.addAll(List.of("--runtime", global.runtime));
        }
        argv.addAll(List.of("system", "supervise", "--restart-backoff-max", Long.toString(backoffMax.toSeconds())));
        Path lock = berth.layout().locks().resolve("supervisor.lock");
        Path log = berth.layout().runroot().resolve("supervisor.log");
        return """
                #!/bin/sh
                # Written by berth: starts this root's supervisor unless one runs. Run by kube play, and by
                # conmon when a supervised container exits, with its bundle as $1.
                [ -z "$1" ] || [ -e "$1/supervised" ] || exit 0
                pid=$(cat %s 2>/dev/null)
                [ -n "$pid" ] && grep -qas -e supervise -e reconcile -e --foreground "/proc/$pid/cmdline" && exit 0
                # one start at a time: a burst of exits starts one JVM, which keeps the lock (fd 9) while it lives
                exec 9>>%s
                flock -n 9 || exit 0
                exec setsid -f %s </dev/null >>%s 2>&1
                """.formatted(quote(lock.toString()), quote(lock.resolveSibling("supervisor.start").toString()),
                argv.stream().map(Supervision::quote).collect(Collectors.joining(" ")), quote(log.toString()));
    }

    /** A word for sh, single-quoted. */
    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
