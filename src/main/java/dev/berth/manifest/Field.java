package dev.berth.manifest;

import dev.berth.api.PortRef;
import dev.berth.api.Source;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A field of a manifest document: its YAML node (absent when the field is missing), its path
 * ({@code spec.containers[0].image}) and its line. Reading a value of the wrong type records a
 * problem naming file, line and path, and yields "absent", so translation goes on and every
 * problem of a file is reported at once.
 */
final class Field {
    private final Node node;
    private final String path;
    private final String file;
    private final int line;
    private final Problems problems;

    private Field(Node node, String path, String file, int line, Problems problems) {
        this.node = node;
        this.path = path;
        this.file = file;
        this.line = line;
        this.problems = problems;
    }

    static Field root(Node node, String file, Problems problems) {
        return new Field(node, "", file, node.getStartMark().getLine() + 1, problems);
    }

    /** The same node seen under a path prefix, for the items of a {@code List}. */
    Field under(String prefix) {
        return new Field(node, prefix, file, line, problems);
    }

    Field get(String key) {
        String childPath = path.isEmpty() ? key : path + "." + key;
        if (!present()) {
            return new Field(null, childPath, file, line, problems);
        }
        if (!(node instanceof MappingNode mapping)) {
            error("must be an object");
            return new Field(null, childPath, file, line, problems);
        }
        problems.consume(mapping, key);
        Node found = null;
        int foundLine = line;
        for (NodeTuple t : mapping.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                if (found != null) {
                    problems.error(file, k.getStartMark().getLine() + 1, childPath + ": duplicate key");
                }
                found = t.getValueNode();
                foundLine = k.getStartMark().getLine() + 1;
            }
        }
        return found == null
                ? new Field(null, childPath, file, line, problems)
                : new Field(found, childPath, file, foundLine, problems);
    }

    /** The YAML node (null when the field is absent): for the strict field check. */
    Node node() {
        return node;
    }

    String file() {
        return file;
    }

    boolean present() {
        return node != null && !(node instanceof ScalarNode s && s.getTag().equals(Tag.NULL));
    }

    String path() {
        return path;
    }

    int line() {
        return line;
    }

    Source source() {
        return new Source(file, line);
    }

    /** {@code FILE:LINE: path}, the start of every message about this field. */
    String where() {
        return file + ":" + line + ": " + path;
    }

    void error(String message) {
        problems.error(file, line, path + ": " + message);
    }

    void warning(String message) {
        problems.warning(file, line, path + ": " + message);
    }

    String string() {
        ScalarNode s = scalar("a string");
        if (s == null) {
            return null;
        }
        if (!s.getTag().equals(Tag.STR)) {
            error("must be a string, got " + s.getValue() + "; quote it: \"" + s.getValue() + "\"");
            return null;
        }
        return s.getValue();
    }

    String string(String fallback) {
        String s = string();
        return s == null ? fallback : s;
    }

    /** A required string: records "required" when missing or empty. */
    String required() {
        String s = string();
        if (s == null || s.isEmpty()) {
            if (s == null && !present()) {
                error("required");
            } else if (s != null) {
                error("must not be empty");
            }
            return null;
        }
        return s;
    }

    Long integer() {
        ScalarNode s = scalar("an integer");
        if (s == null) {
            return null;
        }
        if (s.getTag().equals(Tag.INT)) {
            try {
                return parseYaml11Int(s.getValue());
            } catch (NumberFormatException e) {
                error("integer out of range: " + s.getValue());
                return null;
            }
        }
        error("must be an integer, got \"" + s.getValue() + "\"");
        return null;
    }

    /** YAML 1.1 integers, as Kubernetes reads them: {@code 0400} is octal, {@code 0x1F} hex, {@code 0b101} binary. */
    static long parseYaml11Int(String text) {
        String t = text.replace("_", "");
        boolean negative = t.startsWith("-");
        if (negative || t.startsWith("+")) {
            t = t.substring(1);
        }
        long v;
        if (t.startsWith("0x")) {
            v = Long.parseLong(t.substring(2), 16);
        } else if (t.startsWith("0b")) {
            v = Long.parseLong(t.substring(2), 2);
        } else if (t.startsWith("0o")) {
            v = Long.parseLong(t.substring(2), 8);
        } else if (t.length() > 1 && t.startsWith("0")) {
            v = Long.parseLong(t.substring(1), 8);
        } else {
            v = Long.parseLong(t);
        }
        return negative ? -v : v;
    }

    int integer(int fallback) {
        Long v = integer();
        return v == null ? fallback : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }

    boolean bool(boolean fallback) {
        ScalarNode s = scalar("true or false");
        if (s == null) {
            return fallback;
        }
        if (!s.getTag().equals(Tag.BOOL)) {
            error("must be true or false, got \"" + s.getValue() + "\"");
            return fallback;
        }
        return Boolean.parseBoolean(s.getValue().toLowerCase(java.util.Locale.ROOT));
    }

    /** An int-or-string value (a number or a percentage, say) as its text, or null when absent. */
    String intOrString() {
        ScalarNode s = scalar("a number or a string");
        return s == null ? null : s.getValue();
    }

    /** An int-or-string port: a number, or the name of a container port. */
    PortRef portRef() {
        ScalarNode s = scalar("a port number or name");
        if (s == null) {
            return null;
        }
        if (s.getTag().equals(Tag.INT)) {
            Long n = integer();
            if (n == null || n < 1 || n > 65535) {
                error("port " + s.getValue() + " is outside 1..65535");
                return null;
            }
            return PortRef.of(n.intValue());
        }
        if (s.getTag().equals(Tag.STR) && !s.getValue().isEmpty()) {
            return PortRef.named(s.getValue());
        }
        error("must be a port number or name");
        return null;
    }

    List<Field> list() {
        List<Field> items = new ArrayList<>();
        if (!present()) {
            return items;
        }
        if (!(node instanceof SequenceNode seq)) {
            error("must be a list");
            return items;
        }
        int i = 0;
        for (Node item : seq.getValue()) {
            items.add(new Field(item, path + "[" + i++ + "]", file, item.getStartMark().getLine() + 1, problems));
        }
        return items;
    }

    List<String> strings() {
        List<String> values = new ArrayList<>();
        for (Field item : list()) {
            String s = item.string();
            if (s != null) {
                values.add(s);
            }
        }
        return values;
    }

    /** The entries of an object, each as a field named by its key. */
    Map<String, Field> entries() {
        Map<String, Field> entries = new LinkedHashMap<>();
        if (!present()) {
            return entries;
        }
        if (!(node instanceof MappingNode mapping)) {
            error("must be an object");
            return entries;
        }
        for (NodeTuple t : mapping.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                error("keys must be strings");
                continue;
            }
            String childPath = path + "[\"" + k.getValue() + "\"]";
            problems.consume(mapping, k.getValue());
            Node v = t.getValueNode();
            entries.put(k.getValue(), new Field(v, childPath, file, k.getStartMark().getLine() + 1, problems));
        }
        return entries;
    }

    /** An object whose values are strings: labels, annotations, ConfigMap data. */
    Map<String, String> stringMap() {
        Map<String, String> values = new LinkedHashMap<>();
        entries().forEach((k, v) -> {
            String s = v.string();
            if (s != null) {
                values.put(k, s);
            }
        });
        return values;
    }

    /** A resource quantity ({@code 128Mi}, {@code 0.5}, {@code 2}) as written. */
    /** A Kubernetes quantity ({@code 128Mi}, {@code 500m}, {@code 2}); anything else is an error here, not at play. */
    String quantity() {
        ScalarNode s = scalar("a quantity");
        if (s == null) {
            return null;
        }
        if (!s.getValue().strip().matches("[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?")) {
            error("\"" + s.getValue() + "\" is not a quantity (a number with an optional suffix such as 128Mi, 1G or 500m)");
            return null;
        }
        return s.getValue();
    }

    /** Like {@link #stringMap()}, but with quantities as values (resource limits and requests). */
    Map<String, String> quantityMap() {
        Map<String, String> values = new LinkedHashMap<>();
        entries().forEach((k, v) -> {
            String q = v.quantity();
            if (q != null) {
                values.put(k, q);
            }
        });
        return values;
    }

    private ScalarNode scalar(String expected) {
        if (!present()) {
            return null;
        }
        if (node instanceof ScalarNode s) {
            return s;
        }
        error("must be " + expected);
        return null;
    }
}
