package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.engine.Berth;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The verbs on resources, as kube-apiserver has them: get, list (selectors, {@code limit} and
 * {@code continue}), watch (from a resourceVersion, with bookmarks, and the initial events of
 * WatchList), create ({@code generateName}, dry run), update (resourceVersion preconditions),
 * patch (JSON, merge, strategic merge, server-side apply), delete (finalizers, owners' cascade),
 * and the {@code status} and {@code scale} subresources. What the engine does with an object is
 * {@link Controllers}' business; this class stores and answers.
 */
final class Objects implements AutoCloseable {
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long a watch stays quiet before a bookmark tells the client it is alive. */
    private static final long BOOKMARK_MILLIS = 30_000;

    private final Resources resources;
    private final ObjectStore store;
    private final Controllers controllers;
    private final CronJobs cronJobs;
    private final Consumer<String> log;
    private volatile boolean closed;

    /** What the request being answered should warn its client of (berth's reader's warnings). */
    private static final ThreadLocal<List<String>> WARNINGS = ThreadLocal.withInitial(ArrayList::new);

    Objects(Berth berth, Resources resources, ObjectStore store, dev.berth.reconcile.PlayOptions play, Consumer<String> log, Runnable played) {
        this.resources = resources;
        this.store = store;
        this.log = log;
        this.controllers = new Controllers(berth, resources, store, play, log, played);
        this.cronJobs = new CronJobs(this, resources, store, log);
    }

    void start() {
        for (String ns : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
            Resource namespaces = resources.find("", "v1", "namespaces").orElseThrow();
            if (store.get(namespaces, null, ns).isEmpty()) {
                ObjectNode o = F.objectNode().put("apiVersion", "v1").put("kind", "Namespace");
                o.putObject("metadata").put("name", ns);
                o.putObject("spec").putArray("finalizers").add("kubernetes");
                create(namespaces, o, "berth");
            }
        }
        controllers.start();
        cronJobs.start();
    }

    ApiReply handle(ApiRequest request, ApiPath path, Resource r) {
        WARNINGS.get().clear();
        if (r.namespaced() && path.namespace() == null && path.name() != null) {
            throw ApiError.notFoundPath(request.path());
        }
        String namespace = r.namespaced() ? path.namespace() : null;
        if (path.subresource() != null) {
            return subresource(request, path, r, namespace);
        }
        if (path.name() == null) {
            if (request.upgrade() != null && request.flag("watch")) {
                // no WebSocket watches: a 200 without upgrading makes fabric8 watch over a plain GET, as it does through kubectl proxy
                return ApiReply.json(200, "{}");
            }
            return switch (request.method()) {
                case "GET" -> request.flag("watch") ? watch(request, r, namespace) : list(request, r, namespace);
                case "POST" -> {
                    ObjectNode body = Bodies.object(request);
                    if (namespace != null) {
                        setNamespace(body, namespace);
                    }
                    yield reply(201, create(r, body, manager(request), request.param("dryRun") != null, null), request);
                }
                case "DELETE" -> deleteCollection(request, r, namespace);
                default -> throw ApiError.methodNotAllowed(request.method() + " is not allowed on a list");
            };
        }
        return switch (request.method()) {
            case "GET" -> request.wantsTable() ? ApiReply.json(200, ObjectStore.write(Tables.table(r, List.of(get(r, namespace, path.name())), 0, null, request)))
                    : reply(200, get(r, namespace, path.name()), request);
            case "PUT" -> reply(200, update(r, namespace, path.name(), Bodies.object(request), manager(request), false, request.param("dryRun") != null), request);
            case "PATCH" -> patch(request, r, namespace, path.name(), false);
            case "DELETE" -> delete(request, r, namespace, path.name());
            default -> throw ApiError.methodNotAllowed(request.method() + " is not allowed on an object");
        };
    }

    private ApiReply subresource(ApiRequest request, ApiPath path, Resource r, String namespace) {
        String sub = path.subresource();
        if (!r.subresources().contains(sub)) {
            throw ApiError.notFoundPath(request.path());
        }
        return switch (sub) {
            case "status" -> switch (request.method()) {
                case "GET" -> reply(200, get(r, namespace, path.name()), request);
                case "PUT" -> reply(200, update(r, namespace, path.name(), Bodies.object(request), manager(request), true, request.param("dryRun") != null), request);
                case "PATCH" -> patch(request, r, namespace, path.name(), true);
                default -> throw ApiError.methodNotAllowed(request.method() + " is not allowed on status");
            };
            case "scale" -> Scale.handle(this, request, r, namespace, path.name());
            case "log" -> controllers.log(request, get(r, namespace, path.name()));
            case "finalize" -> reply(200, update(r, namespace, path.name(), Bodies.object(request), manager(request), false, false), request);
            default -> throw ApiError.methodNotAllowed(sub + " is served from issue 31 on; not yet");
        };
    }

    // ---- reading

    ObjectNode get(Resource r, String namespace, String name) {
        return store.get(r, namespace, name).orElseThrow(() -> ApiError.notFound(r, name));
    }

    private ApiReply list(ApiRequest request, Resource r, String namespace) {
        long version = store.version();
        Predicate<JsonNode> match = matcher(request);
        List<ObjectNode> items = new ArrayList<>();
        for (ObjectNode o : store.list(r, namespace)) {
            if (match.test(o)) {
                items.add(o);
            }
        }
        String cont = request.param("continue");
        int from = 0;
        if (cont != null && !cont.isEmpty()) {
            String[] c = new String(Base64.getUrlDecoder().decode(cont), StandardCharsets.UTF_8).split(":", 2);
            from = Integer.parseInt(c[1]);
            version = Long.parseLong(c[0]);
        }
        int limit = request.param("limit") == null ? 0 : Integer.parseInt(request.param("limit"));
        String next = null;
        if (limit > 0 && from + limit < items.size()) {
            next = Base64.getUrlEncoder().encodeToString((version + ":" + (from + limit)).getBytes(StandardCharsets.UTF_8));
            items = items.subList(from, from + limit);
        } else if (from > 0) {
            items = items.subList(Math.min(from, items.size()), items.size());
        }
        if (request.wantsTable()) {
            return ApiReply.json(200, ObjectStore.write(Tables.table(r, items, version, next, request)));
        }
        ObjectNode list = F.objectNode().put("kind", r.kind() + "List").put("apiVersion", r.apiVersion());
        ObjectNode meta = list.putObject("metadata").put("resourceVersion", Long.toString(version));
        if (next != null) {
            meta.put("continue", next);
        }
        ArrayNode array = list.putArray("items");
        items.forEach(array::add);
        return ApiReply.json(200, ObjectStore.write(list));
    }

    private static Predicate<JsonNode> matcher(ApiRequest request) {
        return Selectors.labels(request.param("labelSelector")).and(Selectors.fields(request.param("fieldSelector")));
    }

    /**
     * A watch: chunked lines of {@code {"type":…,"object":…}}. From {@code resourceVersion} (absent
     * or 0: every object as ADDED first, as does {@code sendInitialEvents=true}, which ends them
     * with a bookmark saying so); bookmarks while quiet when asked for.
     */
    private ApiReply watch(ApiRequest request, Resource r, String namespace) {
        Predicate<JsonNode> match = matcher(request);
        String rv = request.param("resourceVersion");
        boolean initial = request.flag("sendInitialEvents") || rv == null || rv.isEmpty() || rv.equals("0");
        boolean bookmarks = request.flag("allowWatchBookmarks");
        long timeout = request.param("timeoutSeconds") == null ? 1800 : Long.parseLong(request.param("timeoutSeconds"));
        long start = initial ? store.version() : Long.parseLong(rv);
        if (!initial) {
            try {
                store.after(start, 0); // 410 now, before the stream starts, as the real server answers a stale version
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<ObjectNode> snapshot = initial ? store.list(r, namespace).stream().filter(match).toList() : List.of();
        boolean table = request.wantsTable();
        return ApiReply.streamed(ApiReply.JSON, out -> {
            long seen = start;
            for (ObjectNode o : snapshot) {
                event(out, "ADDED", table ? Tables.table(r, List.of(o), 0, null, request) : o);
            }
            if (request.flag("sendInitialEvents") || bookmarks) {
                // a bookmark at once also sends the headers (the server writes nothing before the first byte), which
                // a client may wait for before it counts its watch as standing (fabric8 does)
                bookmark(out, r, start, request.flag("sendInitialEvents"));
            }
            out.flush();
            long deadline = System.currentTimeMillis() + timeout * 1000;
            long quietSince = System.currentTimeMillis();
            while (!closed && System.currentTimeMillis() < deadline) {
                List<ObjectStore.Event> events;
                try {
                    events = store.after(seen, Math.min(BOOKMARK_MILLIS, deadline - System.currentTimeMillis()));
                } catch (ApiError gone) {
                    event(out, "ERROR", gone.status());
                    out.flush();
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (ObjectStore.Event e : events) {
                    seen = e.version();
                    String ns = e.object().path("metadata").path("namespace").asText("");
                    if (e.resource().equals(r.key()) && (namespace == null || ns.equals(namespace)) && match.test(e.object())) {
                        event(out, e.type(), table ? Tables.table(r, List.of(e.object()), 0, null, request) : e.object());
                    }
                }
                if (!events.isEmpty()) {
                    out.flush();
                    quietSince = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - quietSince >= BOOKMARK_MILLIS) {
                    if (bookmarks) {
                        bookmark(out, r, seen, false);
                    }
                    out.write('\n'); // a client that left is found out here
                    out.flush();
                    quietSince = System.currentTimeMillis();
                }
            }
        });
    }

    private static void event(OutputStream out, String type, JsonNode object) throws IOException {
        ObjectNode e = F.objectNode().put("type", type);
        e.set("object", object);
        out.write(ObjectStore.write(e).getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }

    private static void bookmark(OutputStream out, Resource r, long version, boolean initialEnd) throws IOException {
        ObjectNode o = F.objectNode().put("kind", r.kind()).put("apiVersion", r.apiVersion());
        ObjectNode meta = o.putObject("metadata").put("resourceVersion", Long.toString(version));
        if (initialEnd) {
            meta.putObject("annotations").put("k8s.io/initial-events-end", "true");
        }
        event(out, "BOOKMARK", o);
    }

    // ---- writing

    /** Creates an object: name from generateName, uid, creation time, generation 1, a new resourceVersion. */
    ObjectNode create(Resource r, ObjectNode body, String manager) {
        return create(r, body, manager, false, null);
    }

    /** {@code applied}: the managedFields of a server-side apply, else null (this manager owns what it set). */
    ObjectNode create(Resource r, ObjectNode body, String manager, boolean dryRun, ArrayNode applied) {
        checkKind(r, body);
        ObjectNode meta = metadata(body);
        if (!meta.hasNonNull("name") || meta.get("name").asText().isEmpty()) {
            String prefix = meta.path("generateName").asText("");
            if (prefix.isEmpty()) {
                throw ApiError.invalid(r, r.kind(), "", List.of(new ApiError.Cause("metadata.name", "Required value: name or generateName is required")));
            }
            StringBuilder name = new StringBuilder(prefix);
            for (int i = 0; i < 5; i++) {
                name.append(NAME_CHARS.charAt(RANDOM.nextInt(NAME_CHARS.length())));
            }
            meta.put("name", name.toString());
        }
        String name = meta.get("name").asText();
        Validation.name(r, name);
        if (r.namespaced()) {
            String ns = meta.path("namespace").asText("");
            if (ns.isEmpty()) {
                meta.put("namespace", ns = "default");
            }
            Resource namespaces = resources.find("", "v1", "namespaces").orElseThrow();
            if (store.get(namespaces, null, ns).isEmpty()) {
                throw ApiError.notFound(namespaces, ns);
            }
        } else {
            meta.remove("namespace");
        }
        if (store.get(r, meta.path("namespace").asText(null), name).isPresent()) {
            throw ApiError.alreadyExists(r, name);
        }
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", now());
        if (body.has("spec")) {
            meta.put("generation", 1); // as the real server: objects with a spec count their changes
        } else {
            meta.remove("generation");
        }
        meta.remove("resourceVersion");
        meta.remove("deletionTimestamp");
        if (r.subresources().contains("status") && !r.kind().equals("Namespace")) {
            body.remove("status");
        }
        WARNINGS.get().addAll(controllers.admit(r, body, null));
        ManagedFields.update(body, null, manager, r.apiVersion(), applied);
        if (dryRun) {
            return body;
        }
        ObjectNode created = store.put(r, body, 0, true).orElseThrow(() -> ApiError.alreadyExists(r, name));
        controllers.changed(r, created);
        return created;
    }

    /**
     * Replaces an object (PUT), keeping what the client may not change: uid, creation time, and
     * its status (or, on {@code status}, everything but its status). The resourceVersion, when
     * given, must be the stored one.
     */
    ObjectNode update(Resource r, String namespace, String name, ObjectNode body, String manager, boolean status, boolean dryRun) {
        checkKind(r, body);
        ObjectNode meta = metadata(body);
        if (meta.hasNonNull("name") && !meta.get("name").asText().equals(name)) {
            throw ApiError.badRequest("the name of the object (" + meta.get("name").asText() + ") does not match the name on the URL (" + name + ")");
        }
        meta.put("name", name);
        if (namespace != null) {
            setNamespace(body, namespace);
        }
        Optional<ObjectNode> current = store.get(r, namespace, name);
        if (current.isEmpty()) {
            if (status) {
                throw ApiError.notFound(r, name);
            }
            return create(r, body, manager, dryRun, null); // as the real server does for PUT of a missing object of most kinds
        }
        long expected = meta.hasNonNull("resourceVersion") && !meta.get("resourceVersion").asText().isEmpty()
                ? Long.parseLong(meta.get("resourceVersion").asText()) : Long.parseLong(current.get().path("metadata").path("resourceVersion").asText("0"));
        return write(r, current.get(), body, expected, manager, status, dryRun, null);
    }

    /** Writes {@code next} over {@code current}: the fields the server owns kept, generation counted, finalizers honoured. */
    ObjectNode write(Resource r, ObjectNode current, ObjectNode next, long expected, String manager, boolean status, boolean dryRun, ArrayNode applied) {
        String name = current.path("metadata").path("name").asText();
        ObjectNode meta = metadata(next);
        ObjectNode old = (ObjectNode) current.get("metadata");
        for (String kept : List.of("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation")) {
            if (old.has(kept)) {
                meta.set(kept, old.get(kept));
            } else {
                meta.remove(kept);
            }
        }
        if (!r.namespaced()) {
            meta.remove("namespace");
        }
        if (r.subresources().contains("status") && !r.kind().equals("Namespace")) {
            if (status) {
                ObjectNode merged = current.deepCopy();
                if (next.has("status")) {
                    merged.set("status", next.get("status"));
                }
                next = merged;
                meta = (ObjectNode) next.get("metadata");
            } else if (current.has("status")) {
                next.set("status", current.get("status"));
            } else {
                next.remove("status");
            }
        }
        if (!status && next.has("spec") && specChanged(current, next)) {
            meta.put("generation", old.path("generation").asLong(1) + 1);
        }
        WARNINGS.get().addAll(controllers.admit(r, next, current));
        ManagedFields.update(next, current, manager, r.apiVersion(), applied);
        if (dryRun) {
            return next;
        }
        if (meta.has("deletionTimestamp") && (!meta.has("finalizers") || meta.get("finalizers").isEmpty())) {
            return store.delete(r, next).orElseThrow(() -> ApiError.notFound(r, name)); // its last finalizer gone
        }
        ObjectNode written = store.put(r, next, expected, false)
                .orElseThrow(() -> ApiError.conflict(r, name, "the object has been modified; please apply your changes to the latest version and try again"));
        controllers.changed(r, written);
        return written;
    }

    private static boolean specChanged(ObjectNode a, ObjectNode b) {
        ObjectNode x = a.deepCopy();
        ObjectNode y = b.deepCopy();
        for (ObjectNode o : List.of(x, y)) {
            o.remove("metadata");
            o.remove("status");
        }
        return !x.equals(y);
    }

    private ApiReply patch(ApiRequest request, Resource r, String namespace, String name, boolean status) {
        String type = request.contentType() == null ? "" : request.contentType().split(";")[0].strip();
        String manager = manager(request);
        boolean dryRun = request.param("dryRun") != null;
        if (type.equals("application/apply-patch+yaml") || type.equals("application/apply-patch+cbor")) {
            if (manager == null || request.param("fieldManager") == null) {
                throw ApiError.badRequest("PATCH, application/apply-patch+yaml: fieldManager is required for apply requests");
            }
            ObjectNode config = Bodies.object(request);
            Optional<ObjectNode> current = store.get(r, namespace, name);
            if (namespace != null) {
                setNamespace(config, namespace);
            }
            metadata(config).put("name", name);
            ManagedFields.Applied applied = ManagedFields.apply(current.orElse(null), config, manager, request.flag("force"));
            if (current.isEmpty()) {
                return reply(201, create(r, applied.object(), manager, dryRun, applied.managedFields()), request);
            }
            long expected = Long.parseLong(current.get().path("metadata").path("resourceVersion").asText("0"));
            return reply(200, write(r, current.get(), applied.object(), expected, manager, status, dryRun, applied.managedFields()), request);
        }
        ObjectNode current = get(r, namespace, name);
        JsonNode patch = Bodies.tree(request);
        ObjectNode next = switch (type) {
            case "application/json-patch+json" -> Patches.json(current, patch);
            case "application/merge-patch+json" -> Patches.merge(current, patch);
            case "application/strategic-merge-patch+json" -> Patches.strategic(current, patch);
            default -> throw ApiError.unsupportedMediaType(type);
        };
        long expected = Long.parseLong(current.path("metadata").path("resourceVersion").asText("0"));
        String asked = next.path("metadata").path("resourceVersion").asText("");
        if (!asked.isEmpty() && !asked.equals(Long.toString(expected))) {
            throw ApiError.conflict(r, name, "the object has been modified; please apply your changes to the latest version and try again");
        }
        return reply(200, write(r, current, next, expected, manager, status, dryRun, null), request);
    }

    /**
     * Deletes an object: at once when it has no finalizers (its dependents after it, unless
     * orphaned), else marked with a deletionTimestamp until the last finalizer is gone.
     */
    private ApiReply delete(ApiRequest request, Resource r, String namespace, String name) {
        ObjectNode current = get(r, namespace, name);
        JsonNode options = request.body().length == 0 ? F.objectNode() : Bodies.tree(request);
        String uid = options.path("preconditions").path("uid").asText("");
        if (!uid.isEmpty() && !uid.equals(current.path("metadata").path("uid").asText())) {
            throw ApiError.conflict(r, name, "Precondition failed: UID in precondition: " + uid + ", UID in object meta: "
                    + current.path("metadata").path("uid").asText());
        }
        String policy = options.path("propagationPolicy").asText(request.param("propagationPolicy") == null ? "Background" : request.param("propagationPolicy"));
        if (options.path("orphanDependents").asBoolean(false)) {
            policy = "Orphan";
        }
        if (request.param("dryRun") != null || options.has("dryRun")) {
            return reply(200, current, request);
        }
        if (r.key().equals("pods")) {
            Long grace = options.has("gracePeriodSeconds") ? Long.valueOf(options.get("gracePeriodSeconds").asLong())
                    : request.param("gracePeriodSeconds") != null ? Long.valueOf(request.param("gracePeriodSeconds")) : null;
            return reply(200, controllers.deletePod(r, current, grace), request);
        }
        ObjectNode gone = remove(r, current, policy);
        return reply(200, gone, request);
    }

    /** Removes (or marks, when it has finalizers) one object, and its dependents unless orphaned. */
    ObjectNode remove(Resource r, ObjectNode current, String policy) {
        ObjectNode meta = (ObjectNode) current.get("metadata");
        if (r.kind().equals("Namespace")) {
            // Terminating while what is in it goes (the namespace controller's finalizer, done at once), then gone
            current = terminating(r, current);
            controllers.namespaceGone(current);
            return store.delete(r, current).orElse(current);
        }
        if (meta.has("finalizers") && !meta.get("finalizers").isEmpty()) {
            current = terminating(r, current);
            controllers.changed(r, current);
            return current;
        }
        ObjectNode removed = store.delete(r, current).orElseThrow(() -> ApiError.notFound(r, meta.path("name").asText()));
        controllers.removed(r, removed, !policy.equals("Orphan"));
        return removed;
    }

    /** The object marked with its deletionTimestamp (once). */
    private ObjectNode terminating(Resource r, ObjectNode current) {
        ObjectNode meta = (ObjectNode) current.get("metadata");
        if (meta.has("deletionTimestamp")) {
            return current;
        }
        meta.put("deletionTimestamp", now());
        meta.put("deletionGracePeriodSeconds", 0);
        return store.put(r, current, 0, false).orElseThrow();
    }

    private ApiReply deleteCollection(ApiRequest request, Resource r, String namespace) {
        Predicate<JsonNode> match = matcher(request);
        ObjectNode list = F.objectNode().put("kind", r.kind() + "List").put("apiVersion", r.apiVersion());
        ArrayNode items = list.putArray("items");
        for (ObjectNode o : store.list(r, namespace)) {
            if (match.test(o)) {
                items.add(r.key().equals("pods") ? controllers.deletePod(r, o, null) : remove(r, o, "Background"));
            }
        }
        list.putObject("metadata").put("resourceVersion", Long.toString(store.version()));
        return ApiReply.json(200, ObjectStore.write(list));
    }

    // ---- helpers

    private ApiReply reply(int status, ObjectNode object, ApiRequest request) {
        List<String> warnings = new ArrayList<>(WARNINGS.get());
        warnings.addAll(controllers.warnings(object));
        return ApiReply.json(status, ObjectStore.write(object)).warn(warnings);
    }

    private void checkKind(Resource r, ObjectNode body) {
        String apiVersion = body.path("apiVersion").asText("");
        String kind = body.path("kind").asText("");
        if (apiVersion.isEmpty() && kind.isEmpty()) {
            body.put("apiVersion", r.apiVersion()).put("kind", r.kind());
            return;
        }
        if (!kind.equals(r.kind()) || !apiVersion.equals(r.apiVersion())) {
            throw ApiError.badRequest("the API version in the data (" + apiVersion + ") does not match the expected API version (" + r.apiVersion()
                    + ")" + (kind.equals(r.kind()) ? "" : ", or the kind " + kind + " is not " + r.kind()));
        }
    }

    static ObjectNode metadata(ObjectNode body) {
        JsonNode meta = body.get("metadata");
        if (meta == null || !meta.isObject()) {
            return body.putObject("metadata");
        }
        return (ObjectNode) meta;
    }

    private static void setNamespace(ObjectNode body, String namespace) {
        ObjectNode meta = metadata(body);
        String given = meta.path("namespace").asText("");
        if (!given.isEmpty() && !given.equals(namespace)) {
            throw ApiError.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        meta.put("namespace", namespace);
    }

    /** Who writes: the fieldManager parameter, else the client's program name, as the real server derives it. */
    private static String manager(ApiRequest request) {
        String m = request.param("fieldManager");
        if (m != null && !m.isEmpty()) {
            return m;
        }
        String agent = request.userAgent() == null ? "unknown" : request.userAgent();
        return agent.split("/")[0];
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @Override
    public void close() {
        closed = true;
        cronJobs.close();
        controllers.close();
    }
}
