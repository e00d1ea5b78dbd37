package dev.berth.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every field of every built-in Kubernetes kind, read from {@code kubernetes-fields.txt} (derived
 * from fabric8's kubernetes-model by KubernetesSchemaTest): once per JVM, on the first document
 * that has a key berth's reader did not read.
 */
final class KubernetesSchema {
    /** A built-in kind: its apiVersions (the current one first) and the type of its documents. */
    record Kind(String name, List<String> apiVersions, String type) {}

    private static volatile KubernetesSchema loaded;

    private final Map<String, Kind> kinds;
    private final Map<String, Map<String, String>> types;

    private KubernetesSchema(Map<String, Kind> kinds, Map<String, Map<String, String>> types) {
        this.kinds = kinds;
        this.types = types;
    }

    static KubernetesSchema get() {
        KubernetesSchema s = loaded;
        if (s == null) {
            synchronized (KubernetesSchema.class) {
                if (loaded == null) {
                    loaded = load();
                }
                s = loaded;
            }
        }
        return s;
    }

    private static KubernetesSchema load() {
        String text;
        try (InputStream in = KubernetesSchema.class.getResourceAsStream("kubernetes-fields.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Kind> kinds = new HashMap<>();
        Map<String, Map<String, String>> types = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(" ");
            if (line.startsWith("=")) {
                String name = parts[0].substring(1);
                kinds.put(name, new Kind(name, List.of(parts).subList(1, parts.length - 1), parts[parts.length - 1]));
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                int colon = parts[i].indexOf(':');
                fields.put(parts[i].substring(0, colon), parts[i].substring(colon + 1));
            }
            types.put(parts[0], fields);
        }
        return new KubernetesSchema(kinds, types);
    }

    /** A built-in kind, or null for a custom resource. */
    Kind kind(String name) {
        return kinds.get(name);
    }

    /** The fields of an object type and their types ({@code s}, {@code *}, {@code [T]}, {@code {T}} or a type name). */
    Map<String, String> fields(String type) {
        return types.getOrDefault(type, Map.of());
    }
}
