package dev.berth.manifest;

import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Checks a document against the Kubernetes schema of its kind once berth's reader is done with
 * it, as {@code kubectl apply --validate=strict} would: a field that does not exist in Kubernetes
 * is an error, with the closest field as a suggestion ({@code comand}: did you mean
 * {@code command}?). A field that exists but that berth's reader did not read is not applied on
 * one host: a warning (an error with {@code --strict}), once per field of an object; inside it,
 * only misspellings are reported. Documents whose every key berth read are not walked twice:
 * the schema is loaded only for a document with a key left over.
 */
final class FieldCheck {
    /** Fields berth reads nothing from but that change nothing on one host: never reported. */
    private static final Set<String> QUIET = Set.of("status", "metadata", "accessModes", "storageClassName", "volumeMode", "immutable",
            "terminationMessagePath", "terminationMessagePolicy", "revisionHistoryLimit", "dnsPolicy", "enableServiceLinks",
            "sessionAffinity", "ipFamilyPolicy", "ipFamilies", "internalTrafficPolicy", "clusterIP", "clusterIPs", "schedulerName");

    private final Problems problems;
    private final boolean strict;

    FieldCheck(Problems problems, boolean strict) {
        this.problems = problems;
        this.strict = strict;
    }

    /**
     * @param kind   a built-in kind
     * @param played false for kinds berth accepts but does not apply: only misspellings are reported
     */
    void document(Field doc, String kind, boolean played) {
        if (played && !leftOver(doc.node())) {
            return; // every key was read: the fast path, no schema needed
        }
        walk(doc.node(), KubernetesSchema.get().kind(kind).type(), doc.path(), doc.file(), played);
    }

    /** Whether some mapping under {@code node} has a key berth's reader did not read. */
    private boolean leftOver(Node node) {
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : null;
                if (key == null || !problems.consumed(m, key) || leftOver(t.getValueNode())) {
                    return true;
                }
            }
        } else if (node instanceof SequenceNode s) {
            for (Node item : s.getValue()) {
                if (leftOver(item)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void walk(Node node, String type, String path, String file, boolean reportUnapplied) {
        if (type.equals("s") || type.equals("*")) {
            return;
        }
        if (type.startsWith("[")) {
            if (node instanceof SequenceNode s) {
                int i = 0;
                for (Node item : s.getValue()) {
                    walk(item, type.substring(1, type.length() - 1), path + "[" + i++ + "]", file, reportUnapplied);
                }
            }
            return;
        }
        if (!(node instanceof MappingNode m)) {
            return; // a value of the wrong shape: berth's reader says so where it reads it
        }
        if (type.startsWith("{")) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k) {
                    walk(t.getValueNode(), type.substring(1, type.length() - 1), path + "[\"" + k.getValue() + "\"]", file, reportUnapplied);
                }
            }
            return;
        }
        Map<String, String> fields = KubernetesSchema.get().fields(type);
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                continue;
            }
            String key = k.getValue();
            String childPath = path.isEmpty() ? key : path + "." + key;
            int line = k.getStartMark().getLine() + 1;
            String fieldType = fields.get(key);
            if (fieldType == null) {
                String suggestion = closest(key, fields.keySet());
                problems.error(file, line, childPath + ": unknown field \"" + key + "\" in " + type.substring(type.lastIndexOf('.') + 1)
                        + (suggestion == null ? "" : "; did you mean \"" + suggestion + "\"?"));
                continue;
            }
            boolean read = problems.consumed(m, key);
            boolean quiet = QUIET.contains(key);
            if (reportUnapplied && !read && !quiet) {
                String message = childPath + ": not applied on one host: berth does not use " + key + " (--strict makes this an error)";
                if (strict) {
                    problems.error(file, line, childPath + ": not applied on one host (--strict)");
                } else {
                    problems.warning(file, line, message);
                }
            }
            walk(t.getValueNode(), fieldType, childPath, file, reportUnapplied && read && !quiet);
        }
    }

    /**
     * The field nearest to a misspelt one: the same but for case, else the nearest by edit distance
     * (at most 1 for short names, 2 from 4 letters, 3 from 7), else one that starts with it or
     * that it starts with ({@code initialDelay} → {@code initialDelaySeconds}).
     */
    static String closest(String key, Set<String> fields) {
        String lower = key.toLowerCase(java.util.Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String f : fields) {
            int d = dev.berth.api.EditDistance.of(lower, f.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                best = f;
                bestDistance = d;
            }
        }
        int allowed = key.length() >= 7 ? 3 : key.length() >= 4 ? 2 : 1;
        if (bestDistance <= allowed) {
            return best;
        }
        return key.length() < 4 ? null : fields.stream()
                .filter(f -> f.toLowerCase(java.util.Locale.ROOT).startsWith(lower) || lower.startsWith(f.toLowerCase(java.util.Locale.ROOT)))
                .min(java.util.Comparator.comparingInt(String::length)).orElse(null);
    }
}
