package dev.berth.kubeapi;

import dev.berth.api.BerthException;
import dev.berth.engine.Berth;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Kubernetes API over HTTPS on loopback, with Jetty: TLS 1.2+ with client certificates (the
 * root's CA only; a request without one gets 401, a certificate of another CA fails the
 * handshake), each request turned into an {@link ApiRequest} for {@link KubeApi} and its
 * {@link ApiReply} written back, streamed when it is a watch or a followed log. The port is
 * chosen once per root and kept in {@code <root>/api/port}, so a kubeconfig stays good; it is
 * chosen again only when another process took it.
 */
public final class ApiServer implements AutoCloseable {
    static {
        System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn"); // its start banner is not berth's to print
    }

    private final Server server;
    private final KubeApi api;
    private final Path serving;

    private ApiServer(Server server, KubeApi api, Path serving) {
        this.server = server;
        this.api = api;
        this.serving = serving;
    }

    /** What {@code <runroot>/api.serving} says: where the API answers, and which process serves it. */
    public record Serving(int port, long pid) {
        public String url() {
            return "https://127.0.0.1:" + port;
        }

        static Serving read(Path file) {
            try {
                String[] words = Files.readString(file).strip().split(" ");
                return new Serving(Integer.parseInt(words[0]), Long.parseLong(words[1]));
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    /** Where this root's API answers, when a live process says it serves it. */
    public static java.util.Optional<Serving> serving(Berth berth) {
        Serving s = Serving.read(berth.layout().apiServing());
        return java.util.Optional.ofNullable(s).filter(x -> ProcessHandle.of(x.pid()).map(ProcessHandle::isAlive).orElse(false));
    }

    /**
     * Whether the API at {@code serving} answers (within two seconds): a server whose certificate
     * this root's CA signed says 401 to a client without a certificate.
     */
    public static boolean answers(Berth berth, Serving serving) {
        try {
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                    .sslContext(ApiCertificates.ensure(berth.layout().api()).anonymousContext()).connectTimeout(java.time.Duration.ofSeconds(2)).build();
            var response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(serving.url() + "/healthz"))
                    .timeout(java.time.Duration.ofSeconds(2)).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 401;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Starts serving this root's API; returns once it listens. {@code play}: how its reconcile
     * plays pods; {@code played} is told after each pass (the supervisor looks at once).
     */
    public static ApiServer start(Berth berth, dev.berth.reconcile.PlayOptions play, Consumer<String> log, Runnable played) {
        ApiCertificates certificates = ApiCertificates.ensure(berth.layout().api());
        KubeApi api = new KubeApi(berth, play, log, played);
        Path portFile = berth.layout().api().resolve("port");
        int port = 0;
        try {
            port = Files.exists(portFile) ? Integer.parseInt(Files.readString(portFile).strip()) : 0;
        } catch (IOException | NumberFormatException e) {
            log.accept("cannot read " + portFile + " (" + e.getMessage() + "); choosing a port");
        }
        Server server;
        List<String> addresses = berth.network().loopbackAddresses();
        try {
            server = listen(certificates, api, addresses, port);
        } catch (BindException taken) {
            log.accept("port " + port + " is taken; choosing another (kubeconfigs made before need `berth api kubeconfig` again)");
            try {
                server = listen(certificates, api, addresses, 0);
            } catch (Exception e) {
                throw new BerthException(BerthException.Kind.HOST, "cannot serve the API: " + e.getMessage(), e);
            }
        } catch (Exception e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot serve the API: " + e.getMessage(), e);
        }
        int bound = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        try {
            berth.network().publishLoopback(bound);
        } catch (BerthException e) {
            stopQuietly(server);
            throw e;
        }
        try {
            replace(portFile, Integer.toString(bound));
            replace(berth.layout().apiServing(), bound + " " + ProcessHandle.current().pid());
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot record the API's port: " + e.getMessage(), e);
        }
        api.port(bound);
        api.start();
        log.accept("serving the Kubernetes API on https://127.0.0.1:" + bound);
        return new ApiServer(server, api, berth.layout().apiServing());
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception ignored) {
            // it is going anyway
        }
    }

    /** Listens on {@code port} (0: any) of each address, the same port on all. */
    private static Server listen(ApiCertificates certificates, KubeApi api, List<String> addresses, int port) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("api");
        threads.setDaemon(true);
        // daemon threads only: a supervisor whose main thread ended must not be kept alive by its server
        Server server = new Server(threads, new org.eclipse.jetty.util.thread.ScheduledExecutorScheduler("api-scheduler", true), null);
        SslContextFactory.Server tls = new SslContextFactory.Server();
        char[] password = "berth".toCharArray();
        tls.setKeyStore(certificates.serverKeyStore(password));
        tls.setKeyStorePassword("berth");
        tls.setTrustStore(certificates.trustStore());
        tls.setWantClientAuth(true);
        tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        server.setHandler(new Adapter(api));
        server.setStopTimeout(2_000);
        try {
            int bound = port;
            for (String address : addresses) {
                ServerConnector connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
                connector.setHost(address);
                connector.setPort(bound);
                connector.setIdleTimeout(3_600_000); // watches and followed logs stay open
                server.addConnector(connector);
                connector.open(); // bound now: the next address gets the same port
                bound = connector.getLocalPort();
            }
            server.start();
        } catch (Exception e) {
            stopQuietly(server);
            throw e;
        }
        return server;
    }

    private static void replace(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), ".api", ".tmp");
        Files.writeString(temp, text + "\n");
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** Stops serving, then says so: {@code api stop} returns once nothing answers. */
    @Override
    public void close() {
        api.close();
        stopQuietly(server);
        try {
            Serving s = Serving.read(serving);
            if (s != null && s.pid() == ProcessHandle.current().pid()) {
                Files.deleteIfExists(serving);
            }
        } catch (IOException ignored) {
            // the pid in it tells readers it is stale
        }
    }

    /** Jetty's request and response to berth's records and back. */
    private static final class Adapter extends Handler.Abstract {
        private final KubeApi api;

        Adapter(KubeApi api) {
            this.api = api;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            EndPoint.SslSessionData tls = (EndPoint.SslSessionData) request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE);
            X509Certificate[] peer = tls == null ? null : tls.peerCertificates();
            String user = peer == null || peer.length == 0 ? null : peer[0].getSubjectX500Principal().getName();
            Map<String, List<String>> query = new LinkedHashMap<>();
            Fields fields = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
            for (Fields.Field f : fields) {
                query.put(f.getName(), new ArrayList<>(f.getValues()));
            }
            byte[] body = switch (request.getMethod()) {
                case "POST", "PUT", "PATCH", "DELETE" -> Content.Source.asInputStream(request).readAllBytes();
                default -> new byte[0];
            };
            ApiRequest r = new ApiRequest(request.getMethod(), request.getHttpURI().getDecodedPath(), query,
                    request.getHeaders().get(HttpHeader.ACCEPT), request.getHeaders().get(HttpHeader.CONTENT_TYPE), body, user,
                    request.getHeaders().get(HttpHeader.USER_AGENT), request.getHeaders().get(HttpHeader.UPGRADE));
            ApiReply reply = api.handle(r);
            response.setStatus(reply.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, private");
            for (String warning : reply.warnings()) {
                response.getHeaders().add("Warning", "299 - \"" + warning.replace("\"", "'") + "\"");
            }
            if (reply.stream() == null) {
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, reply.body().length);
                response.write(true, java.nio.ByteBuffer.wrap(reply.body()), callback);
                return true;
            }
            try (OutputStream out = Content.Sink.asOutputStream(response)) {
                reply.stream().write(out);
            } catch (IOException gone) {
                // the client left: a watch or a followed log ends so
            }
            callback.succeeded();
            return true;
        }
    }
}
