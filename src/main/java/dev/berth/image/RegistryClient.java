package dev.berth.image;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of the OCI distribution API for pulls: manifests (OCI and Docker schema 2, indexes
 * and manifest lists) and blobs, with the registry's auth challenge answered (Bearer tokens,
 * anonymous or with credentials; Basic), retries with back-off on 429 (Retry-After honoured),
 * 5xx and broken connections, and every blob checked against its digest and size while it is
 * written. Written on {@code java.net.http}: a pull needs a handful of requests, and the JDK's
 * client does HTTP/1.1 and 2, TLS with the system's CAs, and streaming without a dependency.
 */
public final class RegistryClient {
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String ACCEPT = String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST);
    private static final int ATTEMPTS = 4;
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
        public Map<String, Object> json() {
            return Json.parseObject(new String(body, StandardCharsets.UTF_8));
        }

        public boolean isIndex() {
            return mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_LIST) || json().containsKey("manifests");
        }
    }

    private final HttpClient http;
    private final String base;
    private final String registry;
    private final Credentials credentials;
    /** The Authorization header that the last challenge asked for, reused until refused. */
    private volatile String authorization;

    /**
     * @param registry    {@code host[:port]}
     * @param tls         https (verified with the system's CAs); false: plain http, for registries marked insecure
     * @param credentials null for anonymous pulls
     */
    public RegistryClient(String registry, boolean tls, Credentials credentials) {
        this.registry = registry;
        this.base = (tls ? "https://" : "http://") + (registry.equals("docker.io") ? "registry-1.docker.io" : registry) + "/v2/";
        this.credentials = credentials;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15)).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** A manifest by tag or digest; a digest given is checked against the body. */
    public Manifest manifest(String repository, String reference) {
        HttpResponse<byte[]> r = send(repository, "manifests/" + reference, HttpResponse.BodyHandlers.ofByteArray(), ACCEPT);
        byte[] body = r.body();
        Digest digest = Digest.of(body);
        if (reference.startsWith("sha256:") && !digest.toString().equals(reference)) {
            throw new BerthException(BerthException.Kind.FAILED, registry + "/" + repository + "@" + reference + ": the manifest sent does not match its digest");
        }
        String type = r.headers().firstValue("Content-Type").map(t -> t.split(";")[0].strip()).orElse("");
        Object declared = Json.parseObject(new String(body, StandardCharsets.UTF_8)).get("mediaType");
        return new Manifest(declared instanceof String s ? s : type, body, digest);
    }

    /**
     * Writes a blob to {@code to}, checking its digest and size as it comes; on a mismatch the
     * file is deleted and the pull fails.
     */
    public void blob(String repository, String digest, long size, Path to) {
        HttpResponse<InputStream> r = send(repository, "blobs/" + digest, HttpResponse.BodyHandlers.ofInputStream(), "*/*");
        MessageDigest md = Digest.sha256();
        long written;
        try (InputStream in = r.body(); OutputStream out = new DigestOutputStream(Files.newOutputStream(to), md)) {
            written = in.transferTo(out);
        } catch (IOException e) {
            deleteQuietly(to);
            throw new BerthException(BerthException.Kind.FAILED, registry + "/" + repository + ": blob " + digest + " broke off: " + e.getMessage(), e);
        }
        String got = Digest.of(md).toString();
        if (!got.equals(digest) || (size >= 0 && written != size)) {
            deleteQuietly(to);
            throw new BerthException(BerthException.Kind.FAILED, registry + "/" + repository + ": blob " + digest + " came as " + got
                    + " (" + written + " bytes, expected " + size + "); nothing of it was kept");
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // scratch space, swept with the pull's directory
        }
    }

    /** A GET with the auth the registry asks for, retried on 429, 5xx and broken connections. */
    private <T> HttpResponse<T> send(String repository, String path, HttpResponse.BodyHandler<T> handler, String accept) {
        URI uri = URI.create(base + repository + "/" + path);
        boolean challenged = false;
        for (int attempt = 1; ; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).header("Accept", accept);
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            HttpResponse<T> r;
            try {
                r = http.send(b.GET().build(), handler);
            } catch (IOException e) {
                if (attempt < ATTEMPTS) {
                    pause(attempt, null);
                    continue;
                }
                throw new BerthException(BerthException.Kind.HOST, "cannot reach " + registry + ": " + e.getMessage()
                        + (base.startsWith("https") ? " (a registry without TLS: --tls-verify=false)" : ""), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BerthException(BerthException.Kind.FAILED, "interrupted while talking to " + registry);
            }
            int status = r.statusCode();
            if (status == 401 && !challenged) {
                challenged = true;
                authorization = answer(r.headers().firstValue("WWW-Authenticate").orElse(""), repository);
                attempt--;
                continue;
            }
            if ((status == 429 || status >= 500) && attempt < ATTEMPTS) {
                pause(attempt, r.headers().firstValue("Retry-After").orElse(null));
                continue;
            }
            if (status / 100 == 2) {
                return r;
            }
            String what = registry + "/" + repository + " " + path.replace("manifests/", "");
            throw switch (status) {
                case 401, 403 -> new BerthException(BerthException.Kind.INVALID_INPUT, what + ": access denied (" + status + ")"
                        + (credentials == null ? "; log in or give credentials" : "; the credentials were refused"));
                case 404 -> new BerthException(BerthException.Kind.NOT_FOUND, what + ": not found in the registry");
                default -> new BerthException(BerthException.Kind.HOST, what + ": the registry answered " + status);
            };
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
        String scope = params.getOrDefault("scope", "repository:" + repository + ":pull");
        query.append(query.isEmpty() ? "" : "&").append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(realm + (realm.contains("?") ? "&" : "?") + query)).timeout(Duration.ofSeconds(30));
        if (basic != null) {
            b.header("Authorization", basic);
        }
        try {
            HttpResponse<String> r = http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, registry + ": the token service refused ("
                        + r.statusCode() + ")" + (credentials == null ? "" : "; the credentials were refused"));
            }
            Map<String, Object> json = Json.parseObject(r.body());
            Object token = json.containsKey("token") ? json.get("token") : json.get("access_token");
            if (!(token instanceof String t)) {
                throw new BerthException(BerthException.Kind.HOST, registry + ": the token service sent no token");
            }
            return "Bearer " + t;
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot reach the token service of " + registry + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException(BerthException.Kind.FAILED, "interrupted while talking to " + registry);
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
