package dev.berth.kubeapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.state.StateStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The API's objects, stored through {@link StateStore} (so they and their resourceVersions
 * survive a restart), and the recent changes a watch replays: every write gets the next
 * resourceVersion of the root and becomes an event in a window of the newest
 * {@value #WINDOW}. A watch from a version older than the window (or than this server's start)
 * gets 410 Gone and lists again, as with a real server's compacted history.
 */
final class ObjectStore {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int WINDOW = 10_000;

    /** A change: ADDED, MODIFIED or DELETED, with the object as it became (as it was, when deleted). */
    record Event(String type, long version, String resource, ObjectNode object) {}

    private final StateStore state;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<Event> window = new ArrayDeque<>();
    /** The newest version not in the window: a watch must start at or after it. */
    private long floor;
    private long last;

    ObjectStore(StateStore state) {
        this.state = state;
        this.floor = state.lastApiVersion();
        this.last = floor;
    }

    long version() {
        lock.lock();
        try {
            return last;
        } finally {
            lock.unlock();
        }
    }

    Optional<ObjectNode> get(Resource r, String namespace, String name) {
        return state.apiObject(r.key(), namespace(r, namespace), name).map(o -> parse(o.json()));
    }

    /** The objects of a resource, of one namespace or (null) of all. */
    List<ObjectNode> list(Resource r, String namespace) {
        List<ObjectNode> list = new ArrayList<>();
        for (StateStore.ApiObject o : state.apiObjects(r.key())) {
            if (namespace == null || o.namespace().equals(namespace)) {
                list.add(parse(o.json()));
            }
        }
        return list;
    }

    /** Every stored object of every resource, by its resource's key. */
    List<StateStore.ApiObject> everything() {
        return state.apiObjects(null);
    }

    /**
     * Writes an object, its {@code metadata.resourceVersion} set to the version the write gets;
     * with {@code expected} non-zero only over that version. {@code added}: an ADDED event, else
     * MODIFIED. Empty when the expected version is not the stored one.
     */
    Optional<ObjectNode> put(Resource r, ObjectNode object, long expected, boolean added) {
        ObjectNode meta = (ObjectNode) object.get("metadata");
        String namespace = namespace(r, meta.path("namespace").asText(""));
        lock.lock();
        try {
            Optional<StateStore.ApiObject> stored = state.putApiObject(r.key(), namespace, meta.get("name").asText(), expected, version -> {
                meta.put("resourceVersion", Long.toString(version));
                return write(object);
            });
            stored.ifPresent(s -> record(new Event(added ? "ADDED" : "MODIFIED", s.version(), r.key(), object.deepCopy())));
            return stored.map(s -> object);
        } finally {
            lock.unlock();
        }
    }

    /** Removes an object; returns it as it was, with the version of its removal, or empty when it was not there. */
    Optional<ObjectNode> delete(Resource r, ObjectNode object) {
        ObjectNode meta = (ObjectNode) object.get("metadata");
        lock.lock();
        try {
            long version = state.deleteApiObject(r.key(), namespace(r, meta.path("namespace").asText("")), meta.get("name").asText());
            if (version == 0) {
                return Optional.empty();
            }
            meta.put("resourceVersion", Long.toString(version));
            record(new Event("DELETED", version, r.key(), object.deepCopy()));
            return Optional.of(object);
        } finally {
            lock.unlock();
        }
    }

    private void record(Event e) {
        window.addLast(e);
        last = e.version();
        while (window.size() > WINDOW) {
            floor = window.removeFirst().version();
        }
        changed.signalAll();
    }

    /**
     * The events after {@code version}, waiting up to {@code waitMillis} for one when there are
     * none yet; throws 410 Gone when {@code version} is older than the window.
     */
    List<Event> after(long version, long waitMillis) throws InterruptedException {
        lock.lock();
        try {
            if (version < floor) {
                throw ApiError.gone("too old resource version: " + version + " (" + floor + ")");
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while (last <= version) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return List.of();
                }
                changed.awaitNanos(left);
            }
            List<Event> events = new ArrayList<>();
            for (Event e : window) {
                if (e.version() > version) {
                    events.add(e);
                }
            }
            return events;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every watch (the server is stopping). */
    void wakeAll() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static String namespace(Resource r, String namespace) {
        return r.namespaced() ? namespace : "";
    }

    static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored API object is not JSON: " + e.getMessage(), e);
        }
    }

    static String write(Object node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
