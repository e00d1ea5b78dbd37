package dev.berth.image;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The documents an image is made of (OCI image spec, and Docker's v2 schema 2, which has the same
 * fields), read into records: the fields berth uses, nothing else kept. The config's own bytes
 * stay as they came (its digest is the image's ID).
 */
public final class OciImage {
    private OciImage() {}

    public record Platform(String os, String architecture, String variant) {
        /** Whether this is {@code os/arch[/variant]}. */
        public boolean is(String wanted) {
            String[] w = wanted.split("/");
            return w.length > 1 && w[0].equals(os) && w[1].equals(architecture) && (w.length < 3 || w[2].equals(variant));
        }
    }

    /** A blob or manifest a document points at; {@code size} is -1 when not given. */
    public record Descriptor(String mediaType, Digest digest, long size, Platform platform, Map<String, String> annotations) {
        static Descriptor parse(Object json, String what) {
            Map<String, Object> m = object(json);
            String digest = Json.string(m, "digest");
            if (digest == null) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, what + " has no digest");
            }
            Digest d;
            try {
                d = Digest.parse(digest);
            } catch (IllegalArgumentException e) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, what + " names an unsupported digest: " + digest);
            }
            Map<String, Object> p = Json.object(m, "platform");
            Map<String, String> annotations = new LinkedHashMap<>();
            Json.object(m, "annotations").forEach((k, v) -> annotations.put(k, String.valueOf(v)));
            return new Descriptor(Json.string(m, "mediaType"), d, m.get("size") instanceof Number n ? n.longValue() : -1,
                    p.isEmpty() ? null : new Platform(Json.string(p, "os"), Json.string(p, "architecture"), Json.string(p, "variant")),
                    annotations);
        }
    }

    /** An image manifest: its config and its layers, bottom first. */
    public record Manifest(Descriptor config, List<Descriptor> layers) {
        public static Manifest parse(String json) {
            Map<String, Object> m = parseObject(json, "the manifest");
            if (m.containsKey("manifests")) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "an image index where a manifest was expected");
            }
            List<Descriptor> layers = new ArrayList<>();
            for (Object l : Json.array(m, "layers")) {
                layers.add(Descriptor.parse(l, "a layer of the manifest"));
            }
            return new Manifest(Descriptor.parse(m.get("config"), "the manifest's config"), List.copyOf(layers));
        }
    }

    /** An image index (or Docker manifest list): a manifest per platform. */
    public record Index(List<Descriptor> manifests) {
        public static Index parse(String json) {
            List<Descriptor> manifests = new ArrayList<>();
            for (Object d : Json.array(parseObject(json, "the index"), "manifests")) {
                manifests.add(Descriptor.parse(d, "a manifest of the index"));
            }
            return new Index(List.copyOf(manifests));
        }

        /** The manifest for {@code os/arch[/variant]}; {@code name} is for the error. */
        public Descriptor manifestFor(String platform, String name) {
            return manifests.stream().filter(d -> d.platform() != null && d.platform().is(platform)).findFirst()
                    .orElseThrow(() -> new BerthException(BerthException.Kind.NOT_FOUND, name + ": the image has no " + platform + " variant"));
        }
    }

    /** What a container runs by default: the image config's {@code config} section. */
    public record RunConfig(List<String> env, List<String> entrypoint, List<String> cmd, String workingDir, String user,
            Map<String, String> labels) {
        public static final RunConfig NONE = new RunConfig(List.of(), List.of(), List.of(), null, null, Map.of());
    }

    /**
     * An image config: when it was made (null when it does not say), for which platform, what a
     * container runs, and its layers' diff IDs, bottom first.
     */
    public record Config(Instant created, String os, String architecture, RunConfig config, List<String> diffIds) {
        public static Config parse(String json) {
            Map<String, Object> m = parseObject(json, "the image config");
            Map<String, Object> run = Json.object(m, "config");
            Map<String, String> labels = new LinkedHashMap<>();
            Json.object(run, "Labels").forEach((k, v) -> labels.put(k, String.valueOf(v)));
            Instant created;
            try {
                created = Instant.parse(Json.string(m, "created"));
            } catch (RuntimeException e) {
                created = null;
            }
            return new Config(created, Json.string(m, "os"), Json.string(m, "architecture"),
                    new RunConfig(Json.strings(run, "Env"), Json.strings(run, "Entrypoint"), Json.strings(run, "Cmd"),
                            Json.string(run, "WorkingDir"), Json.string(run, "User"), labels),
                    Json.strings(Json.object(m, "rootfs"), "diff_ids"));
        }

        /** As the image spec writes it (for an image berth makes itself). */
        public String json(String createdBy) {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("Env", config.env());
            putNonEmpty(run, "Entrypoint", config.entrypoint());
            putNonEmpty(run, "Cmd", config.cmd());
            putNonNull(run, "WorkingDir", config.workingDir());
            putNonNull(run, "User", config.user());
            if (!config.labels().isEmpty()) {
                run.put("Labels", config.labels());
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("created", created.toString());
            m.put("architecture", architecture);
            m.put("os", os);
            m.put("config", run);
            Map<String, Object> rootfs = new LinkedHashMap<>();
            rootfs.put("type", "layers");
            rootfs.put("diff_ids", diffIds);
            m.put("rootfs", rootfs);
            Map<String, Object> history = new LinkedHashMap<>();
            history.put("created", created.toString());
            history.put("created_by", createdBy);
            m.put("history", List.of(history));
            return Json.write(m);
        }
    }

    private static void putNonEmpty(Map<String, Object> m, String key, List<String> value) {
        if (!value.isEmpty()) {
            m.put(key, value);
        }
    }

    private static void putNonNull(Map<String, Object> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static Map<String, Object> parseObject(String json, String what) {
        try {
            return Json.parseObject(json);
        } catch (IllegalArgumentException e) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, what + " is not valid JSON: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o) {
        return o instanceof Map ? (Map<String, Object>) o : Map.of();
    }
}
