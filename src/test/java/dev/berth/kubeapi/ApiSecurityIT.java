package dev.berth.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.testing.BerthRoot;
import dev.berth.testing.KubeClients;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * Who gets in: only a client with this root's client certificate. Without one, 401 and a Status;
 * with another root's, the TLS handshake fails. The keys are private to root, and a merged
 * kubeconfig is mode 0600 and keeps the contexts it had.
 */
class ApiSecurityIT {
    @Test
    void onlyThisRootsClientCertificateGetsIn() throws Exception {
        try (BerthRoot b = new BerthRoot(); BerthRoot other = new BerthRoot()) {
            b.berth("api", "start").ok();
            String url = "https://127.0.0.1:" + Files.readString(b.root.resolve("api/port")).strip();
            ApiCertificates mine = ApiCertificates.ensure(b.root.resolve("api"));

            HttpClient anonymous = HttpClient.newBuilder().sslContext(trusting(mine)).connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> denied = anonymous.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/namespaces/default/secrets")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(denied.statusCode()).isEqualTo(401);
            assertThat(denied.body()).contains("\"kind\":\"Status\"", "\"reason\":\"Unauthorized\"");

            HttpClient stranger = HttpClient.newBuilder().sslContext(ApiCertificates.ensure(other.root.resolve("api")).clientContext())
                    .connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> stranger.send(HttpRequest.newBuilder(URI.create(url + "/version")).build(), HttpResponse.BodyHandlers.ofString()))
                    .as("another root's client certificate, and another root's CA the server's certificate does not chain to")
                    .isInstanceOf(IOException.class);

            HttpClient client = HttpClient.newBuilder().sslContext(mine.clientContext()).build();
            assertThat(client.send(HttpRequest.newBuilder(URI.create(url + "/version")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);

            assertThat(b.berth("api", "status").ok().out()).startsWith("Serving the Kubernetes API on " + url + " (pid ");
            assertThat(b.berth("api", "stop").ok().out()).isEqualTo("Stopped serving the Kubernetes API\n");
            assertThat(b.berth("api", "status").ok().out()).startsWith("Not serving the Kubernetes API");
            assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(URI.create(url + "/version")).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(b.root.resolve("api")))).isEqualTo("rwx------");
            for (String key : new String[] {"ca.key", "server.key", "client.key"}) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(b.root.resolve("api").resolve(key)))).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void kubeconfigMergeKeepsTheOtherContextsAndIsPrivate() throws Exception {
        try (BerthRoot b = new BerthRoot()) {
            b.berth("api", "start").ok();
            Path config = b.dir.resolve("kube/config");
            Files.createDirectories(config.getParent());
            Files.writeString(config, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - cluster: {server: "https://prod.example:6443"}
                      name: prod
                    users:
                    - name: prod
                      user: {token: abc}
                    contexts:
                    - context: {cluster: prod, user: prod}
                      name: prod
                    current-context: prod
                    """);
            ProcessBuilder merge = new ProcessBuilder(b.processArgv("api", "kubeconfig", "--merge")).redirectErrorStream(true);
            merge.environment().put("KUBECONFIG", config.toString());
            Process p = merge.start();
            String said = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(said).isZero();
            assertThat(said).contains("Context \"berth\"", "merged into " + config);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");

            KubeClients k = new KubeClients(b);
            Path kubectl = KubeClients.binary("v35/kubectl");
            String contexts = k.run(kubectl, "--kubeconfig", config.toString(), "config", "get-contexts", "-o", "name").ok().out();
            assertThat(contexts.lines().sorted().toList()).containsExactly("berth", "prod");
            assertThat(k.run(kubectl, "--kubeconfig", config.toString(), "config", "current-context").ok().out().strip()).isEqualTo("berth");
            assertThat(k.run(kubectl, "--kubeconfig", config.toString(), "get", "ns", "default").ok().out()).containsPattern("default +Active");
            assertThat(k.run(kubectl, "--kubeconfig", config.toString(), "config", "view", "--raw", "-o", "jsonpath={.users[?(@.name==\"prod\")].user.token}")
                    .ok().out()).isEqualTo("abc");
        }
    }

    /** Trusts the root's CA, and presents no certificate of its own. */
    private static SSLContext trusting(ApiCertificates certificates) throws Exception {
        KeyStore trust = certificates.trustStore();
        TrustManagerFactory tm = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tm.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tm.getTrustManagers(), null);
        return context;
    }
}
