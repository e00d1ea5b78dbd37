package dev.berth.image;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Registry credentials in the JSON that podman, skopeo and docker share
 * ({@code {"auths": {"host[:port][/path]": {"auth": base64(user:password)}}}}), and the files they
 * are looked for in, in podman's order. Also the {@code .dockerconfigjson} of a Kubernetes pull
 * Secret, which has the same shape. Passwords never leave this class but as {@link RegistryClient.Credentials}.
 */
public final class AuthFile {
    private AuthFile() {}

    /**
     * Where credentials are looked for: {@code --authfile} or {@code $REGISTRY_AUTH_FILE};
     * else {@code $XDG_RUNTIME_DIR/containers/auth.json} ({@code /run/containers/0/auth.json}
     * for root without it), {@code $XDG_CONFIG_HOME/containers/auth.json}, {@code ~/.docker/config.json}.
     */
    public static List<Path> searchPath(Path given) {
        if (given != null) {
            return List.of(given);
        }
        Map<String, String> env = System.getenv();
        if (env.get("REGISTRY_AUTH_FILE") != null) {
            return List.of(Path.of(env.get("REGISTRY_AUTH_FILE")));
        }
        Path home = Path.of(System.getProperty("user.home"));
        List<Path> files = new ArrayList<>();
        files.add(env.get("XDG_RUNTIME_DIR") != null ? Path.of(env.get("XDG_RUNTIME_DIR"), "containers", "auth.json")
                : Path.of("/run/containers", uid(), "auth.json"));
        files.add((env.get("XDG_CONFIG_HOME") != null ? Path.of(env.get("XDG_CONFIG_HOME")) : home.resolve(".config")).resolve("containers/auth.json"));
        files.add(home.resolve(".docker/config.json"));
        return files;
    }

    /** The user's uid on the host (inside an ordinary user's namespaces berth runs as 0, and /run/containers/0 is root's). */
    private static String uid() {
        return String.valueOf(dev.berth.sys.Linux.hostUid());
    }

    /** The file {@code login} writes: the first of {@link #searchPath}. */
    public static Path writable(Path given) {
        return searchPath(given).get(0);
    }

    /** The credentials for {@code repository} ({@code host/path}) in the first file that has some. */
    public static RegistryClient.Credentials find(List<Path> files, String repository) {
        for (Path f : files) {
            RegistryClient.Credentials c = lookup(read(f), repository, f.toString());
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /** A pod's imagePullSecret: its name, and its {@code .dockerconfigjson} (checked to be JSON). */
    public record PullSecret(String name, String dockerConfigJson) {
        public PullSecret {
            Json.parseObject(dockerConfigJson); // IllegalArgumentException when it is not
        }

        @Override
        public String toString() {
            return "PullSecret[" + name + ", ****]";
        }

        RegistryClient.Credentials lookup(String repository) {
            return AuthFile.lookup(Json.parseObject(dockerConfigJson), repository, "imagePullSecret " + name);
        }
    }

    /**
     * The entry whose key matches {@code repository} the longest ({@code quay.io/org} before
     * {@code quay.io}); keys may carry a scheme and {@code /v1/} or {@code /v2/} as docker writes them.
     */
    static RegistryClient.Credentials lookup(Map<String, Object> json, String repository, String source) {
        String bestKey = null;
        Map<String, Object> best = null;
        for (Map.Entry<String, Object> e : Json.object(json, "auths").entrySet()) {
            String key = normalize(e.getKey());
            boolean matches = repository.equals(key) || repository.startsWith(key + "/");
            if (matches && (bestKey == null || key.length() > bestKey.length()) && e.getValue() instanceof Map<?, ?>) {
                bestKey = key;
                @SuppressWarnings("unchecked")
                Map<String, Object> entry = (Map<String, Object>) e.getValue();
                best = entry;
            }
        }
        if (best == null) {
            return null;
        }
        String auth = Json.string(best, "auth");
        if (auth != null) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, source + ": the auth of " + bestKey + " is not base64");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, source + ": the auth of " + bestKey + " is not user:password");
            }
            return new RegistryClient.Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
        if (Json.string(best, "username") != null) {
            return new RegistryClient.Credentials(Json.string(best, "username"), String.valueOf(Json.string(best, "password")));
        }
        return null;
    }

    /** {@code https://index.docker.io/v1/} → {@code docker.io}; {@code https://host:5000/v2/} → {@code host:5000}. */
    static String normalize(String key) {
        String k = key.replaceFirst("^https?://", "").replaceFirst("/v[12]/?$", "").replaceFirst("/$", "");
        return k.equals("index.docker.io") || k.equals("registry-1.docker.io") ? "docker.io" : k;
    }

    /** Parses a file of this shape; a missing file has no credentials. */
    static Map<String, Object> read(Path file) {
        try {
            return Json.parseObject(Files.readString(file));
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot read " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, file + " is not valid JSON: " + e.getMessage());
        }
    }

    /** Adds (credentials given) or removes (null) the entry of {@code registry}; written atomically, mode 0600. Returns false when there was nothing to remove. */
    public static boolean store(Path file, String registry, RegistryClient.Credentials credentials) {
        Map<String, Object> json = new LinkedHashMap<>(read(file));
        Map<String, Object> auths = new LinkedHashMap<>(Json.object(json, "auths"));
        boolean had = auths.remove(registry) != null;
        if (credentials != null) {
            String auth = Base64.getEncoder().encodeToString((credentials.user() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
            auths.put(registry, Map.of("auth", auth));
        }
        json.put("auths", auths);
        write(file, json);
        return had;
    }

    /** Removes every entry; false when the file had none. */
    public static boolean clear(Path file) {
        Map<String, Object> json = new LinkedHashMap<>(read(file));
        if (Json.object(json, "auths").isEmpty()) {
            return false;
        }
        json.put("auths", Map.of());
        write(file, json);
        return true;
    }

    private static void write(Path file, Map<String, Object> json) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling("." + file.getFileName() + "-" + UUID.randomUUID());
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, Json.write(json) + "\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
