package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code scale} subresource ({@code kubectl scale}): an {@code autoscaling/v1} Scale read from
 * and written to the object's {@code spec.replicas}.
 */
final class Scale {
    private Scale() {}

    static ApiReply handle(Objects objects, ApiRequest request, Resource r, String namespace, String name) {
        ObjectNode current = objects.get(r, namespace, name);
        return switch (request.method()) {
            case "GET" -> ApiReply.json(200, ObjectStore.write(of(current)));
            case "PUT", "PATCH" -> {
                JsonNode body = Bodies.tree(request);
                ObjectNode scale = of(current);
                if (request.method().equals("PATCH")) {
                    String type = request.contentType() == null ? "" : request.contentType().split(";")[0].strip();
                    scale = switch (type) {
                        case "application/json-patch+json" -> Patches.json(scale, body);
                        case "application/merge-patch+json" -> Patches.merge(scale, body);
                        default -> Patches.strategic(scale, body);
                    };
                } else {
                    scale = (ObjectNode) body;
                }
                if (!scale.path("spec").path("replicas").canConvertToInt() || scale.path("spec").path("replicas").asInt() < 0) {
                    throw ApiError.invalid(r, "Scale", name, java.util.List.of(new ApiError.Cause("spec.replicas", "Invalid value: must be greater than or equal to 0")));
                }
                ObjectNode next = current.deepCopy();
                Objects.metadata(next).remove("resourceVersion");
                ((ObjectNode) next.with("spec")).put("replicas", scale.path("spec").path("replicas").asInt());
                long expected = Long.parseLong(current.path("metadata").path("resourceVersion").asText("0"));
                String asked = scale.path("metadata").path("resourceVersion").asText("");
                if (!asked.isEmpty() && !asked.equals(Long.toString(expected))) {
                    throw ApiError.conflict(r, name, "the object has been modified; please apply your changes to the latest version and try again");
                }
                ObjectNode written = objects.write(r, current, next, expected, request.param("fieldManager") == null ? "kubectl" : request.param("fieldManager"),
                        false, request.param("dryRun") != null, null);
                yield ApiReply.json(200, ObjectStore.write(of(written)));
            }
            default -> throw ApiError.methodNotAllowed(request.method() + " is not allowed on scale");
        };
    }

    private static ObjectNode of(ObjectNode o) {
        ObjectNode s = Objects.F.objectNode().put("kind", "Scale").put("apiVersion", "autoscaling/v1");
        ObjectNode meta = s.putObject("metadata");
        for (String f : new String[] {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
            if (o.path("metadata").has(f)) {
                meta.set(f, o.path("metadata").get(f));
            }
        }
        s.putObject("spec").put("replicas", o.path("spec").path("replicas").asInt(1));
        ObjectNode status = s.putObject("status").put("replicas", o.path("status").path("replicas").asInt(0));
        JsonNode labels = o.path("spec").path("selector").path("matchLabels");
        if (!labels.isMissingNode()) {
            java.util.List<String> terms = new java.util.ArrayList<>();
            labels.fields().forEachRemaining(f -> terms.add(f.getKey() + "=" + f.getValue().asText()));
            status.put("selector", String.join(",", terms));
        }
        return s;
    }
}
