package dev.berth.kubeapi;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The three patch types of PATCH: JSON patch (RFC 6902), JSON merge patch (RFC 7386), and
 * Kubernetes' strategic merge patch, which merges lists of named things (containers, env, ports,
 * volumes…) item by item by their merge key instead of replacing them, and reads the directives
 * {@code $patch: delete|replace|merge}, {@code $retainKeys}, {@code $deleteFromPrimitiveList/…}
 * and {@code $setElementOrder/…}. The merge keys are those of Kubernetes' types
 * ({@code patchMergeKey}), by field name.
 */
final class Patches {
    private Patches() {}

    /** List fields merged by a key, and the key: the patchMergeKey of Kubernetes' types. */
    private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
            Map.entry("containers", "name"), Map.entry("initContainers", "name"), Map.entry("ephemeralContainers", "name"),
            Map.entry("env", "name"), Map.entry("volumes", "name"), Map.entry("volumeMounts", "mountPath"),
            Map.entry("volumeDevices", "devicePath"), Map.entry("imagePullSecrets", "name"), Map.entry("hostAliases", "ip"),
            Map.entry("conditions", "type"), Map.entry("ownerReferences", "uid"), Map.entry("topologySpreadConstraints", "topologyKey"),
            Map.entry("resourceClaims", "name"), Map.entry("schedulingGates", "name"), Map.entry("containerStatuses", "name"),
            Map.entry("initContainerStatuses", "name"), Map.entry("resizePolicy", "resourceName"));
    /** Lists of plain values merged as sets ({@code patchStrategy: merge}). */
    private static final Set<String> SETS = Set.of("finalizers");

    /** The merge key of a list field, or null when the list is replaced whole; ports by containerPort (a container's) or port (a Service's). */
    static String mergeKey(String field, JsonNode list) {
        if (field.equals("ports")) {
            for (JsonNode item : list) {
                return item.has("containerPort") ? "containerPort" : item.has("port") ? "port" : null;
            }
            return null;
        }
        return MERGE_KEYS.get(field);
    }

    static boolean isSet(String field) {
        return SETS.contains(field);
    }

    /** RFC 6902: add, remove, replace, move, copy, test; a failed test or a missing path is 422. */
    static ObjectNode json(ObjectNode target, JsonNode patch) {
        if (!patch.isArray()) {
            throw ApiError.badRequest("a JSON patch is a list of operations");
        }
        JsonNode doc = target.deepCopy();
        for (JsonNode op : patch) {
            String path = op.path("path").asText();
            switch (op.path("op").asText()) {
                case "add" -> doc = add(doc, path, op.get("value"));
                case "remove" -> doc = remove(doc, path);
                case "replace" -> {
                    at(doc, path);
                    doc = add(remove(doc, path), path, op.get("value"));
                }
                case "move" -> {
                    JsonNode value = at(doc, op.path("from").asText());
                    doc = add(remove(doc, op.path("from").asText()), path, value);
                }
                case "copy" -> doc = add(doc, path, at(doc, op.path("from").asText()).deepCopy());
                case "test" -> {
                    if (!at(doc, path).equals(op.get("value"))) {
                        throw new ApiError(422, "Invalid", "the server rejected our request due to an error in our request: testing value " + path + " failed",
                                null, null, List.of());
                    }
                }
                default -> throw ApiError.badRequest("unknown JSON patch operation \"" + op.path("op").asText() + "\"");
            }
        }
        if (!doc.isObject()) {
            throw ApiError.badRequest("a JSON patch must leave an object");
        }
        return (ObjectNode) doc;
    }

    private static JsonNode at(JsonNode doc, String path) {
        JsonNode node = doc.at(JsonPointer.compile(path));
        if (node.isMissingNode()) {
            throw new ApiError(422, "Invalid", "the server rejected our request due to an error in our request: doc is missing path: \"" + path + "\"",
                    null, null, List.of());
        }
        return node;
    }

    private static JsonNode add(JsonNode doc, String path, JsonNode value) {
        if (path.isEmpty()) {
            return value.deepCopy();
        }
        JsonPointer pointer = JsonPointer.compile(path);
        JsonNode parent = at(doc, pointer.head().toString());
        String last = pointer.last().getMatchingProperty();
        if (parent instanceof ObjectNode o) {
            o.set(last, value.deepCopy());
        } else if (parent instanceof ArrayNode a) {
            if (last.equals("-")) {
                a.add(value.deepCopy());
            } else {
                int i = index(last, a.size());
                a.insert(i, value.deepCopy());
            }
        } else {
            at(doc, path + "/missing");
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, String path) {
        JsonPointer pointer = JsonPointer.compile(path);
        at(doc, path);
        JsonNode parent = at(doc, pointer.head().toString());
        String last = pointer.last().getMatchingProperty();
        if (parent instanceof ObjectNode o) {
            o.remove(last);
        } else if (parent instanceof ArrayNode a) {
            a.remove(index(last, a.size() - 1));
        }
        return doc;
    }

    private static int index(String word, int max) {
        try {
            int i = Integer.parseInt(word);
            if (i < 0 || i > max) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw new ApiError(422, "Invalid", "the server rejected our request due to an error in our request: invalid index \"" + word + "\"", null, null, List.of());
        }
    }

    /** RFC 7386: objects merged, null removes, everything else replaced. */
    static ObjectNode merge(ObjectNode target, JsonNode patch) {
        if (!patch.isObject()) {
            throw ApiError.badRequest("a merge patch must be an object");
        }
        return (ObjectNode) mergeValue(target.deepCopy(), patch);
    }

    private static JsonNode mergeValue(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode out = target != null && target.isObject() ? (ObjectNode) target : Objects.F.objectNode();
        patch.fields().forEachRemaining(f -> {
            if (f.getValue().isNull()) {
                out.remove(f.getKey());
            } else {
                out.set(f.getKey(), mergeValue(out.get(f.getKey()), f.getValue()));
            }
        });
        return out;
    }

    /** A strategic merge patch of {@code target} (which is not changed). */
    static ObjectNode strategic(ObjectNode target, JsonNode patch) {
        if (!patch.isObject()) {
            throw ApiError.badRequest("a strategic merge patch must be an object");
        }
        JsonNode out = strategicObject(target.deepCopy(), (ObjectNode) patch);
        return out == null ? Objects.F.objectNode() : (ObjectNode) out;
    }

    private static JsonNode strategicObject(ObjectNode target, ObjectNode patch) {
        String directive = patch.path("$patch").asText("");
        if (directive.equals("delete")) {
            return null;
        }
        if (directive.equals("replace")) {
            ObjectNode copy = patch.deepCopy();
            stripDirectives(copy);
            return copy;
        }
        List<String> retain = null;
        if (patch.has("$retainKeys")) {
            retain = new ArrayList<>();
            for (JsonNode k : patch.get("$retainKeys")) {
                retain.add(k.asText());
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = f.getKey();
            JsonNode value = f.getValue();
            if (key.equals("$patch") || key.equals("$retainKeys") || key.startsWith("$setElementOrder/")) {
                continue;
            }
            if (key.startsWith("$deleteFromPrimitiveList/")) {
                String field = key.substring("$deleteFromPrimitiveList/".length());
                if (target.get(field) instanceof ArrayNode list) {
                    Set<JsonNode> drop = new HashSet<>();
                    value.forEach(drop::add);
                    for (int i = list.size() - 1; i >= 0; i--) {
                        if (drop.contains(list.get(i))) {
                            list.remove(i);
                        }
                    }
                }
                continue;
            }
            if (value.isNull()) {
                target.remove(key);
            } else if (value.isObject()) {
                JsonNode merged = strategicObject(target.get(key) instanceof ObjectNode o ? o : Objects.F.objectNode(), (ObjectNode) value);
                if (merged == null) {
                    target.remove(key);
                } else {
                    target.set(key, merged);
                }
            } else if (value.isArray()) {
                target.set(key, strategicList(key, target.get(key), (ArrayNode) value));
            } else {
                target.set(key, value.deepCopy());
            }
        }
        if (retain != null) {
            final List<String> keep = retain;
            target.retain(keep);
        }
        return target;
    }

    private static JsonNode strategicList(String field, JsonNode current, ArrayNode patch) {
        for (JsonNode item : patch) {
            if (item.isObject() && item.path("$patch").asText("").equals("replace")) {
                ArrayNode replaced = Objects.F.arrayNode();
                patch.forEach(i -> {
                    if (!i.path("$patch").asText("").equals("replace")) {
                        replaced.add(i.deepCopy());
                    }
                });
                return replaced;
            }
        }
        String key = mergeKey(field, patch);
        if (key == null && field.equals("ports") && current != null) {
            key = mergeKey(field, current);
        }
        ArrayNode list = current instanceof ArrayNode a ? a.deepCopy() : Objects.F.arrayNode();
        if (isSet(field)) {
            for (JsonNode v : patch) {
                if (!contains(list, v)) {
                    list.add(v.deepCopy());
                }
            }
            return list;
        }
        if (key == null) {
            ArrayNode copy = patch.deepCopy();
            copy.forEach(i -> {
                if (i instanceof ObjectNode o) {
                    stripDirectives(o);
                }
            });
            return copy;
        }
        for (JsonNode item : patch) {
            if (!item.isObject()) {
                continue;
            }
            JsonNode id = item.get(key);
            int at = -1;
            for (int i = 0; i < list.size(); i++) {
                if (id != null && id.equals(list.get(i).get(key))) {
                    at = i;
                    break;
                }
            }
            if (item.path("$patch").asText("").equals("delete")) {
                if (at >= 0) {
                    list.remove(at);
                }
                continue;
            }
            if (at >= 0) {
                JsonNode merged = strategicObject((ObjectNode) list.get(at), (ObjectNode) item);
                list.set(at, merged);
            } else {
                ObjectNode fresh = ((ObjectNode) item).deepCopy();
                stripDirectives(fresh);
                list.add(fresh);
            }
        }
        return list;
    }

    private static boolean contains(ArrayNode list, JsonNode value) {
        for (JsonNode v : list) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static void stripDirectives(ObjectNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        for (String n : names) {
            if (n.startsWith("$")) {
                o.remove(n);
            } else if (o.get(n) instanceof ObjectNode child) {
                stripDirectives(child);
            }
        }
    }
}
