package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * An API error as the real server gives it: an HTTP status with a {@code metav1.Status} body
 * whose reason a client acts on (a 404 NotFound makes {@code kubectl apply} create; 409 Conflict
 * makes a client read again; 410 Expired makes a watch list again).
 *
 * @param causes for Invalid: each field and what is wrong with it
 */
public final class ApiError extends RuntimeException {
    /** A field and what is wrong with it. */
    public record Cause(String field, String message) {}

    private final int code;
    private final String reason;
    private final Resource resource;
    private final String name;
    private final List<Cause> causes;

    ApiError(int code, String reason, String message, Resource resource, String name, List<Cause> causes) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.resource = resource;
        this.name = name;
        this.causes = List.copyOf(causes);
    }

    static ApiError notFound(Resource r, String name) {
        return new ApiError(404, "NotFound", what(r) + " \"" + name + "\" not found", r, name, List.of());
    }

    static ApiError alreadyExists(Resource r, String name) {
        return new ApiError(409, "AlreadyExists", what(r) + " \"" + name + "\" already exists", r, name, List.of());
    }

    static ApiError conflict(Resource r, String name, String why) {
        return new ApiError(409, "Conflict", "Operation cannot be fulfilled on " + what(r) + " \"" + name + "\": " + why, r, name, List.of());
    }

    static ApiError invalid(Resource r, String kind, String name, List<Cause> causes) {
        StringBuilder m = new StringBuilder(kind + " \"" + name + "\" is invalid: ");
        for (int i = 0; i < causes.size(); i++) {
            m.append(i == 0 ? "" : ", ").append(causes.get(i).field().isEmpty() ? "" : causes.get(i).field() + ": ").append(causes.get(i).message());
        }
        return new ApiError(422, "Invalid", m.toString(), r, name, causes);
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, "BadRequest", message, null, null, List.of());
    }

    static ApiError gone(String message) {
        return new ApiError(410, "Expired", message, null, null, List.of());
    }

    static ApiError methodNotAllowed(String message) {
        return new ApiError(405, "MethodNotAllowed", message, null, null, List.of());
    }

    static ApiError unsupportedMediaType(String type) {
        return new ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
                + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json", null, null, List.of());
    }

    static ApiError unauthorized() {
        return new ApiError(401, "Unauthorized", "Unauthorized", null, null, List.of());
    }

    static ApiError notFoundPath(String path) {
        return new ApiError(404, "NotFound", "the server could not find the requested resource", null, null, List.of());
    }

    static ApiError internal(String message) {
        return new ApiError(500, "InternalError", "Internal error occurred: " + message, null, null, List.of());
    }

    /** {@code deployments.apps}, {@code pods}: how the real server names a resource in its messages. */
    private static String what(Resource r) {
        return r == null ? "object" : r.key();
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    /** The {@code Status} object a client reads. */
    ObjectNode status() {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("kind", "Status").put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure").put("message", getMessage()).put("reason", reason);
        if (resource != null || name != null || !causes.isEmpty()) {
            ObjectNode d = s.putObject("details");
            if (name != null) {
                d.put("name", name);
            }
            if (resource != null) {
                d.put("group", resource.group());
                d.put("kind", resource.plural());
            }
            if (!causes.isEmpty()) {
                ArrayNode list = d.putArray("causes");
                for (Cause c : causes) {
                    list.addObject().put("reason", "FieldValueInvalid").put("message", c.message()).put("field", c.field());
                }
            }
        }
        s.put("code", code);
        return s;
    }
}
