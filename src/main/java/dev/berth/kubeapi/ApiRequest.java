package dev.berth.kubeapi;

import java.util.List;
import java.util.Map;

/**
 * A request as the API handles it, whatever served it.
 *
 * @param path   decoded, without the query
 * @param user   the client certificate's subject, or null when the client gave none
 * @param upgrade the protocol the client asks to switch to ({@code websocket}, {@code SPDY/3.1}), or null
 */
public record ApiRequest(String method, String path, Map<String, List<String>> query, String accept, String contentType, byte[] body,
        String user, String userAgent, String upgrade) {

    /** The first value of a query parameter, or null. */
    public String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public boolean flag(String name) {
        return "true".equals(param(name)) || "1".equals(param(name));
    }

    /** Whether the client asked for a Table ({@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}). */
    public boolean wantsTable() {
        return accept != null && accept.contains("as=Table");
    }
}
