package dev.berth.proc;

import dev.berth.api.BerthException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import dev.berth.sys.Linux;
import java.util.concurrent.TimeUnit;

/** Runs real processes with {@link ProcessBuilder}: the one place berth starts a process. */
public final class Processes implements ProcessRunner {

    @Override
    public Result run(Command command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = exec(command, out, err);
        return new Result(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    @Override
    public int stream(Command command, OutputStream out, OutputStream err) {
        return exec(command, out, err);
    }

    /**
     * Starts a process that outlives this one (berth's supervisor): no input, its output
     * discarded, not waited for.
     */
    public static void spawn(List<String> argv) {
        try {
            new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot start `" + String.join(" ", argv) + "`: " + e.getMessage(), e);
        }
    }

    /**
     * Runs a command on this process's own terminal and streams, passing SIGINT, SIGTERM and
     * SIGHUP on to it, so that it ends as it would alone; returns its exit code (130 when this
     * thread is interrupted, as a shell reports a command ended by SIGINT).
     */
    public static int runInForeground(List<String> argv) {
        try {
            Process child = new ProcessBuilder(argv).inheritIO().start();
            for (String signal : List.of("INT", "TERM", "HUP")) {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> Linux.kill((int) child.pid(), s.getNumber()));
            }
            return child.waitFor();
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot run `" + String.join(" ", argv) + "`: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static int exec(Command command, OutputStream out, OutputStream err) {
        ProcessBuilder pb = new ProcessBuilder(command.argv());
        pb.environment().putAll(command.env());
        if (command.cwd() != null) {
            pb.directory(command.cwd().toFile());
        }
        if (command.outputFile() != null) {
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(command.outputFile().toFile()));
            pb.redirectError(ProcessBuilder.Redirect.appendTo(command.outputFile().toFile()));
        }
        if (command.ownInput()) {
            pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
        } else if (command.stdin() == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot run `" + command.display() + "`: " + e.getMessage(), e);
        }
        Thread outCopier = null;
        Thread errCopier = null;
        if (command.outputFile() == null) {
            outCopier = copier(p.getInputStream(), out);
            errCopier = copier(p.getErrorStream(), err);
        }
        try {
            if (command.stdin() != null) {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(command.stdin());
                } catch (IOException ignored) {
                    // the process may exit before reading all of its input
                }
            }
            if (!p.waitFor(command.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new CommandFailedException(command, null, "did not finish within " + command.timeout().toSeconds() + "s");
            }
            if (outCopier != null) {
                outCopier.join();
                errCopier.join();
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BerthException(BerthException.Kind.FAILED, "interrupted while running `" + command.display() + "`", e);
        }
    }

    private static Thread copier(InputStream from, OutputStream to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (from) {
                int n;
                while ((n = from.read(buf)) > 0) {
                    synchronized (to) {
                        to.write(buf, 0, n);
                        to.flush();
                    }
                }
            } catch (IOException ended) {
                // the process was destroyed (a timeout, an interrupt) and its pipe closed: what it wrote so far is kept
            }
        }, "copy-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
