package dev.berth.image;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/**
 * A client of the OCI distribution API for pulls: manifests (OCI and Docker schema 2, indexes
 * and manifest lists) and blobs, with the registry's auth challenge answered (Bearer tokens,
 * anonymous or with credentials; Basic), retries with back-off on 429 (Retry-After honoured),
 * 5xx and broken connections (a blob resumed with a Range request), and every blob checked
 * against its digest and size while it is written. Written here on the JDK's
 * {@link HttpURLConnection} rather than kept in a library (jib-core's client would bring
 * Google's HTTP client and Guava for a handful of requests): HTTP/1.1 with keep-alive, TLS with
 * the system's CAs plus a registry's own, and streaming, with no dependency and no thread left
 * behind; see docs/ARCHITECTURE.md, "Pulling an image".
 */
public final class RegistryClient {
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String ACCEPT = String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST);
    private static final int ATTEMPTS = 4;
    /**
     * No bytes for this long: the connection stalled, and is asked again (as a break). 30 s; the
     * property {@code berth.registry.stallMillis} shortens it for tests.
     */
    static Duration stall() {
        return Duration.ofMillis(Long.getLong("berth.registry.stallMillis", 30_000));
    }
    private static final int MAX_MANIFEST = 4 * 1024 * 1024;
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** A user and password for a registry; never printed. */
    public record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[" + user + ", ****]";
        }
    }

    /** A manifest as the registry sent it, with its media type and digest. */
    public record Manifest(String mediaType, byte[] body, Digest digest) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public boolean isIndex() {
            return mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_LIST) || Json.parseObject(text()).containsKey("manifests");
        }
    }

    private final SSLContext tlsContext;
    private final boolean verify;
    private final String host;
    /** https, or http once an unverified registry failed over https; settled at the first answer. */
    private volatile String scheme = "https";
    private volatile boolean settled;
    /** Why https failed before the fall back to http, for the error when http fails too. */
    private volatile String httpsFailure;
    private final String registry;
    private final Credentials credentials;
    /** The Authorization header that the last challenge asked for, reused until refused. */
    private volatile String authorization;
    private volatile Instant deadline;
    private volatile Duration timeout;

    /**
     * @param registry    {@code host[:port]}
     * @param verify      true: https, verified with the system's CAs and those of {@code certDirs};
     *                    false ({@code --tls-verify=false}, a registry marked insecure): https without
     *                    verifying the certificate, and plain http when https fails, as containers/image does
     * @param credentials null for anonymous pulls
     * @param certDirs    directories read as podman reads a certs.d entry ({@link RegistryTls}); missing ones are skipped
     */
    public RegistryClient(String registry, boolean verify, Credentials credentials, List<Path> certDirs) {
        this.registry = registry;
        this.verify = verify;
        this.host = registry.equals("docker.io") ? "registry-1.docker.io" : registry;
        this.credentials = credentials;
        this.tlsContext = RegistryTls.context(registry, verify, certDirs);
    }

    /** {@code GET /v2/} with the challenge answered: checks that the registry takes the credentials (login). */
    public void ping() {
        discard(send(null, "", "application/json", null).body());
    }

    /** A manifest by tag or digest; a digest given is checked against the body. */
    public Manifest manifest(String repository, String reference) {
        Response r = send(repository, "manifests/" + reference, ACCEPT, null);
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(MAX_MANIFEST + 1);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, registry + "/" + repository + ": the manifest broke off: " + e.getMessage(), e);
        }
        if (body.length > MAX_MANIFEST) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, registry + "/" + repository + ": a manifest of " + body.length + " bytes is refused");
        }
        Digest digest = Digest.of(body);
        if (reference.startsWith("sha256:") && !digest.toString().equals(reference)) {
            throw new BerthException(BerthException.Kind.FAILED, registry + "/" + repository + "@" + reference + ": the manifest sent does not match its digest");
        }
        String type = r.header("Content-Type") == null ? "" : r.header("Content-Type").split(";")[0].strip();
        Object declared;
        try {
            declared = Json.parseObject(new String(body, StandardCharsets.UTF_8)).get("mediaType");
        } catch (IllegalArgumentException e) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, registry + "/" + repository + " " + reference
                    + ": the registry sent a manifest that is not a JSON object (" + e.getMessage() + "); refused");
        }
        return new Manifest(declared instanceof String s ? s : type, body, digest);
    }

    /** A small blob (an image config), read whole and checked. */
    public byte[] blobBytes(String repository, String digest, long size) {
        if (size > MAX_MANIFEST) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, registry + "/" + repository + ": a config of " + size + " bytes is refused");
        }
        try (Blob in = blob(repository, digest, size, n -> { })) {
            byte[] b = in.readAllBytes();
            in.verify();
            return b;
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.FAILED, e.getMessage(), e);
        }
    }

    /**
     * A blob as a stream, checked against its digest and size as it is read: {@link Blob#verify}
     * reads what is left and fails on a mismatch; reading past the size the manifest gave fails at
     * once. A connection that breaks off is resumed where it stopped with a Range request (or the
     * blob fetched again and the bytes already read skipped, when the registry ignores ranges), up
     * to {@value #ATTEMPTS} times.
     *
     * @param bytes told the number of bytes of each piece read, and each time the blob is asked for again
     */
    public Blob blob(String repository, String digest, long size, Progress bytes) {
        return new Blob(repository, digest, size, bytes);
    }

    /** What a blob tells as it is read. */
    public interface Progress extends LongConsumer {
        /** The connection broke off or stalled, and the blob is asked for again: why, and from where. */
        default void retrying(String why) {}
    }

    /**
     * Pull no later than {@code deadline} (null: no deadline): a request after it, or a read, fails
     * with the deadline's error; no read waits past it by more than {@link #stall}.
     */
    public RegistryClient until(Instant deadline, Duration timeout) {
        this.deadline = deadline;
        this.timeout = timeout;
        return this;
    }

    private void checkDeadline() {
        Instant d = deadline;
        if (d != null && !Instant.now().isBefore(d)) {
            throw new BerthException(BerthException.Kind.FAILED, "the pull from " + registry + " did not finish within "
                    + timeout.toSeconds() + " s (--pull-timeout)");
        }
    }

    /** How long a read waits for the registry's next bytes before the connection counts as stalled. */
    private int readTimeoutMillis() {
        long ms = stall().toMillis();
        Instant d = deadline;
        if (d != null) {
            ms = Math.min(ms, Math.max(1, Duration.between(Instant.now(), d).toMillis()));
        }
        return (int) ms;
    }

    /** See {@link #blob}. */
    public final class Blob extends InputStream {
        private final String repository;
        private final String digest;
        private final long size;
        private final Progress bytes;
        private final MessageDigest md = Digest.sha256();
        /** Why the transfer failed for good, once it has. */
        private IOException failure;
        private InputStream in;
        private long position;
        private int breaks;
        private boolean ended;

        private Blob(String repository, String digest, long size, Progress bytes) {
            this.repository = repository;
            this.digest = digest;
            this.size = size;
            this.bytes = bytes;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (failure != null) {
                throw failure;
            }
            while (!ended) {
                checkDeadline();
                if (in == null) {
                    connect();
                }
                int n;
                try {
                    n = in.read(b, off, len);
                } catch (IOException e) {
                    discard(in);
                    in = null;
                    checkDeadline();
                    boolean stalled = e instanceof java.net.SocketTimeoutException;
                    String why = stalled ? "nothing received for " + stall().toSeconds() + " s" : "the connection broke (" + e.getMessage() + ")";
                    if (++breaks >= ATTEMPTS) {
                        failure = new IOException(what() + (stalled ? ": timed out, " : ": ") + why + ", " + breaks + " times; the last at byte "
                                + position + (size >= 0 ? " of " + size : ""), e);
                        throw failure;
                    }
                    bytes.retrying(why + "; asking again from byte " + position + " (attempt " + (breaks + 1) + " of " + ATTEMPTS + ")");
                    pause(breaks, null);
                    continue;
                }
                if (n > 0) {
                    if (size >= 0 && position + n > size) {
                        failure = new IOException(what() + " is longer than the " + size + " bytes its manifest says; refused");
                        throw failure;
                    }
                    md.update(b, off, n);
                    position += n;
                    bytes.accept(n);
                }
                ended = n < 0;
                return n;
            }
            return -1;
        }

        private void connect() throws IOException {
            Response r = send(repository, "blobs/" + digest, "*/*", position > 0 ? "bytes=" + position + "-" : null);
            in = r.body();
            if (position > 0 && r.status() != 206) { // the whole blob again: skip what was read already
                in.skipNBytes(position);
            }
        }

        /**
         * Reads what is left and checks the digest and size: a blob not verified is never used. A
         * transfer that failed (broke off, stalled, timed out) is reported as such, not as a digest
         * that does not match.
         */
        public void verify() throws IOException {
            if (failure == null) {
                transferTo(OutputStream.nullOutputStream());
            }
            if (failure != null) {
                throw failure;
            }
            String got = Digest.of(md).toString();
            if (!got.equals(digest) || (size >= 0 && position != size)) {
                throw new IOException(what() + " came as " + got + " (" + position + " bytes, expected " + size + "); nothing of it was kept");
            }
        }

        private String what() {
            return registry + "/" + repository + ": blob " + digest;
        }

        @Override
        public void close() {
            if (in != null) {
                discard(in);
                in = null;
            }
            ended = true;
        }
    }

    /** A response whose body is read by the caller, who closes it. */
    private record Response(int status, HttpURLConnection connection, InputStream body) {
        String header(String name) {
            return connection.getHeaderField(name);
        }
    }

    /**
     * A GET with the auth the registry asks for, retried on 429, 5xx and broken connections.
     * Written on {@link HttpURLConnection}: blocking I/O leaves no thread waiting in native code at
     * exit (java.net.http's selector thread costs every command 300 ms when the JVM exits) and
     * loads far fewer classes.
     *
     * @param repository null for the API's root ({@code /v2/})
     * @param range      a Range header value, or null
     */
    private Response send(String repository, String path, String accept, String range) {
        String rest = "/v2/" + (repository == null ? "" : repository + "/" + path);
        boolean challenged = false;
        for (int attempt = 1; ; attempt++) {
            checkDeadline();
            Response r;
            try {
                r = get(URI.create(scheme + "://" + host + rest), accept, range, authorization);
                settled = true;
            } catch (IOException e) {
                if (!verify && !settled && scheme.equals("https")) {
                    httpsFailure = e.getMessage();
                    scheme = "http";
                    attempt--;
                    continue;
                }
                String tls = scheme.equals("https") ? RegistryTls.explain(registry, e) : null;
                if (tls == null && attempt < ATTEMPTS) {
                    pause(attempt, null);
                    continue;
                }
                throw new BerthException(BerthException.Kind.HOST, "cannot reach " + registry + ": " + (tls != null ? tls
                        : httpsFailure != null && !settled ? "over https (" + httpsFailure + ") nor over http (" + e.getMessage() + ")" : e.getMessage()), e);
            }
            int status = r.status();
            if (status == 401 && !challenged) {
                challenged = true;
                discard(r.body());
                authorization = answer(String.valueOf(r.header("WWW-Authenticate")), repository);
                attempt--;
                continue;
            }
            if ((status == 429 || status >= 500) && attempt < ATTEMPTS) {
                discard(r.body());
                pause(attempt, r.header("Retry-After"));
                continue;
            }
            if (status / 100 == 2) {
                return r;
            }
            discard(r.body());
            String what = repository == null ? registry : registry + "/" + repository + " " + path.replace("manifests/", "");
            throw switch (status) {
                case 401, 403 -> new BerthException(BerthException.Kind.INVALID_INPUT, what + ": access denied (" + status + ")"
                        + (credentials == null ? "; log in (berth login " + registry + ") or give credentials" : "; the credentials were refused"));
                case 404 -> new BerthException(BerthException.Kind.NOT_FOUND, what + ": not found in the registry");
                default -> new BerthException(BerthException.Kind.HOST, what + ": the registry answered " + status);
            };
        }
    }

    /**
     * One GET, following redirects (blobs are often served from elsewhere); the Authorization
     * header goes only to the registry itself, never to where it redirects.
     */
    private Response get(URI uri, String accept, String range, String auth) throws IOException {
        URI at = uri;
        for (int hops = 0; ; hops++) {
            HttpURLConnection c = (HttpURLConnection) at.toURL().openConnection();
            if (c instanceof HttpsURLConnection https && tlsContext != null) {
                https.setSSLSocketFactory(tlsContext.getSocketFactory());
                if (!verify) {
                    https.setHostnameVerifier((name, session) -> true);
                }
            }
            c.setInstanceFollowRedirects(false);
            c.setConnectTimeout(15_000);
            // an unverified https try gives up as soon as Go's TLS handshake timeout would (then plain http)
            c.setReadTimeout(!verify && !settled && at.getScheme().equals("https") ? Math.min(10_000, readTimeoutMillis()) : readTimeoutMillis());
            c.setRequestProperty("Accept", accept);
            c.setRequestProperty("User-Agent", "berth");
            if (range != null) {
                c.setRequestProperty("Range", range);
            }
            if (auth != null && hops == 0) {
                c.setRequestProperty("Authorization", auth);
            }
            int status = c.getResponseCode();
            String location = c.getHeaderField("Location");
            if (status / 100 == 3 && location != null && hops < 5) {
                discard(status >= 400 ? c.getErrorStream() : c.getInputStream());
                at = at.resolve(location);
                continue;
            }
            InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream();
            return new Response(status, c, body == null ? InputStream.nullInputStream() : body);
        }
    }

    private static void discard(InputStream in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (IOException ignored) {
            // the connection is dropped instead
        }
    }

    /** The Authorization header that answers a challenge: a Bearer token fetched from its realm, or Basic. */
    private String answer(String challenge, String repository) {
        String basic = credentials == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((credentials.user() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
        if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
            return basic;
        }
        if (!challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
            return basic;
        }
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1), m.group(2));
        }
        String realm = params.get("realm");
        if (realm == null) {
            throw new BerthException(BerthException.Kind.HOST, registry + " asked for a token without saying where to get it");
        }
        StringBuilder query = new StringBuilder();
        if (params.containsKey("service")) {
            query.append("service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8));
        }
        String scope = params.getOrDefault("scope", repository == null ? null : "repository:" + repository + ":pull");
        if (scope != null) {
            query.append(query.isEmpty() ? "" : "&").append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
        try {
            Response r = get(URI.create(realm + (realm.contains("?") ? "&" : "?") + query), "application/json", null, basic);
            String body;
            try (InputStream in = r.body()) {
                body = new String(in.readNBytes(MAX_MANIFEST), StandardCharsets.UTF_8);
            }
            if (r.status() != 200) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, registry + ": the token service refused ("
                        + r.status() + ")" + (credentials == null ? "" : "; the credentials were refused"));
            }
            Map<String, Object> json = Json.parseObject(body);
            Object token = json.containsKey("token") ? json.get("token") : json.get("access_token");
            if (!(token instanceof String t)) {
                throw new BerthException(BerthException.Kind.HOST, registry + ": the token service sent no token");
            }
            return "Bearer " + t;
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot reach the token service of " + registry + ": " + e.getMessage(), e);
        }
    }

    /** Waits before another attempt: Retry-After when the registry said, else 0.5 s doubling. */
    private static void pause(int attempt, String retryAfter) {
        long ms = 500L << (attempt - 1);
        if (retryAfter != null && retryAfter.strip().matches("\\d{1,4}")) {
            ms = Long.parseLong(retryAfter.strip()) * 1000;
        }
        try {
            Thread.sleep(Math.min(ms, 30_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
