package dev.berth.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
            exerciseWhatCommandsStopShortOf(args, quiet);
            exerciseTheApi(scratch.resolve("api-root"), scratch.resolve("api-run"));
        } finally {
            try (Stream<Path> files = Files.walk(scratch)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * What the commands above stop short of without real pods and containers: pods generated back
     * as YAML, a container's OCI config with the default seccomp filter, JNA's libc. Best effort:
     * the archive is written whatever fails here (as an ordinary user, say).
     */
    private static void exerciseWhatCommandsStopShortOf(String[] args, PrintWriter quiet) {
        try {
            String manifest = args.length > 0 ? Path.of(args[0], "demo.yaml").toString() : "manifests/demo.yaml";
            if (Files.exists(Path.of(manifest))) {
                var pods = new dev.berth.manifest.ManifestReader(InputStream.nullInputStream())
                        .read(List.of(manifest), dev.berth.manifest.ManifestReader.Options.DEFAULT).pods();
                quiet.print(dev.berth.generate.Generator.yaml(pods, pods,
                        new dev.berth.generate.Generator.Options("pod", 0, false)));
            }
            var extra = new dev.berth.runtime.OciConfig.Extra(null, true, true, Map.of(), 0, 0, 0, null,
                    dev.berth.runtime.Seccomp.runtimeDefault(dev.berth.runtime.OciConfig.DEFAULT_CAPABILITIES));
            quiet.print(dev.berth.runtime.OciConfig.json(new dev.berth.runtime.OciConfig.Spec(List.of("true"),
                    List.of("PATH=/bin"), "/", 0, 0, List.of(), "/", false, "training", dev.berth.runtime.OciConfig.ownNamespaces(), List.of(),
                    1024, extra), false));
            dev.berth.sys.Linux.isAlive((int) ProcessHandle.current().pid());
        } catch (RuntimeException e) {
            // fewer classes archived, no more
        }
    }

    /**
     * The Kubernetes API served for a moment from a throwaway root and asked a few things, so the
     * supervisor's JVM that serves it maps Jetty's, Jackson's and BouncyCastle's classes too.
     */
    private static void exerciseTheApi(Path root, Path runroot) {
        try (dev.berth.engine.Berth berth = dev.berth.engine.Berth.open(root, runroot, null);
                dev.berth.kubeapi.ApiServer server = dev.berth.kubeapi.ApiServer.start(berth, ApiHost.play(), line -> {}, () -> {})) {
            var context = dev.berth.kubeapi.ApiCertificates.ensure(berth.layout().api()).clientContext();
            var client = java.net.http.HttpClient.newBuilder().sslContext(context).build();
            for (String path : List.of("/version", "/api", "/apis", "/api/v1/namespaces/default/pods", "/openapi/v3/apis/apps/v1")) {
                client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + server.port() + path)).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding());
            }
        } catch (RuntimeException | IOException e) {
            // fewer classes archived, no more
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
