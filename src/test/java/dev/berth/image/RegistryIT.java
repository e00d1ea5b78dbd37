package dev.berth.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.api.Json;
import dev.berth.testing.BerthRoot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** {@code berth image pull} from Debian's docker-registry, run by the test on 127.0.0.1. */
class RegistryIT {
    /** A registry of the test's own: its storage in the test's directory, a free loopback port. */
    static final class Registry implements AutoCloseable {
        final Path storage;
        final String address;
        final Process process;
        final HttpClient http = HttpClient.newHttpClient();

        Registry(Path dir) throws Exception {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/docker-registry")), "Debian's docker-registry is not installed");
            storage = Files.createDirectories(dir.resolve("registry"));
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            address = "127.0.0.1:" + port;
            Path config = Files.writeString(dir.resolve("registry.yml"), """
                    version: 0.1
                    log: {level: error}
                    storage: {filesystem: {rootdirectory: %s}}
                    http: {addr: "%s"}
                    """.formatted(storage, address));
            process = new ProcessBuilder("/usr/bin/docker-registry", "serve", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
            for (int i = 0; i < 100; i++) {
                try (Socket ignored = new Socket("127.0.0.1", port)) {
                    return;
                } catch (IOException notYet) {
                    TimeUnit.MILLISECONDS.sleep(100);
                }
            }
            throw new IllegalStateException("the registry did not start: " + Files.readString(dir.resolve("registry.log")));
        }

        /** Uploads a blob (monolithic POST + PUT); returns its digest. */
        String push(String repo, byte[] blob) throws Exception {
            String digest = Digest.of(blob).toString();
            HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/v2/" + repo + "/blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(start.statusCode()).as(start.body()).isEqualTo(202);
            String location = start.headers().firstValue("Location").orElseThrow();
            URI upload = URI.create("http://" + address).resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + digest);
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(upload).header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            return digest;
        }

        String manifest(String repo, String tag, String mediaType, byte[] body) throws Exception {
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/v2/" + repo + "/manifests/" + tag))
                    .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            return Digest.of(body).toString();
        }

        /** Where the registry keeps a blob's bytes. */
        Path blobData(String digest) {
            String hex = digest.substring("sha256:".length());
            return storage.resolve("docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** The sample image pushed as one gzip layer; returns the manifest's digest and the layer's digest. */
    static String[] pushSample(Registry r, String repo, String tag, String manifestType) throws Exception {
        byte[] tar = Files.readAllBytes(BerthRoot.sampleTar());
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar);
        }
        byte[] layer = gz.toByteArray();
        String layerDigest = r.push(repo, layer);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put("config", Map.of("Env", List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), "Cmd", List.of("sh")));
        config.put("rootfs", Map.of("type", "layers", "diff_ids", List.of(Digest.of(tar).toString())));
        byte[] configBytes = Json.write(config).getBytes(StandardCharsets.UTF_8);
        String configDigest = r.push(repo, configBytes);
        boolean oci = manifestType.equals(RegistryClient.OCI_MANIFEST);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", manifestType);
        manifest.put("config", Map.of("mediaType", oci ? "application/vnd.oci.image.config.v1+json" : "application/vnd.docker.container.image.v1+json",
                "digest", configDigest, "size", configBytes.length));
        manifest.put("layers", List.of(Map.of("mediaType", oci ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "digest", layerDigest, "size", layer.length)));
        byte[] body = Json.write(manifest).getBytes(StandardCharsets.UTF_8);
        return new String[] {r.manifest(repo, tag, manifestType, body), layerDigest, Integer.toString(body.length)};
    }

    @Test
    void anImageIsPulledByTagAndFromAnIndexAndRunsAndItsLayersAreNotFetchedTwice() throws Exception {
        try (BerthRoot b = new BerthRoot(); Registry r = new Registry(b.dir)) {
            String[] pushed = pushSample(r, "sample", "1.0", RegistryClient.DOCKER_MANIFEST);
            String name = r.address + "/sample:1.0";
            BerthRoot.Run pull = b.berth("image", "pull", "--tls-verify=false", name);
            assertThat(pull.code()).as(pull.err()).isZero();
            assertThat(pull.out()).contains("pulling").containsPattern("(?m)^[0-9a-f]{64}$");
            assertThat(b.berth("run", "--rm", name, "echo", "pulled").ok().out()).isEqualTo("pulled\n");

            // an OCI index naming the same manifest for linux/amd64 (and another platform first)
            Map<String, Object> index = Map.of("schemaVersion", 2, "mediaType", RegistryClient.OCI_INDEX, "manifests", List.of(
                    Map.of("mediaType", RegistryClient.DOCKER_MANIFEST, "digest", pushed[0], "size", Integer.parseInt(pushed[2]),
                            "platform", Map.of("os", "linux", "architecture", "arm64")),
                    Map.of("mediaType", RegistryClient.DOCKER_MANIFEST, "digest", pushed[0], "size", Integer.parseInt(pushed[2]),
                            "platform", Map.of("os", "linux", "architecture", "amd64"))));
            r.manifest("sample", "multi", RegistryClient.OCI_INDEX, Json.write(index).getBytes(StandardCharsets.UTF_8));
            BerthRoot.Run again = b.berth("image", "pull", "--tls-verify=false", r.address + "/sample:multi");
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(again.out()).contains("already in the store").doesNotContain("pulling");
            assertThat(b.berth("image", "ls").ok().out()).contains(r.address + "/sample", "1.0", "multi");

            BerthRoot.Run missing = b.berth("image", "pull", "--tls-verify=false", r.address + "/sample:nope");
            assertThat(missing.code()).isEqualTo(1);
            assertThat(missing.err()).contains("sample nope: not found in the registry");
            BerthRoot.Run tls = b.berth("image", "pull", name.replace("1.0", "2.0"));
            assertThat(tls.code()).isNotZero();
            assertThat(tls.err()).contains("--tls-verify=false");
        }
    }

    @Test
    void aBlobThatDoesNotMatchItsDigestIsRefusedAndNothingOfItIsKept() throws Exception {
        try (BerthRoot b = new BerthRoot(); Registry r = new Registry(b.dir)) {
            String[] pushed = pushSample(r, "broken", "1", RegistryClient.OCI_MANIFEST);
            byte[] data = Files.readAllBytes(r.blobData(pushed[1]));
            data[data.length / 2] ^= 0x55;
            Files.write(r.blobData(pushed[1]), data);
            BerthRoot.Run pull = b.berth("image", "pull", "--tls-verify=false", r.address + "/broken:1");
            assertThat(pull.code()).isNotZero();
            assertThat(pull.err()).contains("blob " + pushed[1]).contains("nothing of it was kept");
            assertThat(b.berth("image", "ls", "--format", "json").ok().out().strip()).isEqualTo("[]");
            try (var left = Files.list(b.root.resolve("tmp"))) {
                assertThat(left.toList()).isEmpty();
            }
            if (Files.exists(b.root.resolve("layers"))) {
                try (var layers = Files.list(b.root.resolve("layers"))) {
                    assertThat(layers.toList()).isEmpty();
                }
            }
        }
    }

    @Test
    void kubePlayPullsWhatItsPodsNeedAsTheirImagePullPolicySays() throws Exception {
        try (BerthRoot b = new BerthRoot()) {
            try (Registry r = new Registry(b.dir)) {
                pushSample(r, "sample", "1.0", RegistryClient.OCI_MANIFEST);
                String pod = """
                        apiVersion: v1
                        kind: Pod
                        metadata: {name: pulled}
                        spec:
                          restartPolicy: Never
                          containers:
                            - {name: c, image: %s, imagePullPolicy: %s, command: ["sh", "-c", "echo from the registry; sleep 1000"]}
                        """;
                Path never = Files.writeString(b.dir.resolve("never.yaml"), pod.formatted(r.address + "/sample:1.0", "Never"));
                BerthRoot.Run refused = b.berth("kube", "play", "--tls-verify=false", never.toString());
                assertThat(refused.code()).isEqualTo(1);
                assertThat(refused.err()).contains("is not in berth's store");
                assertThat(b.berth("pod", "ps", "--format", "json").ok().out().strip()).isEqualTo("[]");

                Path m = Files.writeString(b.dir.resolve("pod.yaml"), pod.formatted(r.address + "/sample:1.0", "IfNotPresent"));
                try {
                    BerthRoot.Run play = b.berth("kube", "play", "--tls-verify=false", m.toString());
                    assertThat(play.code()).as(play.err()).isZero();
                    assertThat(play.out()).contains("Image/" + r.address + "/sample:1.0  pulled");
                    assertThat(b.berth("logs", "pulled-c").ok().out()).isEqualTo("from the registry\n");
                } finally {
                    b.berth("kube", "down", "--timeout", "1", m.toString()).ok();
                }
            }
            b.assertNothingLeft(); // the registry is gone too
        }
    }
}
