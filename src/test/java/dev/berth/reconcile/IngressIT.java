package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthRoot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code kube play --ingress-port}: berth's ingress pod routes host and path rules to Services, reached from the host. */
class IngressIT {
    private static final String APP = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: shop}
            spec:
              replicas: 2
              selector: {matchLabels: {app: shop}}
              template:
                metadata: {labels: {app: shop}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                    - name: web
                      image: localhost/berth-busybox:latest
                      command: [sh, -c, "mkdir -p /www && echo shop $(hostname) > /www/index.html && exec httpd -f -p 8080 -h /www"]
                      ports: [{containerPort: 8080}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: api, labels: {app: api}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
                - name: web
                  image: localhost/berth-busybox:latest
                  command: [sh, -c, "mkdir -p /www/api && echo api > /www/api/index.html && exec httpd -f -p 9000 -h /www"]
                  ports: [{containerPort: 9000}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: shop}
            spec:
              selector: {app: shop}
              ports: [{port: 80, targetPort: 8080}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: api}
            spec:
              selector: {app: api}
              ports: [{name: http, port: 8000, targetPort: 9000}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: shop}
            spec:
              ingressClassName: nginx
              defaultBackend: {service: {name: shop, port: {number: 80}}}
              rules:
                - host: shop.example.test
                  http:
                    paths:
                      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}
                      - {path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}
            """;

    @Test
    void hostAndPathRulesReachTheirServicesFromTheHostAndDownRemovesTheIngressPod() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path m = Files.writeString(b.dir.resolve("shop.yaml"), APP);
            int port = freePort();
            try {
                BerthRoot.Run plain = b.berth("kube", "plan", m.toString());
                assertThat(plain.err()).contains("Ingress/shop: accepted, not applied on one host: no ingress controller without --ingress-port");
                assertThat(plain.out()).containsPattern("Ingress/shop +not applied");

                BerthRoot.Run play = b.berth("kube", "play", "--ingress-port", Integer.toString(port), m.toString());
                assertThat(play.code()).as(play.out() + play.err()).isZero();
                assertThat(play.err()).isEmpty();
                assertThat(play.out()).contains("Container/berth-ingress/proxy  ready", "pod berth-ingress: created");

                assertThat(get(port, "shop.example.test", "/api/")).startsWith("HTTP/1.1 200").endsWith("api\n");
                assertThat(get(port, "shop.example.test", "/")).startsWith("HTTP/1.1 200").contains("shop shop-");
                assertThat(get(port, "elsewhere.test", "/")).as("the default backend").startsWith("HTTP/1.1 200").contains("shop shop-");
                assertThat(get(port, "elsewhere.test", "/api/")).as("rules are per host").startsWith("HTTP/1.1 404");
                assertThat(b.berth("logs", "berth-ingress-proxy").ok().out())
                        .contains("GET shop.example.test/api/ -> api.default.svc.cluster.local:8000 200");

                // replaying with the same port changes nothing; kube down without the flag finds the ingress pod
                assertThat(b.berth("kube", "play", "--ingress-port", Integer.toString(port), m.toString()).ok().out())
                        .contains("pod berth-ingress: unchanged");
                b.berth("kube", "down", "--timeout", "1", m.toString()).ok();
                assertThat(b.berth("pod", "ps").ok().out()).doesNotContain("berth-ingress");
            } finally {
                b.berth("kube", "down", "--timeout", "1", m.toString());
            }
            b.assertNothingLeft();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A GET with this Host header to 127.0.0.1:port, as curl -H 'Host: …' sends it; the whole response. */
    private static String get(int port, String host, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            s.getInputStream().transferTo(response);
            return response.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
