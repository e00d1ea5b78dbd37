package dev.berth.kubeapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.api.BerthException;
import dev.berth.manifest.YamlJson;
import java.nio.charset.StandardCharsets;

/** A request's body as a JSON tree: JSON, or YAML (server-side apply may send either). */
final class Bodies {
    private Bodies() {}

    static JsonNode tree(ApiRequest request) {
        String type = request.contentType() == null ? "" : request.contentType();
        if (type.startsWith(Protobuf.TYPE)) {
            return Protobuf.read(request.body());
        }
        if (type.contains("cbor")) {
            throw ApiError.unsupportedMediaType(type);
        }
        String text = new String(request.body(), StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw ApiError.badRequest("the request has no body");
        }
        try {
            return ObjectStore.JSON.readTree(text);
        } catch (JsonProcessingException notJson) {
            try {
                return ObjectStore.JSON.readTree(YamlJson.toJson(text));
            } catch (JsonProcessingException | BerthException e) {
                throw ApiError.badRequest("the body of the request is not JSON or YAML: " + notJson.getOriginalMessage());
            }
        }
    }

    static ObjectNode object(ApiRequest request) {
        JsonNode tree = tree(request);
        if (!tree.isObject()) {
            throw ApiError.badRequest("the body of the request is not an object");
        }
        return (ObjectNode) tree;
    }
}
