package dev.berth.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.api.Json;
import dev.berth.testing.BerthRoot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** A registry that sends what berth cannot use, or stalls: each refused with what was wrong and where, never as an internal error. */
class BadRegistryIT {
    /** Manifests by tag and blobs by digest, served as the distribution API does; blobs in {@link #stalling} send half of what is asked and stall. */
    static final class FakeRegistry implements AutoCloseable {
        final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
        final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
        final java.util.Set<String> stalling = ConcurrentHashMap.newKeySet();
        final CountDownLatch closing = new CountDownLatch(1);
        final ExecutorService pool = Executors.newCachedThreadPool();
        final HttpServer server;
        final String address;

        /** Over TLS with a self-signed certificate made here: {@code --tls-verify=false} speaks TLS to it without checking. */
        FakeRegistry(java.nio.file.Path dir) throws Exception {
            RegistryIT.Registry.run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-keyout", "fake.key", "-out", "fake.pem");
            RegistryIT.Registry.run(dir, "openssl", "pkcs12", "-export", "-in", "fake.pem", "-inkey", "fake.key", "-passout", "pass:pw", "-out", "fake.p12");
            java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(dir.resolve("fake.p12"))) {
                keys.load(in, "pw".toCharArray());
            }
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "pw".toCharArray());
            javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), null, null);
            com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
            server = https;
            server.setExecutor(pool);
            server.createContext("/v2/", this::handle);
            server.start();
            address = "127.0.0.1:" + server.getAddress().getPort();
        }

        String blob(byte[] b) {
            String digest = Digest.of(b).toString();
            blobs.put(digest, b);
            return digest;
        }

        private void handle(HttpExchange x) throws IOException {
            String path = x.getRequestURI().getPath();
            try (x) {
                if (path.equals("/v2/")) {
                    send(x, 200, "{}".getBytes(StandardCharsets.UTF_8), "application/json");
                } else if (path.contains("/manifests/")) {
                    byte[] m = manifests.get(path.substring(path.lastIndexOf('/') + 1));
                    send(x, m == null ? 404 : 200, m == null ? new byte[0] : m, RegistryClient.DOCKER_MANIFEST);
                } else {
                    String digest = path.substring(path.lastIndexOf('/') + 1);
                    byte[] b = blobs.get(digest);
                    if (b == null) {
                        send(x, 404, new byte[0], "text/plain");
                        return;
                    }
                    String range = x.getRequestHeaders().getFirst("Range");
                    int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-.*", "$1"));
                    if (!stalling.contains(digest)) {
                        send(x, 200, b, "application/octet-stream");
                        return;
                    }
                    x.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (b.length - 1) + "/" + b.length);
                    x.sendResponseHeaders(from > 0 ? 206 : 200, b.length - from);
                    OutputStream out = x.getResponseBody();
                    out.write(b, from, (b.length - from) / 2);
                    out.flush();
                    closing.await(5, TimeUnit.MINUTES); // stalls: the rest never comes
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static void send(HttpExchange x, int status, byte[] body, String type) throws IOException {
            x.getResponseHeaders().set("Content-Type", type);
            x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                x.getResponseBody().write(body);
            }
        }

        /** A manifest of one layer and a config listing {@code diffIds}; its tag. */
        String image(String tag, byte[] layer, List<String> diffIds) {
            byte[] config = Json.write(Map.of("architecture", "amd64", "os", "linux", "rootfs", Map.of("type", "layers", "diff_ids", diffIds)))
                    .getBytes(StandardCharsets.UTF_8);
            manifests.put(tag, Json.write(Map.of("schemaVersion", 2, "mediaType", RegistryClient.DOCKER_MANIFEST,
                    "config", Map.of("mediaType", "application/vnd.docker.container.image.v1+json", "digest", blob(config), "size", config.length),
                    "layers", List.of(Map.of("mediaType", "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest", blob(layer), "size", layer.length))))
                    .getBytes(StandardCharsets.UTF_8));
            return tag;
        }

        @Override
        public void close() {
            closing.countDown();
            server.stop(0);
            pool.shutdownNow();
        }
    }

    static byte[] gzippedSample() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(Files.readAllBytes(BerthRoot.sampleTar()));
        }
        return gz.toByteArray();
    }

    @Test
    void dataThatIsNotAManifestOrAConfigIsRefusedNamingTheRegistryAndTheImage() throws Exception {
        try (BerthRoot b = new BerthRoot(); FakeRegistry r = new FakeRegistry(b.dir)) {
            r.manifests.put("text", "this is not JSON".getBytes(StandardCharsets.UTF_8));
            r.manifests.put("array", "[1, 2]".getBytes(StandardCharsets.UTF_8));
            r.manifests.put("deep", ("{\"a\":".repeat(500) + "1" + "}".repeat(500)).getBytes(StandardCharsets.UTF_8));
            r.image("diffid", gzippedSample(), List.of("../../../../tmp/x"));
            for (String tag : List.of("text", "array", "deep", "diffid")) {
                BerthRoot.Run pull = b.berth("image", "pull", "--tls-verify=false", r.address + "/app:" + tag);
                assertThat(pull.code()).as(tag).isEqualTo(125);
                assertThat(pull.err()).as(tag).contains(r.address + "/app " + tag + ": the registry sent").contains("refused")
                        .doesNotContain("internal error").doesNotContain("Exception");
            }
            assertThat(b.berth("image", "pull", "--tls-verify=false", r.address + "/app:diffid").err()).contains("not a sha256 digest: ../../../../tmp/x");
            assertThat(Files.exists(java.nio.file.Path.of("/tmp/x"))).isFalse();
            assertThat(b.berth("image", "ls", "-q").ok().out()).isEmpty();
        }
    }

    @Test
    void aRegistryThatStallsIsReportedAsStalledWhileItWaitsAndAsTimedOutAtTheEnd() throws Exception {
        System.setProperty("berth.registry.stallMillis", "1000");
        try (BerthRoot b = new BerthRoot(); FakeRegistry r = new FakeRegistry(b.dir)) {
            byte[] layer = gzippedSample();
            r.image("1", layer, List.of(Digest.of(Files.readAllBytes(BerthRoot.sampleTar())).toString()));
            r.stalling.add(Digest.of(layer).toString());
            BerthRoot.Run pull = b.berth("image", "pull", "--tls-verify=false", r.address + "/app:1");
            assertThat(pull.code()).isEqualTo(125);
            assertThat(pull.out()).contains("nothing received for 1 s; asking again from byte").contains("(attempt 4 of 4)");
            assertThat(pull.err()).contains("timed out, nothing received for 1 s, 4 times; the last at byte").contains("of " + layer.length)
                    .doesNotContain("came as");
        } finally {
            System.clearProperty("berth.registry.stallMillis");
        }
    }

    @Test
    void aWholePullHasADeadlineUsersSet() throws Exception {
        try (BerthRoot b = new BerthRoot(); FakeRegistry r = new FakeRegistry(b.dir)) {
            byte[] layer = gzippedSample();
            r.image("1", layer, List.of(Digest.of(Files.readAllBytes(BerthRoot.sampleTar())).toString()));
            r.stalling.add(Digest.of(layer).toString());
            long start = System.nanoTime();
            BerthRoot.Run pull = b.berth("image", "pull", "--tls-verify=false", "--pull-timeout", "2", r.address + "/app:1");
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertThat(pull.code()).isEqualTo(125);
            assertThat(pull.err()).contains("did not finish within 2 s (--pull-timeout)");
            assertThat(seconds).as("well before a stall of 30 s is noticed").isLessThan(25);
            try (var left = Files.list(b.root.resolve("tmp"))) {
                assertThat(left.toList()).isEmpty();
            }
        }
    }
}
