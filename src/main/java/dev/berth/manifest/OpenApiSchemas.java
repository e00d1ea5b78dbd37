package dev.berth.manifest;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * OpenAPI v3 schemas of built-in kinds, derived from fabric8's kubernetes-model (the same model
 * berth checks manifests against): each kind and every type under it, with the types a client
 * reads ({@code integer}, {@code boolean}, int-or-string, maps, lists) and the
 * {@code x-kubernetes-group-version-kind} that says which schema is a kind's. Field descriptions
 * are not in the model, so {@code kubectl explain} shows the fields and their types without them.
 */
public final class OpenApiSchemas {
    private OpenApiSchemas() {}

    private static final String MODEL = "io.fabric8.kubernetes.api.model.";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** fabric8's types of the kinds the schema file does not list. */
    private static final Map<String, String> MORE = Map.ofEntries(Map.entry("Node", "Node"), Map.entry("Event", "Event"),
            Map.entry("PodTemplate", "PodTemplate"), Map.entry("ControllerRevision", "apps.ControllerRevision"),
            Map.entry("EndpointSlice", "discovery.v1.EndpointSlice"), Map.entry("Lease", "coordination.v1.Lease"));

    /** A kind asked for: its group, version and kind. */
    public record Kind(String group, String version, String kind) {}

    /** The name of a kind's schema in the document ({@code io.k8s.api.apps.v1.Deployment}). */
    public static String schemaName(Kind k) {
        return "io.k8s.api." + (k.group().isEmpty() ? "core" : k.group().split("\\.")[0]) + "." + k.version() + "." + k.kind();
    }

    /**
     * The {@code components.schemas} of a group version's document, as JSON text: each kind's schema
     * under {@link #schemaName}, its types beside it; a kind fabric8 does not know is an open object.
     */
    public static String schemas(List<Kind> kinds) {
        ObjectNode schemas = F.objectNode();
        Deque<Class<?>> queue = new ArrayDeque<>();
        Map<String, Class<?>> named = new TreeMap<>();
        for (Kind k : kinds) {
            Class<?> c = type(k.kind());
            ObjectNode s;
            if (c == null) {
                s = F.objectNode().put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
            } else {
                s = object(c, queue);
            }
            s.putArray("x-kubernetes-group-version-kind").addObject().put("group", k.group()).put("kind", k.kind()).put("version", k.version());
            schemas.set(schemaName(k), s);
        }
        while (!queue.isEmpty()) {
            Class<?> c = queue.pop();
            if (named.containsKey(name(c))) {
                continue;
            }
            named.put(name(c), c);
            schemas.set(name(c), object(c, queue));
        }
        return schemas.toString();
    }

    private static Class<?> type(String kind) {
        KubernetesSchema.Kind k = KubernetesSchema.get().kind(kind);
        String type = k != null ? k.type() : MORE.get(kind);
        if (type == null) {
            return null;
        }
        try {
            return Class.forName(MODEL + type);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private static ObjectNode object(Class<?> c, Deque<Class<?>> queue) {
        ObjectNode s = F.objectNode().put("type", "object").put("description", "");
        ObjectNode properties = s.putObject("properties");
        BeanDescription d = MAPPER.getDeserializationConfig().introspect(MAPPER.constructType(c));
        for (BeanPropertyDefinition p : d.findProperties()) {
            if (p.getName().equals("additionalProperties") || !p.couldDeserialize()) {
                continue;
            }
            properties.set(p.getName(), schema(p.getPrimaryType(), queue).put("description", ""));
        }
        return s;
    }

    private static ObjectNode schema(JavaType t, Deque<Class<?>> queue) {
        if (t.isCollectionLikeType() || t.isArrayType()) {
            ObjectNode s = F.objectNode().put("type", "array");
            s.set("items", schema(t.getContentType(), queue));
            return s;
        }
        if (t.isMapLikeType()) {
            ObjectNode s = F.objectNode().put("type", "object");
            s.set("additionalProperties", schema(t.getContentType(), queue));
            return s;
        }
        Class<?> raw = t.getRawClass();
        String n = raw.getName();
        if (raw == String.class || n.endsWith(".Quantity") || n.endsWith(".Duration") || n.endsWith(".MicroTime") || n.endsWith(".Time")) {
            return F.objectNode().put("type", "string");
        }
        if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
            return F.objectNode().put("type", "integer").put("format", raw == Long.class || raw == long.class ? "int64" : "int32");
        }
        if (raw == Boolean.class || raw == boolean.class) {
            return F.objectNode().put("type", "boolean");
        }
        if (raw == Double.class || raw == double.class || raw == Float.class || raw == float.class) {
            return F.objectNode().put("type", "number").put("format", "double");
        }
        if (n.endsWith(".IntOrString")) {
            return F.objectNode().put("x-kubernetes-int-or-string", true);
        }
        if (!n.startsWith("io.fabric8.") || n.endsWith(".AnyType") || n.endsWith(".JSONSchemaProps") || n.contains(".runtime.") || raw.isInterface()
                || raw == Object.class) {
            return F.objectNode().put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
        }
        queue.add(raw);
        ObjectNode ref = F.objectNode();
        ref.putArray("allOf").addObject().put("$ref", "#/components/schemas/" + name(raw));
        return ref;
    }

    /** {@code io.k8s.api.apps.DeploymentSpec}, {@code io.k8s.api.core.Container}: a type's name, from its fabric8 package. */
    private static String name(Class<?> c) {
        String rest = c.getName().startsWith(MODEL) ? c.getName().substring(MODEL.length()) : c.getSimpleName();
        return "io.k8s.api." + (rest.contains(".") ? rest : "core." + rest);
    }
}
