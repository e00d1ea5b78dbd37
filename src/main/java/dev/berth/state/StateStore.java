package dev.berth.state;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The record of images, containers, pods, Services, reconciles and events: one SQLite database
 * under the root ({@link Database}), a class per table. This is the face the rest of berth sees.
 */
public final class StateStore implements AutoCloseable {
    private final Database db;
    private final ImageTable imageTable;
    private final ContainerTable containerTable;
    private final EventTable eventTable;
    private final PodTable podTable;
    private final ServiceTable serviceTable;
    private final ReconcileTable reconcileTable;
    private final ApiObjectTable apiObjectTable;

    private StateStore(Database db) {
        this.db = db;
        this.imageTable = new ImageTable(db);
        this.containerTable = new ContainerTable(db);
        this.eventTable = new EventTable(db);
        this.podTable = new PodTable(db);
        this.serviceTable = new ServiceTable(db);
        this.reconcileTable = new ReconcileTable(db);
        this.apiObjectTable = new ApiObjectTable(db);
    }

    /** Opens (creating when needed) the database of a layout, migrating its schema ({@link Database#open}). */
    public static StateStore open(Layout layout) {
        return new StateStore(Database.open(layout));
    }

    /** What is wrong with a root's state database, or null when it opens and SQLite's quick check passes. */
    public static String problem(Layout layout) {
        return Database.problem(layout);
    }

    /** Moves a damaged database out of the way (kept beside it, for a look later); returns where it went. */
    public static java.nio.file.Path setAside(Layout layout) {
        return Database.setAside(layout);
    }

    /** Refuses to make something new when the root's file system is nearly full ({@link Database#requireRoom}). */
    public void requireRoom(String what) {
        db.requireRoom(what);
    }

    /** Whether a container was last found ready, and what the check that found it said. */
    public record ReadinessRecord(boolean ready, String message) {}

    /**
     * Something that happened to a pod or a container, as {@code berth events} shows it.
     *
     * @param object {@code Pod/NAME} or {@code Container/POD/NAME}
     * @param pod    the pod it concerns, or null
     */
    public record Event(long id, Instant time, String object, String pod, String type, String message) {}

    /**
     * A Service's virtual IP, the iptables rules berth added for it (so they can be removed after a
     * crash), and its spec as canonical JSON (so that its endpoints can follow readiness after play).
     */
    public record ServiceRecord(String name, String namespace, String ip, String rules, String spec) {}

    /**
     * What a {@code berth reconcile} applied last.
     *
     * @param source   the directories and files, or the git URL, it reconciles
     * @param revision the git commit applied, or null for a directory
     * @param objects  each object of the last pass as JSON: kind, name, hash, sync, health, message
     * @param error    why the last pass changed nothing (manifests that do not read, a clone that failed), or null
     */
    /** An object of the Kubernetes API as stored: its JSON, and the resourceVersion of its last change. */
    public record ApiObject(String resource, String namespace, String name, long version, String json) {}

    public record ReconcileRecord(String name, String source, String revision, String objects, String error, Instant updated) {}

    public void putImage(ImageRecord image) {
        imageTable.putImage(image);
    }

    public List<ImageRecord> images() {
        return imageTable.images();
    }

    public Optional<ImageRecord> imageByName(String name) {
        return imageTable.imageByName(name);
    }

    public List<ImageRecord> imagesByIdPrefix(String prefix) {
        return imageTable.imagesByIdPrefix(prefix);
    }

    public int untagImage(String imageId, String name) {
        return imageTable.untagImage(imageId, name);
    }

    public void removeImage(String imageId) {
        imageTable.removeImage(imageId);
    }

    public List<String> diffIdsInUse() {
        return imageTable.diffIdsInUse();
    }

    public void insertContainer(ContainerRecord c) {
        containerTable.insertContainer(c);
    }

    public void updateContainer(String id, ContainerRecord.Status status, Instant started, Instant finished, Integer exitCode) {
        containerTable.updateContainer(id, status, started, finished, exitCode);
    }

    public void setContainerConfig(String id, String config) {
        containerTable.setContainerConfig(id, config);
    }

    public void deleteContainer(String id) {
        containerTable.deleteContainer(id);
    }

    public List<ContainerRecord> containers() {
        return containerTable.containers();
    }

    public Optional<ContainerRecord> containerByName(String name) {
        return containerTable.containerByName(name);
    }

    public List<ContainerRecord> containersByIdPrefix(String prefix) {
        return containerTable.containersByIdPrefix(prefix);
    }

    public boolean imageInUse(String imageId) {
        return containerTable.imageInUse(imageId);
    }

    public int restarts(String containerId) {
        return containerTable.restarts(containerId);
    }

    public void setReady(String containerId, boolean ready, String message) {
        containerTable.setReady(containerId, ready, message);
    }

    public java.util.Set<String> readyContainers() {
        return containerTable.readyContainers();
    }

    public java.util.Map<String, ReadinessRecord> readiness() {
        return containerTable.readiness();
    }

    public java.util.Map<String, Integer> restartCounts() {
        return containerTable.restartCounts();
    }

    public void countRestart(String containerId) {
        containerTable.countRestart(containerId);
    }

    public List<ContainerRecord> containersOfPod(String pod) {
        return containerTable.containersOfPod(pod);
    }

    public void addEvents(List<Event> events) {
        eventTable.addEvents(events);
    }

    public List<Event> events(long afterId, Instant since, String pod) {
        return eventTable.events(afterId, since, pod);
    }

    public void insertPod(PodRecord p) {
        podTable.insertPod(p);
    }

    public void updatePod(String name, String infraId, PodRecord.Status status) {
        podTable.updatePod(name, infraId, status);
    }

    public void setPodNetwork(String name, String network) {
        podTable.setPodNetwork(name, network);
    }

    public Optional<String> podNetwork(String name) {
        return podTable.podNetwork(name);
    }

    public int podsOnNetwork(String network, String except) {
        return podTable.podsOnNetwork(network, except);
    }

    public void deletePod(String name) {
        podTable.deletePod(name);
    }

    /** Changes whenever the stored state may have (see {@link Database#version}): what a long-lived reader compares before reading again. */
    public long version() {
        return db.version();
    }

    public List<PodRecord> pods() {
        return podTable.pods();
    }

    public Optional<PodRecord> pod(String name) {
        return podTable.pod(name);
    }

    public void insertService(ServiceRecord s) {
        serviceTable.insertService(s);
    }

    public void setServiceRules(String name, String rules) {
        serviceTable.setServiceRules(name, rules);
    }

    public void setServiceSpec(String name, String spec) {
        serviceTable.setServiceSpec(name, spec);
    }

    public List<ServiceRecord> services() {
        return serviceTable.services();
    }

    public void deleteService(String name) {
        serviceTable.deleteService(name);
    }

    public void putReconcile(ReconcileRecord r) {
        reconcileTable.putReconcile(r);
    }

    public List<ReconcileRecord> reconciles() {
        return reconcileTable.reconciles();
    }

    public void deleteReconcile(String name) {
        reconcileTable.deleteReconcile(name);
    }

    /**
     * Stores an API object under a new resourceVersion, its JSON made by {@code stamp} from that
     * version; with {@code expected} non-zero only over that version (empty: conflict or gone).
     */
    public Optional<ApiObject> putApiObject(String resource, String namespace, String name, long expected, java.util.function.LongFunction<String> stamp) {
        return apiObjectTable.put(resource, namespace, name, expected, stamp);
    }

    /** Removes an API object: the resourceVersion of its removal, or 0 when there was none. */
    public long deleteApiObject(String resource, String namespace, String name) {
        return apiObjectTable.delete(resource, namespace, name);
    }

    public Optional<ApiObject> apiObject(String resource, String namespace, String name) {
        return apiObjectTable.get(resource, namespace, name);
    }

    /** The API objects of a resource (null: all), by namespace and name. */
    public List<ApiObject> apiObjects(String resource) {
        return apiObjectTable.list(resource);
    }

    /** The newest resourceVersion the API gave. */
    public long lastApiVersion() {
        return apiObjectTable.lastVersion();
    }

    @Override
    public void close() {
        db.close();
    }
}
