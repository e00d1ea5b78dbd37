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
        static final String PASSWORD = "s3cret-Pw";
        final Path storage;
        final String address;
        final Process process;
        final HttpClient http = HttpClient.newHttpClient();

        final Path dir;

        Registry(Path dir) throws Exception {
            this(dir, Files.createDirectories(dir.resolve("registry")), "plain", "");
        }

        /**
         * A second registry on the same storage, over TLS (a self-signed certificate for 127.0.0.1,
         * kept as {@code certs/ADDRESS/ca.crt}) and with htpasswd auth ({@code alice}, {@link #PASSWORD}).
         */
        Registry secure() throws Exception {
            return secure("");
        }

        /** {@link #secure()} with more of distribution's {@code http.tls} settings ({@code clientcas: [FILE]}). */
        Registry secure(String tlsExtra) throws Exception {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")) && Files.isExecutable(Path.of("/usr/bin/htpasswd")),
                    "openssl and htpasswd (apache2-utils) are needed");
            Path tls = Files.createDirectories(dir.resolve("tls"));
            run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", tls.resolve("key.pem").toString(), "-out", tls.resolve("cert.pem").toString());
            Files.writeString(tls.resolve("htpasswd"), run(dir, "htpasswd", "-Bbn", "alice", PASSWORD));
            String extra = """
                    auth: {htpasswd: {realm: berth-test, path: %s}}
                    """.formatted(tls.resolve("htpasswd"));
            return new Registry(dir, storage, "secure" + (tlsExtra.isEmpty() ? "" : "-mtls"), extra + "tls: {certificate: %s, key: %s%s}"
                    .formatted(tls.resolve("cert.pem"), tls.resolve("key.pem"), tlsExtra.isEmpty() ? "" : ", " + tlsExtra));
        }

        /** The directory to give as --cert-dir, as podman reads it: ca.crt is this registry's certificate. */
        Path certDir() throws IOException {
            Path d = Files.createDirectories(dir.resolve("certs"));
            Files.copy(dir.resolve("tls/cert.pem"), d.resolve("ca.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return d;
        }

        private Registry(Path dir, Path storage, String name, String extra) throws Exception {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/docker-registry")), "Debian's docker-registry is not installed");
            this.dir = dir;
            this.storage = storage;
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            address = "127.0.0.1:" + port;
            String auth = extra.contains("auth:") ? extra.substring(0, extra.indexOf("tls:")) : "";
            String tls = extra.contains("tls:") ? ", " + extra.substring(extra.indexOf("tls:")) : "";
            Path config = Files.writeString(dir.resolve(name + "-registry.yml"), """
                    version: 0.1
                    log: {level: error}
                    storage: {filesystem: {rootdirectory: %s}}
                    %s
                    http: {addr: "%s"%s}
                    """.formatted(storage, auth.strip(), address, tls.strip().isEmpty() ? "" : tls));
            Path log = dir.resolve(name + "-registry.log");
            process = new ProcessBuilder("/usr/bin/docker-registry", "serve", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            for (int i = 0; i < 100; i++) {
                try (Socket ignored = new Socket("127.0.0.1", port)) {
                    return;
                } catch (IOException notYet) {
                    TimeUnit.MILLISECONDS.sleep(100);
                }
            }
            process.destroyForcibly();
            throw new IllegalStateException("the registry did not start: " + Files.readString(log));
        }

        static String run(Path dir, String... argv) throws Exception {
            Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(String.join(" ", argv)).isZero();
            return out;
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
            BerthRoot.Run arm = b.berth("image", "pull", "--tls-verify=false", "--platform", "linux/s390x", r.address + "/sample:multi");
            assertThat(arm.code()).isEqualTo(125);
            assertThat(arm.err()).contains("has no linux/s390x variant");
            BerthRoot.Run again = b.berth("image", "pull", "--tls-verify=false", r.address + "/sample:multi");
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(again.out()).contains("already in the store").doesNotContain("pulling");
            assertThat(b.berth("image", "ls").ok().out()).contains(r.address + "/sample", "1.0", "multi");

            BerthRoot.Run missing = b.berth("image", "pull", "--tls-verify=false", r.address + "/sample:nope");
            assertThat(missing.code()).isEqualTo(125);
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
                assertThat(refused.code()).isEqualTo(125);
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

    @Test
    void anImageIsPulledByDigestThroughSearchRegistriesAndMirrorsAndIsTaggedAndPruned() throws Exception {
        try (BerthRoot b = new BerthRoot(); Registry r = new Registry(b.dir)) {
            String[] pushed = pushSample(r, "sample", "1.0", RegistryClient.OCI_MANIFEST);
            String byDigest = r.address + "/sample@" + pushed[0];
            BerthRoot.Run pull = b.berth("image", "pull", "--tls-verify=false", byDigest);
            assertThat(pull.code()).as(pull.err()).isZero();
            assertThat(b.berth("run", "--rm", byDigest, "echo", "by digest").ok().out()).isEqualTo("by digest\n");
            assertThat(b.berth("image", "ls", "--digests").ok().out()).contains(pushed[0]);
            b.berth("image", "rm", byDigest).ok();
            BerthRoot.Run json = b.berth("--format", "json", "image", "pull", "--tls-verify=false", byDigest);
            assertThat(json.code()).as(json.err()).isZero();
            List<String> lines = json.out().lines().toList();
            var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            var schema = com.networknt.schema.JsonSchemaFactory.getInstance(com.networknt.schema.SpecVersion.VersionFlag.V202012)
                    .getSchema(mapper.readTree(Path.of("schemas/pull-event.schema.json").toFile()));
            for (String event : lines.subList(0, lines.size() - 1)) {
                assertThat(schema.validate(mapper.readTree(event))).as(event).isEmpty();
            }
            assertThat(lines).hasSize(4).anyMatch(l -> l.contains("\"event\":\"done\"") && l.contains(pushed[1]));
            assertThat(Json.parseObject(lines.get(3))).containsKey("Id");
            BerthRoot.Run wrong = b.berth("image", "pull", "--tls-verify=false", r.address + "/sample@sha256:" + "0".repeat(64));
            assertThat(wrong.code()).isEqualTo(125);
            assertThat(wrong.err()).contains("not found in the registry");

            // a short name through registries.conf: the search registry, insecure there; then a mirror
            Path conf = Files.writeString(b.dir.resolve("registries.conf"), """
                    unqualified-search-registries = ["registry.invalid", "%1$s"]
                    [[registry]]
                    location = "%1$s"
                    insecure = true
                    [[registry]]
                    prefix = "registry.invalid"
                    location = "registry.invalid"
                    [[registry.mirror]]
                    location = "%1$s"
                    insecure = true
                    """.formatted(r.address));
            BerthRoot.Run shortName = b.berth("image", "pull", "--registries-conf", conf.toString(), "sample:1.0");
            assertThat(shortName.code()).as(shortName.err()).isZero();
            assertThat(shortName.out()).contains("Pulling registry.invalid/sample:1.0"); // found on the mirror of the first search registry
            assertThat(b.berth("image", "inspect", "registry.invalid/sample:1.0").ok().out()).contains(pushed[0]);
            assertThat(b.berth("run", "--rm", "sample:1.0", "echo", "by its short name").ok().out()).isEqualTo("by its short name\n");

            assertThat(b.berth("image", "tag", byDigest, "mine:2").code()).isZero();
            assertThat(b.berth("run", "--rm", "mine:2", "true").code()).isZero();
            assertThat(b.berth("image", "rm", "localhost/mine:2").code()).isZero(); // a name of several: only the name
            assertThat(b.berth("image", "ls").ok().out()).doesNotContain("localhost/mine").contains("registry.invalid/sample");
            BerthRoot.Run prune = b.berth("image", "prune", "-a");
            assertThat(prune.ok().out().strip()).matches("[0-9a-f]{64}");
            assertThat(b.berth("image", "ls", "--format", "json").ok().out().strip()).isEqualTo("[]");
            assertThat(Files.list(b.root.resolve("layers")).toList()).isEmpty();
        }
    }

    @Test
    void aRegistryWithTlsAndAPasswordIsLoggedInToAndPulledFromWithCredentialsOrAPodsPullSecret() throws Exception {
        try (BerthRoot b = new BerthRoot(); Registry plain = new Registry(b.dir); Registry r = plain.secure()) {
            pushSample(plain, "private", "1.0", RegistryClient.DOCKER_MANIFEST);
            String name = r.address + "/private:1.0";
            String certs = r.certDir().toString();
            String auth = b.dir.resolve("auth.json").toString();
            BerthRoot.Run anonymous = b.berth("image", "pull", "--cert-dir", certs, "--authfile", auth, name);
            assertThat(anonymous.code()).isEqualTo(125);
            assertThat(anonymous.err()).contains("access denied (401)").contains("berth login " + r.address);
            BerthRoot.Run untrusted = b.berth("image", "pull", "--authfile", auth, name);
            assertThat(untrusted.code()).isNotZero();
            assertThat(untrusted.err()).contains("the registry's certificate is not trusted").contains("--cert-dir").contains("--tls-verify=false")
                    .doesNotContain("a registry without TLS");

            BerthRoot.Run wrong = b.berth("login", "--cert-dir", certs, "--authfile", auth, "-u", "alice", "-p", "not-" + Registry.PASSWORD, r.address);
            assertThat(wrong.code()).isEqualTo(125);
            assertThat(wrong.err()).contains("the credentials were refused").doesNotContain(Registry.PASSWORD);
            assertThat(Files.exists(Path.of(auth))).isFalse();
            BerthRoot.Run login = b.berth("login", "--cert-dir", certs, "--authfile", auth, "-u", "alice", "-p", Registry.PASSWORD, r.address);
            assertThat(login.code()).as(login.err()).isZero();
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(auth)))).isEqualTo("rw-------");
            BerthRoot.Run pull = b.berth("image", "pull", "--cert-dir", certs, "--authfile", auth, name);
            assertThat(pull.code()).as(pull.err()).isZero();
            assertThat(pull.out() + pull.err()).doesNotContain(Registry.PASSWORD);
            assertThat(b.berth("image", "rm", name).code()).isZero();

            // --tls-verify=false speaks TLS without checking the certificate, as podman does (it fell back to plain http and got 400)
            BerthRoot.Run unverified = b.berth("image", "pull", "--tls-verify=false", "--authfile", auth, name);
            assertThat(unverified.code()).as(unverified.err()).isZero();
            assertThat(b.berth("image", "rm", name).code()).isZero();
            assertThat(b.berth("login", "--tls-verify=false", "--authfile", auth, "-u", "alice", "-p", Registry.PASSWORD, r.address).code()).isZero();
            if (Files.isExecutable(Path.of("/usr/bin/podman"))) {
                assertThat(podmanPull(b.dir, "--tls-verify=false", "--authfile", auth, name)).isZero();
                assertThat(podmanPull(b.dir, "--cert-dir", certs, "--authfile", auth, name)).isZero();
            }
            assertThat(b.berth("logout", "--authfile", auth, r.address).ok().out()).contains("Removed login credentials for " + r.address);

            // a pod's imagePullSecrets, and no auth file at all
            String dockerConfig = Json.write(Map.of("auths", Map.of(r.address, Map.of("auth",
                    java.util.Base64.getEncoder().encodeToString(("alice:" + Registry.PASSWORD).getBytes(StandardCharsets.UTF_8))))));
            Path m = Files.writeString(b.dir.resolve("private.yaml"), """
                    apiVersion: v1
                    kind: Secret
                    metadata: {name: regcred}
                    type: kubernetes.io/dockerconfigjson
                    data: {.dockerconfigjson: %s}
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: private}
                    spec:
                      restartPolicy: Never
                      imagePullSecrets: [{name: regcred}]
                      containers:
                        - {name: c, image: %s, command: ["sh", "-c", "echo pulled with a secret; sleep 1000"]}
                    """.formatted(java.util.Base64.getEncoder().encodeToString(dockerConfig.getBytes(StandardCharsets.UTF_8)), name));
            try {
                BerthRoot.Run play = b.berth("kube", "play", "--cert-dir", certs, "--authfile", auth, m.toString());
                assertThat(play.code()).as(play.err()).isZero();
                assertThat(play.out() + play.err()).doesNotContain(Registry.PASSWORD).doesNotContain(dockerConfig);
                assertThat(b.berth("logs", "private-c").ok().out()).isEqualTo("pulled with a secret\n");
                assertThat(b.berth("kube", "generate", "private").ok().out()).contains("imagePullSecrets:").contains("name: regcred");
            } finally {
                b.berth("kube", "down", "--timeout", "1", m.toString()).ok();
            }
        }
    }

    /** Debian's podman pulling into a vfs store of its own under {@code dir}; its exit code. */
    static int podmanPull(Path dir, String... args) throws Exception {
        Path store = dir.resolve("podman-" + java.util.UUID.randomUUID().toString().substring(0, 6));
        List<String> argv = new java.util.ArrayList<>(List.of("podman", "--root", store.resolve("root").toString(), "--runroot",
                store.resolve("run").toString(), "--storage-driver", "vfs", "pull", "-q"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(store.resolveSibling(store.getFileName() + ".log").toFile()).start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("podman pull").isTrue();
            return p.exitValue();
        } finally {
            p.destroyForcibly();
            dev.berth.image.LayerUnpacker.deleteTree(store);
        }
    }

    @Test
    void aRegistryThatAsksForAClientCertificateGetsTheOneInCertDir() throws Exception {
        try (BerthRoot b = new BerthRoot(); Registry plain = new Registry(b.dir)) {
            pushSample(plain, "mtls", "1.0", RegistryClient.DOCKER_MANIFEST);
            Path certs = Files.createDirectories(b.dir.resolve("client-certs"));
            Path ca = b.dir.resolve("client-ca");
            Files.createDirectories(ca);
            // a CA for clients, and a client certificate it signed whose key is PKCS#1 ("BEGIN RSA PRIVATE KEY")
            Registry.run(ca, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=clients",
                    "-keyout", "ca.key", "-out", "ca.pem");
            Registry.run(ca, "openssl", "genrsa", "-traditional", "-out", "client.key", "2048");
            Registry.run(ca, "openssl", "req", "-new", "-key", "client.key", "-subj", "/CN=berth", "-out", "client.csr");
            Registry.run(ca, "openssl", "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                    "-days", "2", "-out", "client.cert");
            assertThat(Files.readString(ca.resolve("client.key"))).contains("BEGIN RSA PRIVATE KEY");
            try (Registry r = plain.secure("clientcas: [%s]".formatted(ca.resolve("ca.pem")))) {
                Files.copy(r.certDir().resolve("ca.crt"), certs.resolve("ca.crt"));
                String name = r.address + "/mtls:1.0";
                String auth = b.dir.resolve("auth.json").toString();
                assertThat(b.berth("login", "--cert-dir", r.certDir().toString(), "--authfile", auth, "-u", "alice", "-p", Registry.PASSWORD, r.address).code())
                        .as("without a client certificate").isNotZero();
                Files.copy(ca.resolve("client.cert"), certs.resolve("client.cert"));
                Files.copy(ca.resolve("client.key"), certs.resolve("client.key"));
                BerthRoot.Run login = b.berth("login", "--cert-dir", certs.toString(), "--authfile", auth, "-u", "alice", "-p", Registry.PASSWORD, r.address);
                assertThat(login.code()).as(login.err()).isZero();
                BerthRoot.Run pull = b.berth("image", "pull", "--cert-dir", certs.toString(), "--authfile", auth, name);
                assertThat(pull.code()).as(pull.err()).isZero();
                Files.delete(certs.resolve("client.key"));
                BerthRoot.Run noKey = b.berth("image", "pull", "--cert-dir", certs.toString(), "--authfile", auth, name);
                assertThat(noKey.err()).contains("client certificate " + certs.resolve("client.cert") + " has no key client.key beside it");
            }
        }
    }

    @Test
    void aPullSurvivesA429AndABrokenConnectionAndAfterKill9TheNextPullCompletes() throws Exception {
        try (BerthRoot b = new BerthRoot(); Registry r = new Registry(b.dir); FaultyProxy proxy = new FaultyProxy(r.address, true)) {
            String[] pushed = pushSample(r, "sample", "1.0", RegistryClient.OCI_MANIFEST);
            BerthRoot.Run pull = b.berth("image", "pull", "--tls-verify=false", proxy.address + "/sample:1.0");
            assertThat(pull.code()).as(pull.err()).isZero();
            assertThat(proxy.requests.stream().filter(l -> l.contains("/manifests/1.0")).count()).as("asked again after the 429").isEqualTo(2);
            assertThat(proxy.requests).anyMatch(l -> l.contains("/blobs/" + pushed[1]) && l.contains("Range: bytes=")); // resumed, not started over
            assertThat(b.berth("run", "--rm", proxy.address + "/sample:1.0", "echo", "whole").ok().out()).isEqualTo("whole\n");
            b.berth("image", "rm", proxy.address + "/sample:1.0").ok();

            // kill -9 in the middle of a slow pull: nothing recorded, and the next pull completes
            try (FaultyProxy slow = new FaultyProxy(r.address, false)) {
                slow.throttle.set(true);
                Process p = new ProcessBuilder(b.processArgv("image", "pull", "--tls-verify=false", slow.address + "/sample:1.0"))
                        .redirectErrorStream(true).redirectOutput(b.dir.resolve("killed-pull.log").toFile()).start();
                try {
                    for (int i = 0; i < 300 && slow.blobBytesSent.get() < 200_000; i++) {
                        TimeUnit.MILLISECONDS.sleep(50);
                    }
                    assertThat(slow.blobBytesSent.get()).as(Files.readString(b.dir.resolve("killed-pull.log"))).isGreaterThanOrEqualTo(200_000);
                } finally {
                    p.destroyForcibly().waitFor(); // SIGKILL
                }
                assertThat(b.berth("image", "ls", "--format", "json").ok().out().strip()).isEqualTo("[]");
                slow.throttle.set(false);
                BerthRoot.Run again = b.berth("image", "pull", "--tls-verify=false", slow.address + "/sample:1.0");
                assertThat(again.code()).as(again.err()).isZero();
                assertThat(b.berth("run", "--rm", slow.address + "/sample:1.0", "echo", "after kill").ok().out()).isEqualTo("after kill\n");
                try (var left = Files.list(b.root.resolve("tmp"))) {
                    assertThat(left.toList()).isEmpty();
                }
            }
        }
    }

    @Test
    void theRealSoftwareSamplePlaysFromARegistryInReadinessOrderAndAnswersFromTheHost() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/mmdebstrap")) && Files.isExecutable(Path.of("/usr/bin/skopeo")),
                "mmdebstrap and skopeo are needed (.ci/test installs them)");
        try (BerthRoot b = new BerthRoot()) {
            Path layout = b.dir.resolve("layout");
            script("samples/real/build", layout.toString());
            int hostPort;
            try (ServerSocket s = new ServerSocket(0)) {
                hostPort = s.getLocalPort();
            }
            Path app = Files.writeString(b.dir.resolve("app.yaml"), Files.readString(Path.of("samples/real/app.yaml"))
                    .replace("hostPort: 8089", "hostPort: " + hostPort));
            try (Registry r = new Registry(b.dir)) {
                script("samples/real/push", layout.toString(), r.address);
                Path conf = Files.writeString(b.dir.resolve("registries.conf"), """
                        [[registry]]
                        prefix = "registry.berth.test"
                        location = "registry.berth.test"
                        [[registry.mirror]]
                        location = "%s"
                        insecure = true
                        """.formatted(r.address));
                try {
                    BerthRoot.Run play = b.berth("kube", "play", "--registries-conf", conf.toString(), app.toString());
                    assertThat(play.code()).as(play.out() + play.err()).isZero();
                    String out = play.out();
                    assertThat(out.indexOf("Container/redis-0/redis  ready")).isPositive().isLessThan(out.indexOf("Container/web/renderer  starting"));
                    assertThat(out.indexOf("Container/web/renderer  ready")).isPositive().isLessThan(out.indexOf("Container/web/nginx  starting"));
                    HttpResponse<String> page = r.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hostPort + "/")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(page.body()).isEqualTo("hello from redis, through nginx\n");

                    // the same nginx from a multi-platform index: its amd64 manifest, nothing fetched again
                    BerthRoot.Run multi = b.berth("image", "pull", "--tls-verify=false", r.address + "/real/nginx:multi");
                    assertThat(multi.code()).as(multi.err()).isZero();
                    assertThat(multi.out()).contains("already in the store").doesNotContain("pulling");
                    assertThat(b.berth("image", "inspect", "registry.berth.test/real/nginx:1.22").ok().out())
                            .contains(r.address + "/real/nginx:multi");
                } finally {
                    b.berth("kube", "down", "--timeout", "1", app.toString()).ok();
                }
            }
            b.assertNothingLeft();
        }
    }

    private static void script(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).inheritIO().start();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as(argv[0] + " finished").isTrue();
        assertThat(p.exitValue()).as(argv[0]).isZero();
    }
}
