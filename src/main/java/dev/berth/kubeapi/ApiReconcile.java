package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.api.BerthException;
import dev.berth.api.ManifestException;
import dev.berth.api.Manifests;
import dev.berth.api.PodSpec;
import dev.berth.engine.Berth;
import dev.berth.manifest.ManifestReader;
import dev.berth.reconcile.Desired;
import dev.berth.reconcile.Events;
import dev.berth.reconcile.PlayOptions;
import dev.berth.reconcile.Reconciler;
import dev.berth.state.StateStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API's objects as desired state: whenever one changes, its manifests (every stored object a
 * client wrote, as berth's reader reads files) go to a {@link Reconciler} named {@value #NAME},
 * the same engine as {@code berth reconcile}: pods of workloads created, rolled, scaled and
 * pruned, Services given their rules. One pass at a time, on a thread of its own; a burst of
 * writes (a {@code kubectl apply} of a directory) makes one pass, and what changes during a pass
 * makes the next one.
 * It also checks an object as it is written ({@link #check}): berth's reader's errors are the
 * API's 422 Invalid, its warnings the response's warnings.
 */
final class ApiReconcile implements AutoCloseable {
    /** The reconcile's name: its pods carry it in {@link Desired#OWNER_LABEL}. */
    static final String NAME = "api";
    private static final long DEBOUNCE_MILLIS = 100;
    /** What the server makes or reads from the engine: never desired state. */
    private static final Set<String> OBSERVED = Set.of("events", "events.events.k8s.io", "nodes", "endpoints", "endpointslices.discovery.k8s.io",
            "leases.coordination.k8s.io", "namespaces", "customresourcedefinitions.apiextensions.k8s.io", "controllerrevisions.apps");
    /** Marks an object the server made from the engine's state (a pod of a workload, a Deployment's ReplicaSet). */
    static final String MADE_BY = "berth.dev/made-by";

    private final Berth berth;
    private final Resources resources;
    private final ObjectStore store;
    private final PlayOptions play;
    private final Consumer<String> log;
    private final Runnable played;
    private final Object signal = new Object();
    private boolean dirty;
    private volatile boolean closed;
    private volatile Reconciler running;
    private final Thread thread;
    /** What the last pass started from: the generation of each object, and each Deployment's template hash. */
    private final Map<String, Long> observed = new ConcurrentHashMap<>();
    private final Map<String, String> templates = new ConcurrentHashMap<>();

    ApiReconcile(Berth berth, Resources resources, ObjectStore store, PlayOptions play, Consumer<String> log, Runnable played) {
        this.berth = berth;
        this.resources = resources;
        this.store = store;
        this.play = play;
        this.log = log;
        this.played = played;
        this.thread = new Thread(this::loop, "api-reconcile");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
        changed();
    }

    /**
     * Something desired may have changed: a pass soon (after the one under way: a play cut short
     * would leave containers created and never started, which the next pass keeps as they are).
     */
    void changed() {
        synchronized (signal) {
            dirty = true;
            signal.notifyAll();
        }
    }

    /** Whether a stored object is desired state (a client's), not what the server shows of the engine. */
    static boolean desired(String resource, JsonNode object) {
        return !OBSERVED.contains(resource) && !object.path("metadata").path("annotations").has(MADE_BY)
                && !object.path("metadata").has("deletionTimestamp") && !resource.startsWith("selfsubject");
    }

    /** The generation of an object the last pass started from (what its status calls observedGeneration), or 0. */
    long observedGeneration(String resource, String namespace, String name) {
        return observed.getOrDefault(resource + "/" + namespace + "/" + name, 0L);
    }

    /** The template hash the last pass gave a Deployment's pods, or null. */
    String template(String namespace, String deployment) {
        return templates.get(namespace + "/" + deployment);
    }

    /**
     * Checks one object as berth's reader checks a file: its errors as 422 Invalid (field and
     * message), its warnings (a field berth does not apply, a kind it only stores) returned.
     */
    List<String> check(Resource r, ObjectNode object) {
        if (!r.group().isEmpty() && resources.customSchema(r).isPresent() || OBSERVED.contains(r.key())) {
            return List.of();
        }
        try {
            Manifests m = read(ObjectStore.write(manifest(object)) + "\n", new ManifestReader.Options(true, false, false, 0, true));
            // references are checked with every object at the pass: one object alone names what others hold
            return m.warnings().stream().filter(w -> !w.contains("is not in the given manifests")).map(ApiReconcile::withoutPlace).toList();
        } catch (ManifestException e) {
            List<ApiError.Cause> causes = new ArrayList<>();
            for (String p : e.problems()) {
                String text = withoutPlace(p);
                int colon = text.indexOf(": ");
                boolean field = colon > 0 && !text.substring(0, colon).contains(" ");
                causes.add(new ApiError.Cause(field ? text.substring(0, colon) : "", field ? text.substring(colon + 2) : text));
            }
            throw ApiError.invalid(r, r.kind(), object.path("metadata").path("name").asText(), causes);
        } catch (BerthException e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    /** {@code -:3: spec.replicas: …} → {@code spec.replicas: …}. */
    private static String withoutPlace(String problem) {
        Matcher m = Pattern.compile("^-:\\d+:\\s*").matcher(problem);
        return m.find() ? problem.substring(m.end()) : problem;
    }

    private void loop() {
        while (!closed) {
            synchronized (signal) {
                while (!dirty && !closed) {
                    try {
                        signal.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                dirty = false;
            }
            try {
                Thread.sleep(DEBOUNCE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (signal) {
                dirty = false;
            }
            try {
                pass();
            } catch (RuntimeException e) {
                log.accept("the API's reconcile pass failed: " + e);
            }
        }
    }

    private void pass() {
        List<StateStore.ApiObject> objects = desired();
        String text = text(objects);
        Manifests manifests;
        try {
            manifests = read(text, ManifestReader.Options.DEFAULT.allowingEmpty());
        } catch (BerthException e) {
            String why = e instanceof ManifestException m ? String.join("; ", m.problems()) : e.getMessage();
            log.accept("the API's objects do not read yet (" + why + "); waiting for the next change");
            return;
        }
        for (StateStore.ApiObject o : objects) {
            JsonNode meta = ObjectStore.parse(o.json()).path("metadata");
            observed.put(o.resource() + "/" + o.namespace() + "/" + o.name(), meta.path("generation").asLong(0));
        }
        for (PodSpec p : Desired.stamp(NAME, manifests).pods()) {
            if (p.deployment() != null) {
                templates.put(p.namespace() + "/" + p.deployment(), p.annotations().get(Desired.TEMPLATE_HASH));
            }
        }
        try (Events events = new Events(berth.state())) {
            Reconciler reconciler = new Reconciler(berth, new Reconciler.Options(NAME, true, false, true, play), events.fromPlay());
            running = reconciler;
            Reconciler.Outcome outcome = reconciler.run(manifests, "the Kubernetes API", "resourceVersion " + store.version());
            outcome.failures().forEach(f -> log.accept("api reconcile: " + f));
        } finally {
            running = null;
            played.run();
        }
    }

    /** The stored objects that are desired state, in the order they were last written. */
    private List<StateStore.ApiObject> desired() {
        List<StateStore.ApiObject> list = new ArrayList<>();
        for (StateStore.ApiObject o : store.everything()) {
            if (desired(o.resource(), ObjectStore.parse(o.json())) && resources.byKey(o.resource()).map(r -> resources.customSchema(r).isEmpty()).orElse(false)) {
                list.add(o);
            }
        }
        list.sort(java.util.Comparator.comparingLong(StateStore.ApiObject::version));
        return list;
    }

    /** The objects as one stream of manifests, one JSON document per line. */
    private static String text(List<StateStore.ApiObject> objects) {
        StringBuilder s = new StringBuilder();
        for (StateStore.ApiObject o : objects) {
            s.append("---\n").append(ObjectStore.write(manifest(ObjectStore.parse(o.json())))).append('\n');
        }
        return s.toString();
    }

    /** An object as a manifest: what its author wrote, without what the server keeps (status, uid, versions, managedFields). */
    static ObjectNode manifest(ObjectNode object) {
        ObjectNode m = object.deepCopy();
        m.remove("status");
        ObjectNode meta = Objects.metadata(m);
        meta.retain("name", "namespace", "labels", "annotations", "generateName");
        if (meta.path("annotations").isObject()) {
            ((ObjectNode) meta.get("annotations")).remove("kubectl.kubernetes.io/last-applied-configuration");
        }
        return m;
    }

    private static Manifests read(String text, ManifestReader.Options options) {
        return new ManifestReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))).read(List.of("-"), options);
    }

    @Override
    public void close() {
        closed = true;
        Reconciler r = running;
        if (r != null) {
            r.interrupt();
        }
        synchronized (signal) {
            signal.notifyAll();
        }
        thread.interrupt();
    }
}
