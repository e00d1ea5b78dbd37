package dev.berth.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Route matching as Kubernetes defines it, and the proxy itself over loopback sockets. */
class IngressProxyTest {
    private static final List<Route> ROUTES = Route.parse("""
            shop.example.test / Prefix shop 80
            shop.example.test /api Prefix api 8080
            shop.example.test /api/health Exact health 8081
            *.example.test / Prefix wildcard 80
            * /static/ Prefix static 80
            * / Prefix default 80
            """);

    @Test
    void theMostSpecificHostThenAnExactPathThenTheLongestPrefixWins() {
        assertThat(backend("shop.example.test", "/")).isEqualTo("shop");
        assertThat(backend("shop.example.test", "/cart")).isEqualTo("shop");
        assertThat(backend("SHOP.example.test", "/api")).isEqualTo("api");
        assertThat(backend("shop.example.test", "/api/users")).isEqualTo("api");
        assertThat(backend("shop.example.test", "/apix")).as("prefixes match whole path elements").isEqualTo("shop");
        assertThat(backend("shop.example.test", "/api/health")).isEqualTo("health");
        assertThat(backend("shop.example.test", "/api/health/x")).isEqualTo("api");
        assertThat(backend("blog.example.test", "/x")).isEqualTo("wildcard");
        assertThat(backend("a.b.example.test", "/x")).as("a wildcard covers one label").isEqualTo("default");
        assertThat(backend("other.test", "/static")).isEqualTo("static");
        assertThat(backend("other.test", "/static/app.css")).isEqualTo("static");
        assertThat(backend("other.test", "/")).isEqualTo("default");
        assertThat(Route.match(ROUTES.subList(0, 3), "other.test", "/")).isNull();
        assertThat(Route.parse(Route.format(ROUTES))).isEqualTo(ROUTES);
    }

    private static String backend(String host, String path) {
        return Route.match(ROUTES, host, path).backend();
    }

    private final List<String> received = new CopyOnWriteArrayList<>();
    private ServerSocket backend;
    private ServerSocket proxy;

    @BeforeEach
    void start() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        backend = new ServerSocket(0, 50, loopback);
        Thread b = new Thread(() -> {
            while (!backend.isClosed()) {
                try (Socket s = backend.accept()) {
                    String head = head(s.getInputStream());
                    received.add(head);
                    String body = "backend saw " + head.lines().findFirst().orElse("");
                    s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                            .getBytes(StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    return;
                }
            }
        });
        b.setDaemon(true);
        b.start();
        int port = backend.getLocalPort();
        proxy = new ServerSocket(0, 50, loopback);
        ServerSocket unused = new ServerSocket(0, 50, loopback);
        int closedPort = unused.getLocalPort();
        unused.close();
        IngressProxy p = new IngressProxy(Route.parse("app.test / Prefix 127.0.0.1 " + port + "\napp.test /down Prefix 127.0.0.1 " + closedPort));
        Thread t = new Thread(() -> {
            try {
                p.serve(proxy);
            } catch (IOException e) {
                // closed by the test
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        backend.close();
    }

    @Test
    void aRequestIsForwardedWithConnectionCloseAndForwardedHeadersAndUnmatchedOrUnreachableOnesAreAnswered() throws IOException {
        assertThat(request("GET /shop?q=1 HTTP/1.1\r\nHost: app.test:8090\r\nConnection: keep-alive\r\n\r\n"))
                .startsWith("HTTP/1.1 200 OK").endsWith("backend saw GET /shop?q=1 HTTP/1.1");
        assertThat(received).singleElement().asString().contains("Host: app.test:8090", "X-Forwarded-Host: app.test",
                "X-Forwarded-Proto: http", "X-Forwarded-For: 127.0.0.1", "Connection: close").doesNotContain("keep-alive");
        assertThat(request("GET / HTTP/1.1\r\nHost: other.test\r\n\r\n"))
                .startsWith("HTTP/1.1 404 Not Found").endsWith("berth-ingress: no ingress rule for host \"other.test\" and path /\n");
        assertThat(request("GET /down/x HTTP/1.1\r\nHost: app.test\r\n\r\n")).startsWith("HTTP/1.1 502 Bad Gateway")
                .contains("berth-ingress: cannot reach 127.0.0.1:");
        assertThat(request("POST /form HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\n\r\nhello"))
                .endsWith("backend saw POST /form HTTP/1.1");
        assertThat(request("garbage\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request");
    }

    private String request(String text) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.getLocalPort()), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            s.getInputStream().transferTo(response);
            return response.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static String head(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        while (!s.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            s.append((char) c);
        }
        return s.toString();
    }
}
