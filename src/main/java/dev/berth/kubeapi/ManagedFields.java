package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who set which field ({@code metadata.managedFields}, in the {@code FieldsV1} form the real
 * server writes: {@code {"f:spec":{"f:replicas":{}}}}, list items by their merge key as
 * {@code "k:{\"name\":\"web\"}"}), and server-side apply on top of it: an apply sets what its
 * configuration holds, removes what the same manager applied before and no longer holds (unless
 * another manager owns it too), and stops with 409 Conflict when it would change a value another
 * manager set, naming each field, unless forced (then the field changes hands).
 */
final class ManagedFields {
    private ManagedFields() {}

    /** What an apply makes: the object and its managedFields. */
    record Applied(ObjectNode object, ArrayNode managedFields) {}

    /** metadata fields no manager owns. */
    private static final Set<String> SERVER_META = Set.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp", "generation",
            "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds");

    /**
     * A write that is not an apply: {@code manager} (null: none, the server's own write) owns the
     * fields whose values it changed, which other managers no longer own; {@code applied}, when
     * given, is an apply's managedFields, taken as they are.
     */
    static void update(ObjectNode next, ObjectNode current, String manager, String apiVersion, ArrayNode applied) {
        ObjectNode meta = Objects.metadata(next);
        if (applied != null) {
            meta.set("managedFields", applied);
            return;
        }
        ArrayNode entries = current == null ? Objects.F.arrayNode() : ((ArrayNode) current.path("metadata").path("managedFields")).deepCopy();
        if (current != null && current.path("metadata").path("managedFields").isMissingNode()) {
            entries = Objects.F.arrayNode();
        }
        if (manager != null) {
            Set<List<String>> changed = new LinkedHashSet<>();
            for (List<String> leaf : leaves(fields(next))) {
                if (current == null || !valueAt(next, leaf).equals(valueAt(current, leaf))) {
                    changed.add(leaf);
                }
            }
            if (!changed.isEmpty()) {
                disown(entries, changed, manager, "Update");
                ObjectNode mine = entry(entries, manager, "Update", apiVersion);
                ObjectNode set = (ObjectNode) mine.get("fieldsV1");
                changed.forEach(leaf -> add(set, leaf));
                mine.put("time", Objects.now());
            }
        }
        if (entries.isEmpty()) {
            meta.remove("managedFields");
        } else {
            meta.set("managedFields", entries);
        }
    }

    /** Server-side apply of {@code config} by {@code manager} over {@code current} (null: a new object). */
    static Applied apply(ObjectNode current, ObjectNode config, String manager, boolean force) {
        String apiVersion = config.path("apiVersion").asText();
        ObjectNode applied = fields(config);
        Set<List<String>> wanted = new LinkedHashSet<>(leaves(applied));
        if (current == null) {
            ArrayNode entries = Objects.F.arrayNode();
            ObjectNode mine = entry(entries, manager, "Apply", apiVersion);
            mine.set("fieldsV1", applied);
            return new Applied(config.deepCopy(), entries);
        }
        ArrayNode entries = current.path("metadata").path("managedFields").isArray()
                ? ((ArrayNode) current.path("metadata").get("managedFields")).deepCopy() : Objects.F.arrayNode();
        List<String> conflicts = new ArrayList<>();
        Set<List<String>> taken = new LinkedHashSet<>();
        for (JsonNode e : entries) {
            if (e.path("manager").asText().equals(manager) && e.path("operation").asText().equals("Apply")) {
                continue;
            }
            for (List<String> leaf : leaves(e.path("fieldsV1"))) {
                if (wanted.contains(leaf) && !valueAt(config, leaf).equals(valueAt(current, leaf))) {
                    conflicts.add("conflict with \"" + e.path("manager").asText() + "\"" + (e.path("operation").asText().equals("Update")
                            ? " using " + e.path("apiVersion").asText() : "") + ": " + dotted(leaf));
                    taken.add(leaf);
                }
            }
        }
        if (!conflicts.isEmpty() && !force) {
            throw new ApiError(409, "Conflict", "Apply failed with " + conflicts.size() + " conflict" + (conflicts.size() == 1 ? "" : "s") + ": "
                    + String.join("\n", conflicts), null, config.path("metadata").path("name").asText(), List.of());
        }
        disown(entries, taken, manager, "Apply");
        Set<List<String>> before = new LinkedHashSet<>();
        for (JsonNode e : entries) {
            if (e.path("manager").asText().equals(manager) && e.path("operation").asText().equals("Apply")) {
                before.addAll(leaves(e.path("fieldsV1")));
            }
        }
        Set<List<String>> others = new LinkedHashSet<>();
        for (JsonNode e : entries) {
            if (!(e.path("manager").asText().equals(manager) && e.path("operation").asText().equals("Apply"))) {
                others.addAll(leaves(e.path("fieldsV1")));
            }
        }
        ObjectNode object = current.deepCopy();
        for (List<String> leaf : before) {
            if (!wanted.contains(leaf) && !others.contains(leaf)) {
                remove(object, leaf);
            }
        }
        object = Patches.strategic(object, config);
        ObjectNode mine = entry(entries, manager, "Apply", apiVersion);
        mine.set("fieldsV1", applied);
        mine.put("time", Objects.now());
        return new Applied(object, entries);
    }

    /** The manager's entry for this operation, made when missing. */
    private static ObjectNode entry(ArrayNode entries, String manager, String operation, String apiVersion) {
        for (JsonNode e : entries) {
            if (e.path("manager").asText().equals(manager) && e.path("operation").asText().equals(operation)) {
                ((ObjectNode) e).put("apiVersion", apiVersion);
                return (ObjectNode) e;
            }
        }
        ObjectNode e = entries.addObject().put("manager", manager).put("operation", operation).put("apiVersion", apiVersion)
                .put("time", Objects.now()).put("fieldsType", "FieldsV1");
        e.putObject("fieldsV1");
        return e;
    }

    /** Takes these fields from every entry but {@code manager}'s {@code operation}; entries left with nothing go. */
    private static void disown(ArrayNode entries, Set<List<String>> fields, String manager, String operation) {
        for (Iterator<JsonNode> it = entries.iterator(); it.hasNext();) {
            JsonNode e = it.next();
            if (e.path("manager").asText().equals(manager) && e.path("operation").asText().equals(operation)) {
                continue;
            }
            ObjectNode set = (ObjectNode) e.path("fieldsV1");
            fields.forEach(f -> drop(set, f, 0));
            if (set.isEmpty()) {
                it.remove();
            }
        }
    }

    /** The field set of an object: every field, list items of merge-keyed lists by their key. */
    static ObjectNode fields(JsonNode object) {
        ObjectNode set = Objects.F.objectNode();
        object.fields().forEachRemaining(f -> {
            if (f.getKey().equals("apiVersion") || f.getKey().equals("kind") || f.getKey().equals("status")) {
                return;
            }
            if (f.getKey().equals("metadata")) {
                ObjectNode meta = Objects.F.objectNode();
                f.getValue().fields().forEachRemaining(m -> {
                    if (!SERVER_META.contains(m.getKey())) {
                        meta.set("f:" + m.getKey(), fieldsOf(m.getKey(), m.getValue()));
                    }
                });
                if (!meta.isEmpty()) {
                    set.set("f:metadata", meta);
                }
                return;
            }
            set.set("f:" + f.getKey(), fieldsOf(f.getKey(), f.getValue()));
        });
        return set;
    }

    private static ObjectNode fieldsOf(String name, JsonNode value) {
        ObjectNode set = Objects.F.objectNode();
        if (value.isObject()) {
            value.fields().forEachRemaining(f -> set.set("f:" + f.getKey(), fieldsOf(f.getKey(), f.getValue())));
        } else if (value.isArray()) {
            String key = Patches.mergeKey(name, value);
            if (key != null) {
                for (JsonNode item : value) {
                    if (item.isObject() && item.has(key)) {
                        ObjectNode element = fieldsOf(name + "[]", item);
                        element.putObject(".");
                        set.set("k:" + ObjectStore.write(Objects.F.objectNode().set(key, item.get(key))), element);
                    }
                }
            } else if (Patches.isSet(name)) {
                for (JsonNode item : value) {
                    set.putObject("v:" + ObjectStore.write(item));
                }
            }
        }
        return set;
    }

    /** The paths of a field set's leaves (a field with no fields under it, or an item's own "."). */
    static List<List<String>> leaves(JsonNode set) {
        List<List<String>> out = new ArrayList<>();
        leaves(set, new ArrayList<>(), out);
        return out;
    }

    private static void leaves(JsonNode set, List<String> path, List<List<String>> out) {
        if (set.isEmpty()) {
            if (!path.isEmpty()) {
                out.add(List.copyOf(path));
            }
            return;
        }
        set.fields().forEachRemaining(f -> {
            path.add(f.getKey());
            leaves(f.getValue(), path, out);
            path.remove(path.size() - 1);
        });
    }

    private static void add(ObjectNode set, List<String> path) {
        ObjectNode node = set;
        for (String p : path) {
            node = node.has(p) ? (ObjectNode) node.get(p) : node.putObject(p);
        }
    }

    /** Drops a leaf from a set, and the parents it leaves empty. */
    private static boolean drop(ObjectNode set, List<String> path, int i) {
        JsonNode child = set.get(path.get(i));
        if (child == null) {
            return set.isEmpty();
        }
        if (i == path.size() - 1 || drop((ObjectNode) child, path, i + 1)) {
            set.remove(path.get(i));
        }
        return set.isEmpty();
    }

    /** The value at a field path of an object, or a missing node. */
    static JsonNode valueAt(JsonNode object, List<String> path) {
        JsonNode node = object;
        for (String p : path) {
            node = step(node, p);
            if (node == null || node.isMissingNode()) {
                return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            }
        }
        return node;
    }

    private static JsonNode step(JsonNode node, String segment) {
        if (segment.equals(".")) {
            return node;
        }
        if (segment.startsWith("f:")) {
            return node.path(segment.substring(2));
        }
        if (node.isArray()) {
            JsonNode wanted = ObjectStore.parse(segment.startsWith("k:") ? segment.substring(2) : "{\"v\":" + segment.substring(2) + "}");
            for (JsonNode item : node) {
                if (segment.startsWith("v:") ? item.equals(wanted.get("v")) : matches(item, wanted)) {
                    return item;
                }
            }
        }
        return null;
    }

    private static boolean matches(JsonNode item, JsonNode key) {
        for (Iterator<Map.Entry<String, JsonNode>> it = key.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> k = it.next();
            if (!k.getValue().equals(item.get(k.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Removes the field (or list item) at a path from an object. */
    private static void remove(ObjectNode object, List<String> path) {
        List<String> p = path.get(path.size() - 1).equals(".") ? path.subList(0, path.size() - 1) : path;
        if (p.isEmpty()) {
            return;
        }
        JsonNode parent = valueAt(object, p.subList(0, p.size() - 1));
        String last = p.get(p.size() - 1);
        if (parent instanceof ObjectNode o && last.startsWith("f:")) {
            o.remove(last.substring(2));
        } else if (parent instanceof ArrayNode a) {
            JsonNode item = step(a, last);
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i) == item) {
                    a.remove(i);
                    break;
                }
            }
        }
    }

    /** {@code .spec.replicas}, {@code .spec.template.spec.containers[name="web"].image}: a path as the real server's conflicts name it. */
    private static String dotted(List<String> path) {
        StringBuilder s = new StringBuilder();
        for (String p : path) {
            if (p.startsWith("f:")) {
                s.append('.').append(p.substring(2));
            } else if (p.startsWith("k:")) {
                JsonNode key = ObjectStore.parse(p.substring(2));
                key.fields().forEachRemaining(k -> s.append('[').append(k.getKey()).append('=').append(k.getValue()).append(']'));
            } else if (p.startsWith("v:")) {
                s.append('[').append(p.substring(2)).append(']');
            }
        }
        return s.toString();
    }
}
