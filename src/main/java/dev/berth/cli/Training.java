package dev.berth.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The launcher's training run for the class-data-sharing archive: runs typical commands in one
 * JVM (plan, and as root the state and image paths against a throwaway root) so their classes
 * are archived and later starts map them instead of loading them.
 */
public final class Training {
    private Training() {}

    public static void main(String[] args) throws IOException {
        PrintWriter quiet = new PrintWriter(OutputStream.nullOutputStream());
        Path scratch = Files.createTempDirectory("berth-training-");
        try {
            String root = scratch.resolve("root").toString();
            String runroot = scratch.resolve("run").toString();
            String[][] commands = {
                {"kube", "plan", args.length > 0 ? args[0] : "manifests"},
                {"--root", root, "--runroot", runroot, "ps", "-a"},
                {"--root", root, "--runroot", runroot, "image", "ls"},
                {"--root", root, "--runroot", runroot, "run", "--rm", "training-image-that-does-not-exist", "true"},
                {"--root", root, "--runroot", runroot, "system", "check"},
                {"--root", root, "--runroot", runroot, "kube", "generate", "training-pod-that-does-not-exist"},
            };
            for (String[] command : commands) {
                Main.run(quiet, quiet, new ByteArrayInputStream(new byte[0]), command);
            }
        } finally {
            try (Stream<Path> files = Files.walk(scratch)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
