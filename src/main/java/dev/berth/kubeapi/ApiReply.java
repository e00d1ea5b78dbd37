package dev.berth.kubeapi;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the API answers: a status, a content type and a body, or a stream it writes until it ends
 * or the client leaves (a watch, a followed log); and the warnings a client shows its user.
 */
public record ApiReply(int status, String contentType, byte[] body, Stream stream, List<String> warnings) {
    public static final String JSON = "application/json";

    /** Writes a streamed body, flushing what a client must see at once. */
    public interface Stream {
        void write(OutputStream out) throws IOException;
    }

    public ApiReply {
        warnings = List.copyOf(warnings);
    }

    public static ApiReply json(int status, String json) {
        return new ApiReply(status, JSON, json.getBytes(StandardCharsets.UTF_8), null, List.of());
    }

    public static ApiReply streamed(String contentType, Stream stream) {
        return new ApiReply(200, contentType, new byte[0], stream, List.of());
    }

    public ApiReply warn(List<String> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<String> all = new java.util.ArrayList<>(warnings);
        all.addAll(more);
        return new ApiReply(status, contentType, body, stream, all);
    }
}
