package dev.berth.ingress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * berth's ingress controller: a small HTTP/1.1 reverse proxy that routes each request by its
 * Host header and path to a Service ({@link Route#match}), run by the JDK alone in the pod
 * {@code berth-ingress} that {@code kube play --ingress-port} adds. Every request is sent on
 * with {@code Connection: close}, so the next request on a connection is routed again.
 *
 * <p>Configured by the environment: {@code BERTH_INGRESS_ROUTES} (see {@link Route}) and
 * {@code BERTH_INGRESS_PORT} (default 80). Logs one line per request on stdout.
 */
public final class IngressProxy {
    private static final int MAX_HEAD = 64 * 1024;
    private static final int CONNECT_TIMEOUT_MS = 3000;
    private static final int IDLE_TIMEOUT_MS = 120_000;

    private final List<Route> routes;

    IngressProxy(List<Route> routes) {
        this.routes = routes;
    }

    public static void main(String[] args) throws IOException {
        List<Route> routes = Route.parse(System.getenv().getOrDefault("BERTH_INGRESS_ROUTES", ""));
        int port = Integer.parseInt(System.getenv().getOrDefault("BERTH_INGRESS_PORT", "80"));
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port), 256);
            System.out.println("berth-ingress: " + routes.size() + " route(s) on port " + port);
            new IngressProxy(routes).serve(server);
        }
    }

    void serve(ServerSocket server) throws IOException {
        while (!server.isClosed()) {
            Socket client = server.accept();
            Thread t = new Thread(() -> handle(client), "request");
            t.setDaemon(true);
            t.start();
        }
    }

    private void handle(Socket client) {
        try (client) {
            client.setSoTimeout(IDLE_TIMEOUT_MS);
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            String head = readHead(in, rest);
            if (head == null) {
                respond(out, 400, "the request head is incomplete or larger than 64 KiB");
                return;
            }
            String[] lines = head.split("\r\n");
            String[] request = lines[0].split(" ");
            if (request.length != 3) {
                respond(out, 400, "bad request line");
                return;
            }
            String target = request[1];
            if (target.startsWith("http://")) { // absolute form: the host is in the target
                int slash = target.indexOf('/', 7);
                target = slash < 0 ? "/" : target.substring(slash);
            }
            String host = "";
            StringBuilder forwarded = new StringBuilder(request[0] + " " + target + " " + request[2] + "\r\n");
            for (int i = 1; i < lines.length; i++) {
                String name = lines[i].substring(0, Math.max(0, lines[i].indexOf(':'))).trim().toLowerCase(Locale.ROOT);
                if (name.equals("host")) {
                    host = lines[i].substring(lines[i].indexOf(':') + 1).trim().replaceFirst(":[0-9]+$", "");
                }
                if (!name.equals("connection") && !name.equals("keep-alive") && !name.equals("proxy-connection")) {
                    forwarded.append(lines[i]).append("\r\n");
                }
            }
            String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
            Route route = Route.match(routes, host, path);
            if (route == null) {
                log(request[0], host, path, "no rule", 404);
                respond(out, 404, "no ingress rule for host \"" + host + "\" and path " + path);
                return;
            }
            String backend = route.backend() + ":" + route.port();
            forwarded.append("X-Forwarded-For: ").append(client.getInetAddress().getHostAddress()).append("\r\n")
                    .append("X-Forwarded-Host: ").append(host).append("\r\nX-Forwarded-Proto: http\r\nConnection: close\r\n\r\n");
            try (Socket upstream = new Socket()) {
                try {
                    upstream.connect(new InetSocketAddress(route.backend(), route.port()), CONNECT_TIMEOUT_MS);
                } catch (IOException e) {
                    log(request[0], host, path, backend, 502);
                    respond(out, 502, "cannot reach " + backend + ": " + e.getMessage());
                    return;
                }
                upstream.setSoTimeout(IDLE_TIMEOUT_MS);
                OutputStream up = upstream.getOutputStream();
                up.write(forwarded.toString().getBytes(StandardCharsets.ISO_8859_1));
                rest.writeTo(up);
                up.flush();
                Thread body = new Thread(() -> forward(in, upstream), "request-body");
                body.setDaemon(true);
                body.start();
                InputStream down = upstream.getInputStream();
                byte[] first = new byte[8192];
                int n = down.read(first);
                String status = n > 12 ? new String(first, 9, 3, StandardCharsets.ISO_8859_1) : "???";
                log(request[0], host, path, backend, status.matches("[0-9]{3}") ? Integer.parseInt(status) : 0);
                if (n > 0) {
                    out.write(first, 0, n);
                    down.transferTo(out);
                }
                out.flush();
            }
        } catch (IOException e) {
            // the client or the backend went away: nothing more to send
        }
    }

    /** The rest of the request (its body) to the backend, then the end of it. */
    private static void forward(InputStream client, Socket upstream) {
        try {
            client.transferTo(upstream.getOutputStream());
            upstream.shutdownOutput();
        } catch (IOException e) {
            // either side closed: the response copy ends too
        }
    }

    /** The request head up to its empty line (bytes read past it go to {@code rest}), or null when cut or too large. */
    private static String readHead(InputStream in, ByteArrayOutputStream rest) throws IOException {
        byte[] buffer = new byte[MAX_HEAD];
        int length = 0;
        while (length < buffer.length) {
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                return null;
            }
            int from = Math.max(0, length - 3);
            length += n;
            for (int i = from; i + 3 < length; i++) {
                if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') {
                    rest.write(buffer, i + 4, length - i - 4);
                    return new String(buffer, 0, i, StandardCharsets.ISO_8859_1);
                }
            }
        }
        return null;
    }

    private static void respond(OutputStream out, int status, String message) throws IOException {
        String reason = switch (status) {
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            default -> "Bad Gateway";
        };
        byte[] body = ("berth-ingress: " + message + "\n").getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static void log(String method, String host, String path, String backend, int status) {
        System.out.println(method + " " + (host.isEmpty() ? "-" : host) + path + " -> " + backend + " " + (status == 0 ? "-" : status));
    }
}
