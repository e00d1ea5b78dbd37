package dev.berth.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A registry's front for the tests, on a free 127.0.0.1 port, that misbehaves as real networks and
 * registries do: answers the first manifest request with 429 (Retry-After: 1), breaks off the
 * first blob response of more than 64 KiB half way, and can send blob bytes slowly. Everything
 * else is relayed to the registry as it answered, one request per connection.
 */
final class FaultyProxy implements AutoCloseable {
    final String address;
    /** Every request line with its Range header, in order. */
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicLong blobBytesSent = new AtomicLong();
    final AtomicBoolean throttle = new AtomicBoolean();
    private final AtomicBoolean tooManyRequests = new AtomicBoolean(true);
    private final AtomicBoolean breakBlob = new AtomicBoolean(true);
    private final ServerSocket server;
    private final String upstream;
    private final HttpClient http = HttpClient.newHttpClient();

    FaultyProxy(String upstream, boolean faults) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.address = "127.0.0.1:" + server.getLocalPort();
        tooManyRequests.set(faults);
        breakBlob.set(faults);
        Thread t = new Thread(this::serve, "faulty-proxy");
        t.setDaemon(true);
        t.start();
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> handle(s), "faulty-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void handle(Socket s) {
        try (s; InputStream raw = new java.io.BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            raw.mark(1);
            if (raw.read() == 0x16) { // a TLS handshake: answered as an http server does, with 400 (then berth tries plain http)
                out.write("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n".getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            raw.reset();
            InputStream in = raw;
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
            String requestLine = reader.readLine();
            if (requestLine == null) {
                return;
            }
            String path = requestLine.split(" ")[1];
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + upstream + path));
            String range = null;
            for (String h; (h = reader.readLine()) != null && !h.isEmpty(); ) {
                int colon = h.indexOf(':');
                String name = h.substring(0, colon).strip();
                String value = h.substring(colon + 1).strip();
                if (name.equalsIgnoreCase("Range")) {
                    range = value;
                }
                if (List.of("range", "accept", "authorization").contains(name.toLowerCase())) {
                    b.header(name, value);
                }
            }
            requests.add(requestLine + (range == null ? "" : " Range: " + range));
            if (path.contains("/manifests/") && tooManyRequests.getAndSet(false)) {
                out.write("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            HttpResponse<byte[]> r = http.send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            StringBuilder head = new StringBuilder("HTTP/1.1 " + r.statusCode() + " X\r\n");
            for (String h : List.of("Content-Type", "Docker-Content-Digest", "Content-Range", "WWW-Authenticate", "Accept-Ranges")) {
                r.headers().firstValue(h).ifPresent(v -> head.append(h).append(": ").append(v).append("\r\n"));
            }
            byte[] body = r.body();
            head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            boolean blob = path.contains("/blobs/");
            if (blob && body.length > 65536 && breakBlob.getAndSet(false)) {
                out.write(body, 0, body.length / 2);
                out.flush();
                s.setSoLinger(true, 0); // a reset, as a dropped connection
                return;
            }
            for (int off = 0; off < body.length; off += 16384) {
                int n = Math.min(16384, body.length - off);
                out.write(body, off, n);
                out.flush();
                if (blob) {
                    blobBytesSent.addAndGet(n);
                    if (throttle.get()) {
                        Thread.sleep(40);
                    }
                }
            }
        } catch (IOException | InterruptedException dropped) {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
