package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.manifest.OpenApiSchemas;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenAPI v3 documents: {@code /openapi/v3} lists a document per group version, each with
 * the paths of its resources (the PATCH of each kind takes {@code fieldValidation}, so kubectl
 * leaves validation to the server, which checks with berth's own reader) and the schemas of its
 * kinds, from fabric8's model (built-in) or a CRD's {@code openAPIV3Schema} (custom), with the
 * merge keys of strategic merge and server-side apply. {@code kubectl explain} reads them.
 * {@code /openapi/v2} is not served (404): kubectl falls back to its built-in types.
 */
final class OpenApi {
    private final Resources resources;
    /** Documents by group version and the resources they were made from. */
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    OpenApi(Resources resources) {
        this.resources = resources;
    }

    ApiReply serve(String path, ApiRequest request) {
        if (path.equals("/openapi/v3")) {
            ObjectNode index = Objects.F.objectNode();
            ObjectNode paths = index.putObject("paths");
            resources.groups().forEach((group, versions) -> {
                for (String v : versions) {
                    String gv = group.isEmpty() ? "api/" + v : "apis/" + group + "/" + v;
                    paths.putObject(gv).put("serverRelativeURL", "/openapi/v3/" + gv + "?hash=" + hash(group, v));
                }
            });
            return ApiReply.json(200, ObjectStore.write(index));
        }
        if (path.startsWith("/openapi/v3/")) {
            String[] p = path.substring("/openapi/v3/".length()).split("/");
            String group = p[0].equals("api") && p.length == 2 ? "" : p.length == 3 && p[0].equals("apis") ? p[1] : null;
            String version = p[p.length - 1];
            if (group != null && resources.groups().getOrDefault(group, List.of()).contains(version)) {
                byte[] doc = cache.computeIfAbsent(group + "/" + version + "#" + hash(group, version),
                        k -> ObjectStore.write(document(group, version)).getBytes(StandardCharsets.UTF_8));
                return new ApiReply(200, ApiReply.JSON, doc, null, List.of());
            }
        }
        throw ApiError.notFoundPath(path);
    }

    /** Changes when the group version's resources change (a CRD's schema). */
    private String hash(String group, String version) {
        StringBuilder s = new StringBuilder();
        for (Resource r : resources.all()) {
            if (r.group().equals(group) && r.version().equals(version)) {
                s.append(r.key()).append(r.kind());
                resources.customSchema(r).ifPresent(schema -> s.append(schema.hashCode()));
            }
        }
        return String.format("%08X", s.toString().hashCode());
    }

    private ObjectNode document(String group, String version) {
        ObjectNode doc = Objects.F.objectNode().put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes (berth)").put("version", "v" + Discovery.MAJOR + "." + Discovery.MINOR + ".0");
        ObjectNode paths = doc.putObject("paths");
        List<OpenApiSchemas.Kind> builtIn = new ArrayList<>();
        ObjectNode schemas = doc.putObject("components").putObject("schemas");
        for (Resource r : resources.all()) {
            if (!r.group().equals(group) || !r.version().equals(version)) {
                continue;
            }
            OpenApiSchemas.Kind kind = new OpenApiSchemas.Kind(r.group(), r.version(), r.kind());
            var custom = resources.customSchema(r);
            if (custom.isPresent()) {
                ObjectNode s = custom.get().deepCopy();
                s.putArray("x-kubernetes-group-version-kind").addObject().put("group", r.group()).put("kind", r.kind()).put("version", r.version());
                schemas.set(OpenApiSchemas.schemaName(kind), s);
            } else {
                builtIn.add(kind);
            }
            paths(paths, r, OpenApiSchemas.schemaName(kind));
        }
        if (!builtIn.isEmpty()) {
            schemas.setAll((ObjectNode) ObjectStore.parse(OpenApiSchemas.schemas(builtIn)));
        }
        schemas.fields().forEachRemaining(e -> mergeKeys(e.getKey(), e.getValue()));
        return doc;
    }

    /** The strategic merge and list-map keys of a schema's list fields. */
    private static void mergeKeys(String name, JsonNode schema) {
        JsonNode properties = schema.path("properties");
        properties.fields().forEachRemaining(p -> {
            if (!p.getValue().path("type").asText().equals("array")) {
                return;
            }
            String key = p.getKey().equals("ports") ? (name.endsWith("ServiceSpec") ? "port" : "containerPort")
                    : Patches.mergeKey(p.getKey(), Objects.F.arrayNode());
            ObjectNode list = (ObjectNode) p.getValue();
            if (key != null) {
                list.put("x-kubernetes-patch-merge-key", key).put("x-kubernetes-patch-strategy", "merge").put("x-kubernetes-list-type", "map");
                list.putArray("x-kubernetes-list-map-keys").add(key);
            } else if (Patches.isSet(p.getKey())) {
                list.put("x-kubernetes-patch-strategy", "merge").put("x-kubernetes-list-type", "set");
            }
        });
    }

    private static void paths(ObjectNode paths, Resource r, String schema) {
        String prefix = r.group().isEmpty() ? "/api/" + r.version() : "/apis/" + r.group() + "/" + r.version();
        String collection = prefix + (r.namespaced() ? "/namespaces/{namespace}/" : "/") + r.plural();
        ObjectNode list = paths.putObject(collection);
        list.set("get", operation(r, "list", schema, List.of("labelSelector", "fieldSelector", "limit", "continue", "watch", "resourceVersion")));
        list.set("post", operation(r, "post", schema, List.of("dryRun", "fieldManager", "fieldValidation")));
        list.set("delete", operation(r, "deletecollection", schema, List.of("labelSelector", "fieldSelector", "dryRun")));
        ObjectNode item = paths.putObject(collection + "/{name}");
        item.set("get", operation(r, "get", schema, List.of()));
        item.set("put", operation(r, "put", schema, List.of("dryRun", "fieldManager", "fieldValidation")));
        item.set("patch", operation(r, "patch", schema, List.of("dryRun", "fieldManager", "fieldValidation", "force")));
        item.set("delete", operation(r, "delete", schema, List.of("dryRun", "gracePeriodSeconds", "propagationPolicy")));
        if (r.subresources().contains("status")) {
            ObjectNode status = paths.putObject(collection + "/{name}/status");
            status.set("get", operation(r, "get", schema, List.of()));
            status.set("patch", operation(r, "patch", schema, List.of("dryRun", "fieldManager", "fieldValidation", "force")));
        }
    }

    private static ObjectNode operation(Resource r, String action, String schema, List<String> params) {
        ObjectNode op = Objects.F.objectNode().put("operationId", action + r.kind()).put("x-kubernetes-action", action);
        op.putObject("x-kubernetes-group-version-kind").put("group", r.group()).put("kind", r.kind()).put("version", r.version());
        ArrayNode parameters = op.putArray("parameters");
        for (String p : params) {
            parameters.addObject().put("name", p).put("in", "query").put("uniqueItems", true).putObject("schema")
                    .put("type", p.equals("limit") || p.equals("gracePeriodSeconds") ? "integer" : p.equals("watch") || p.equals("force") ? "boolean" : "string");
        }
        op.putObject("responses").putObject("200").put("description", "OK").putObject("content").putObject("application/json").putObject("schema")
                .put("$ref", "#/components/schemas/" + schema);
        return op;
    }
}
