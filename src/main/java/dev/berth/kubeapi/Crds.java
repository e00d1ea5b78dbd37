package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CustomResourceDefinitions: checked as the real server checks their names, and served: each
 * served version a resource whose objects are stored as they are written (their schema is
 * published for clients; berth runs nothing for them), Established at once.
 */
final class Crds {
    private Crds() {}

    static void check(Resource r, ObjectNode crd) {
        JsonNode spec = crd.path("spec");
        String name = crd.path("metadata").path("name").asText();
        List<ApiError.Cause> causes = new ArrayList<>();
        String group = spec.path("group").asText("");
        String plural = spec.path("names").path("plural").asText("");
        if (group.isEmpty()) {
            causes.add(new ApiError.Cause("spec.group", "Required value"));
        }
        if (plural.isEmpty()) {
            causes.add(new ApiError.Cause("spec.names.plural", "Required value"));
        }
        if (spec.path("names").path("kind").asText("").isEmpty()) {
            causes.add(new ApiError.Cause("spec.names.kind", "Required value"));
        }
        if (!name.equals(plural + "." + group)) {
            causes.add(new ApiError.Cause("metadata.name", "Invalid value: \"" + name + "\": must be spec.names.plural+\".\"+spec.group"));
        }
        if (!spec.path("versions").isArray() || spec.path("versions").isEmpty()) {
            causes.add(new ApiError.Cause("spec.versions", "Required value: must have exactly one version marked as storage version"));
        }
        if (!causes.isEmpty()) {
            throw ApiError.invalid(r, "CustomResourceDefinition.apiextensions.k8s.io", name, causes);
        }
        ObjectNode status = crd.putObject("status");
        String now = Objects.now();
        var conditions = status.putArray("conditions");
        conditions.addObject().put("type", "NamesAccepted").put("status", "True").put("reason", "NoConflicts").put("message", "no conflicts found")
                .put("lastTransitionTime", now);
        conditions.addObject().put("type", "Established").put("status", "True").put("reason", "InitialNamesAccepted")
                .put("message", "the initial names have been accepted").put("lastTransitionTime", now);
        status.set("acceptedNames", spec.path("names").deepCopy());
        var stored = status.putArray("storedVersions");
        spec.path("versions").forEach(v -> {
            if (v.path("storage").asBoolean(false)) {
                stored.add(v.path("name").asText());
            }
        });
    }

    /** The resources a definition serves, each with its schema. */
    static Map<Resource, ObjectNode> resources(ObjectNode crd) {
        Map<Resource, ObjectNode> out = new LinkedHashMap<>();
        JsonNode spec = crd.path("spec");
        JsonNode names = spec.path("names");
        for (JsonNode v : spec.path("versions")) {
            if (!v.path("served").asBoolean(true)) {
                continue;
            }
            List<String> shortNames = new ArrayList<>();
            names.path("shortNames").forEach(n -> shortNames.add(n.asText()));
            List<String> categories = new ArrayList<>();
            names.path("categories").forEach(n -> categories.add(n.asText()));
            List<String> subresources = new ArrayList<>();
            v.path("subresources").fieldNames().forEachRemaining(subresources::add);
            Resource r = new Resource(spec.path("group").asText(), v.path("name").asText(), names.path("kind").asText(), names.path("plural").asText(),
                    !spec.path("scope").asText("Namespaced").equals("Cluster"), shortNames, subresources, categories);
            JsonNode schema = v.path("schema").path("openAPIV3Schema");
            out.put(r, schema.isObject() ? (ObjectNode) schema.deepCopy()
                    : Objects.F.objectNode().put("type", "object").put("x-kubernetes-preserve-unknown-fields", true));
        }
        return out;
    }

    static List<Resource> served(ObjectNode crd) {
        return List.copyOf(resources(crd).keySet());
    }
}
