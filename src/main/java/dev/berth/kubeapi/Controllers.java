package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.api.BerthException;
import dev.berth.api.ContainerName;
import dev.berth.engine.Berth;
import dev.berth.reconcile.Desired;
import dev.berth.reconcile.PlayOptions;
import dev.berth.reconcile.PodControl;
import dev.berth.runtime.CriLog;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the engine does with the API's objects, the one place that links them: a write of desired
 * state starts a pass of the API's reconcile ({@link ApiReconcile}); the engine's state comes
 * back through {@link LiveView}; a deleted pod is stopped and removed (and a workload's comes
 * back at the next pass, as its controller would make it again); a deleted owner takes its
 * dependents with it; a CustomResourceDefinition serves its resources; {@code pods/log} reads a
 * container's log.
 */
final class Controllers implements AutoCloseable {
    private final Berth berth;
    private final Resources resources;
    private final ObjectStore store;
    private final Consumer<String> log;
    private final ApiReconcile reconcile;
    private final LiveView live;

    Controllers(Berth berth, Resources resources, ObjectStore store, PlayOptions play, Consumer<String> log, Runnable played) {
        this.berth = berth;
        this.resources = resources;
        this.store = store;
        this.log = log;
        this.reconcile = new ApiReconcile(berth, resources, store, play, log, played);
        this.live = new LiveView(berth, resources, store, reconcile, log);
    }

    void start() {
        definitions();
        live.start();
        reconcile.start();
    }

    /** Checks an object about to be written; returns the warnings its client should see. */
    List<String> admit(Resource r, ObjectNode object, ObjectNode old) {
        if (r.kind().equals("CustomResourceDefinition")) {
            Crds.check(r, object);
            return List.of();
        }
        if (!ApiReconcile.desired(r.key(), object)) {
            return List.of();
        }
        if (resources.customSchema(r).isEmpty()) {
            Defaults.apply(r.kind(), object);
        }
        if (r.kind().equals("CronJob")) {
            try {
                CronSchedule.parse(object.path("spec").path("schedule").asText(""));
            } catch (IllegalArgumentException e) {
                throw ApiError.invalid(r, r.kind(), object.path("metadata").path("name").asText(), List.of(new ApiError.Cause("spec.schedule",
                        "Invalid value: \"" + object.path("spec").path("schedule").asText("") + "\": " + e.getMessage())));
            }
            reconcile.check(r, object); // its errors; its warnings say berth's files do not schedule CronJobs, which the API does
            return List.of();
        }
        return reconcile.check(r, object);
    }

    void changed(Resource r, ObjectNode object) {
        if (r.kind().equals("CustomResourceDefinition")) {
            definitions();
        }
        if (ApiReconcile.desired(r.key(), object) || object.path("metadata").has("deletionTimestamp")) {
            reconcile.changed();
        }
    }

    /** An object is gone: its dependents go too (unless orphaned), and what it made. */
    void removed(Resource r, ObjectNode object, boolean cascade) {
        String uid = object.path("metadata").path("uid").asText();
        if (cascade && !uid.isEmpty()) {
            for (var o : store.everything()) {
                ObjectNode dependent = ObjectStore.parse(o.json());
                for (JsonNode ref : dependent.path("metadata").path("ownerReferences")) {
                    if (ref.path("uid").asText().equals(uid)) {
                        resources.byKey(o.resource()).ifPresent(dr -> store.delete(dr, dependent));
                        resources.byKey(o.resource()).ifPresent(dr -> changed(dr, dependent));
                    }
                }
            }
        }
        if (r.kind().equals("CustomResourceDefinition")) {
            Crds.served(object).forEach(cr -> store.list(cr, null).forEach(o -> store.delete(cr, o)));
            definitions();
        }
        reconcile.changed();
    }

    /** A namespace is being deleted: everything in it goes. */
    void namespaceGone(ObjectNode namespace) {
        String ns = namespace.path("metadata").path("name").asText();
        for (var o : store.everything()) {
            if (o.namespace().equals(ns)) {
                resources.byKey(o.resource()).ifPresent(r -> {
                    ObjectNode object = ObjectStore.parse(o.json());
                    if (r.key().equals("pods")) {
                        deletePod(r, object, null);
                    } else {
                        store.delete(r, object);
                    }
                });
            }
        }
        reconcile.changed();
    }

    /**
     * Deletes a pod as the kubelet does: marked Terminating at once, then stopped (its preStop
     * hooks, then the grace period) and removed on a thread of its own; its object goes when the
     * pod is gone. A pod of a workload is made again at the next pass.
     */
    ObjectNode deletePod(Resource r, ObjectNode pod, Long graceSeconds) {
        ObjectNode meta = (ObjectNode) pod.get("metadata");
        if (!meta.has("deletionTimestamp")) {
            meta.put("deletionTimestamp", Objects.now());
            meta.put("deletionGracePeriodSeconds", graceSeconds == null ? pod.path("spec").path("terminationGracePeriodSeconds").asLong(30) : graceSeconds);
            pod = store.put(r, pod, 0, false).orElse(pod);
        }
        String name = meta.path("name").asText();
        ObjectNode marked = pod;
        Thread t = new Thread(() -> {
            try {
                if (berth.state().pod(name).isPresent()) {
                    try (var held = berth.locks().pod(name, who -> {})) {
                        PodControl.removeLocked(berth, name, graceSeconds == null ? null : Duration.ofSeconds(graceSeconds));
                    }
                }
            } catch (RuntimeException e) {
                log.accept("cannot remove pod " + name + ": " + e.getMessage());
            }
            store.get(r, meta.path("namespace").asText(), name).ifPresent(o -> store.delete(r, o));
            live.sync();
            reconcile.changed();
        }, "api-delete-" + name);
        t.setDaemon(true);
        t.start();
        return marked;
    }

    /** Warnings for a response: an object a reconcile of files owns is drift its next pass reverts. */
    List<String> warnings(ObjectNode object) {
        String owner = object.path("metadata").path("labels").path(Desired.OWNER_LABEL).asText("");
        if (!owner.isEmpty() && !owner.equals(ApiReconcile.NAME)) {
            return List.of("this object belongs to berth's reconcile \"" + owner + "\": its next pass puts back what its manifests say");
        }
        return List.of();
    }

    /** Serves the resources of the stored CustomResourceDefinitions. */
    private void definitions() {
        Map<Resource, ObjectNode> custom = new LinkedHashMap<>();
        Resource crds = resources.find("apiextensions.k8s.io", "v1", "customresourcedefinitions").orElseThrow();
        for (ObjectNode crd : store.list(crds, null)) {
            custom.putAll(Crds.resources(crd));
        }
        resources.setCustom(custom);
    }

    /**
     * {@code pods/log}: a container's output (the only one, or {@code container}), the last
     * {@code tailLines}, those of the last {@code sinceSeconds}, with {@code timestamps}; with
     * {@code follow} streamed until the container exits or the client leaves.
     */
    ApiReply log(ApiRequest request, ObjectNode pod) {
        String name = pod.path("metadata").path("name").asText();
        List<String> names = new ArrayList<>();
        pod.path("spec").path("containers").forEach(c -> names.add(c.path("name").asText()));
        List<String> all = new ArrayList<>(names);
        pod.path("spec").path("initContainers").forEach(c -> all.add(c.path("name").asText()));
        String container = request.param("container");
        if (container == null || container.isEmpty()) {
            if (names.size() != 1) {
                throw ApiError.badRequest("a container name must be specified for pod " + name + ", choose one of: " + names);
            }
            container = names.get(0);
        } else if (!all.contains(container)) {
            throw ApiError.badRequest("container " + container + " is not valid for pod " + name);
        }
        String reference = new ContainerName(name, container).full();
        boolean follow = request.flag("follow");
        int tail = request.param("tailLines") == null ? -1 : Integer.parseInt(request.param("tailLines"));
        Instant since = request.param("sinceSeconds") != null ? Instant.now().minusSeconds(Long.parseLong(request.param("sinceSeconds")))
                : request.param("sinceTime") != null ? Instant.parse(request.param("sinceTime")) : null;
        boolean timestamps = request.flag("timestamps");
        try {
            berth.containers().look(reference);
        } catch (BerthException e) {
            throw ApiError.badRequest("container \"" + container + "\" in pod \"" + name + "\" is waiting to start: ContainerCreating");
        }
        String containerName = container;
        return ApiReply.streamed("text/plain", out -> {
            try {
                berth.containers().logs(reference, follow, tail, line -> since == null || !Instant.parse(line.timestamp()).isBefore(since),
                        line -> write(out, line, timestamps, follow));
            } catch (UncheckedIOException gone) {
                throw gone.getCause();
            } catch (BerthException e) {
                log.accept("logs of " + name + "/" + containerName + ": " + e.getMessage());
            }
        });
    }

    private static void write(OutputStream out, CriLog.Line line, boolean timestamps, boolean flush) {
        try {
            out.write(((timestamps ? line.timestamp() + " " : "") + line.text() + "\n").getBytes(StandardCharsets.UTF_8));
            if (flush) {
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the client left: the follow ends
        }
    }

    @Override
    public void close() {
        reconcile.close();
        live.close();
    }
}
