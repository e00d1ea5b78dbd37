package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.engine.Berth;
import java.util.List;
import java.util.function.Consumer;

/** What the engine does with the API's objects, and what its live state shows through them. */
final class Controllers implements AutoCloseable {
    private final Berth berth;
    private final Resources resources;
    private final ObjectStore store;
    private final Consumer<String> log;

    Controllers(Berth berth, Resources resources, ObjectStore store, Consumer<String> log) {
        this.berth = berth;
        this.resources = resources;
        this.store = store;
        this.log = log;
    }

    void start() {}

    void admit(Resource r, ObjectNode object, ObjectNode old) {}

    void changed(Resource r, ObjectNode object) {}

    void removed(Resource r, ObjectNode object, boolean cascade) {}

    void namespaceGone(ObjectNode namespace) {}

    List<String> warnings(ObjectNode object) {
        return List.of();
    }

    ApiReply log(ApiRequest request, ObjectNode pod) {
        throw ApiError.methodNotAllowed("not yet");
    }

    @Override
    public void close() {}
}
