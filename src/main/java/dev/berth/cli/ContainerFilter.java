package dev.berth.cli;

import dev.berth.api.BerthException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code ps --filter KEY=VALUE}, as podman reads it: the same key given twice matches either
 * value, different keys must all match. Keys: {@code name} (a regular expression found in the
 * name), {@code id} (a prefix), {@code status} (created, running, exited, unknown), {@code pod},
 * {@code label} ({@code KEY} or {@code KEY=VALUE}, on the pod's labels), {@code ancestor} (the
 * image by name, with or without its tag, or by ID prefix).
 */
final class ContainerFilter {
    static final List<String> KEYS = List.of("name", "id", "status", "pod", "label", "ancestor");

    /** What a filter looks at in one container. */
    record Fields(String id, String name, String status, String pod, Map<String, String> labels, String image, String imageId) {}

    private final Map<String, List<String>> values = new LinkedHashMap<>();

    ContainerFilter(List<String> filters) {
        for (String f : filters) {
            int eq = f.indexOf('=');
            String key = eq < 0 ? f : f.substring(0, eq);
            if (eq < 1 || !KEYS.contains(key)) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "--filter " + f + ": want KEY=VALUE with KEY one of "
                        + String.join(", ", KEYS));
            }
            String value = f.substring(eq + 1);
            if (key.equals("name")) {
                try {
                    Pattern.compile(value);
                } catch (java.util.regex.PatternSyntaxException e) {
                    throw new BerthException(BerthException.Kind.INVALID_INPUT, "--filter " + f + ": not a regular expression: " + e.getDescription());
                }
            }
            values.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(value);
        }
    }

    boolean matches(Fields c) {
        return values.entrySet().stream().allMatch(e -> e.getValue().stream().anyMatch(v -> matches(e.getKey(), v, c)));
    }

    private static boolean matches(String key, String value, Fields c) {
        return switch (key) {
            case "name" -> Pattern.compile(value).matcher(c.name()).find();
            case "id" -> c.id().startsWith(value);
            case "status" -> c.status().equals(value);
            case "pod" -> value.equals(c.pod());
            case "label" -> {
                int eq = value.indexOf('=');
                yield eq < 0 ? c.labels().containsKey(value) : value.substring(eq + 1).equals(c.labels().get(value.substring(0, eq)));
            }
            default -> c.image().equals(value) || c.image().equals(value + ":latest") || c.image().endsWith("/" + value)
                    || c.image().endsWith("/" + value + ":latest") || c.imageId().startsWith(value.replace("sha256:", ""));
        };
    }
}
