package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real Kubernetes clients the API is tested with (kubectl 1.35 and 1.33, helm 4), as
 * {@code .ci/clients} caches them, run against a root's API with a kubeconfig and a HOME of the
 * test's own (their discovery caches stay in the test's directory).
 */
public final class KubeClients {
    private final BerthRoot root;
    private final Path kubeconfig;
    private final Path home;

    /** What a client printed and returned; when it failed, the end of the API server's log too. */
    public record Result(int code, String out, String err, String serverLog) {
        public Result ok() {
            if (code != 0) {
                throw new AssertionError("exited " + code + "\nstdout: " + out + "\nstderr: " + err + "\nthe server's log ends:\n" + serverLog);
            }
            return this;
        }
    }

    /** Starts the root's API and writes its kubeconfig into the test's directory. */
    public KubeClients(BerthRoot root) {
        this.root = root;
        root.berth("api", "start").ok();
        try {
            home = Files.createDirectories(root.dir.resolve("home"));
            kubeconfig = Files.writeString(root.dir.resolve("kubeconfig"), root.berth("api", "kubeconfig").ok().out());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client binary: {@code v35/kubectl}, {@code v33/kubectl}, {@code v35/helm}; fails when .ci/clients has not fetched it. */
    public static Path binary(String name) {
        String dir = System.getenv().getOrDefault("BERTH_CLIENTS", "/var/cache/berth-clients");
        Path p = Path.of(dir, name);
        if (!Files.isExecutable(p)) {
            throw new AssertionError(p + " is missing: run .ci/clients (the README's test command does)");
        }
        return p;
    }

    /** The last lines of the root's supervisor log (which serves the API). */
    public String serverLog() {
        try {
            List<String> lines = Files.readAllLines(root.runroot.resolve("supervisor.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public Path home() {
        return home;
    }

    /** Runs a client to its end (60 s at most). */
    public Result run(Path binary, String... args) {
        try {
            Path errFile = Files.createTempFile(root.dir, "stderr", ".txt");
            Process p = builder(binary, args).redirectError(errFile.toFile()).start();
            p.getOutputStream().close();
            var out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(binary.getFileName() + " " + String.join(" ", args) + " did not finish within 120 s");
            }
            String err = Files.readString(errFile);
            Files.delete(errFile);
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), err, p.exitValue() == 0 ? "" : serverLog());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Starts a client (a watch, a followed log); the caller reads it and ends it by its pid. */
    public Process start(Path binary, String... args) throws IOException {
        return builder(binary, args).redirectErrorStream(true).start();
    }

    private ProcessBuilder builder(Path binary, String... args) {
        List<String> argv = new ArrayList<>(List.of(binary.toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(root.dir.toFile());
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("KUBECTL_EXTERNAL_DIFF");
        return pb;
    }
}
