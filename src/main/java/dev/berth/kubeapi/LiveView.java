package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.api.Canonical;
import dev.berth.api.ContainerName;
import dev.berth.api.Json;
import dev.berth.api.Owner;
import dev.berth.api.PodSpec;
import dev.berth.engine.Berth;
import dev.berth.engine.ContainerState;
import dev.berth.generate.Generator;
import dev.berth.manifest.YamlJson;
import dev.berth.reconcile.Desired;
import dev.berth.reconcile.PodStatus;
import dev.berth.state.ContainerRecord;
import dev.berth.state.PodRecord;
import dev.berth.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The engine's live state as the API's objects show it, as a kubelet and the controllers report
 * it: every pod berth runs (made through the API, by {@code kube play} or by a reconcile) with
 * its phase, conditions, container statuses, IP and owner; the status of Deployments,
 * StatefulSets, DaemonSets, ReplicaSets and Jobs counted from their pods; Services' cluster IPs;
 * the node (this host); berth's events as Events. Written into the store only when something
 * changed, so watches see each change once. Looks again when the state changed (one query) and
 * every second (exits and readiness recorded in files).
 */
final class LiveView implements AutoCloseable {
    private static final long LOOK_MILLIS = 150;
    private static final long FULL_LOOK_MILLIS = 1000;
    /** Events kept as API objects: the newest, as a real server keeps an hour of them. */
    private static final int EVENTS_KEPT = 1000;

    private final Berth berth;
    private final Resources resources;
    private final ObjectStore store;
    private final ApiReconcile reconcile;
    private final Consumer<String> log;
    private final Thread thread;
    private final Map<String, ObjectNode> specs = new HashMap<>();
    private final String node;
    private volatile boolean closed;
    private long lastEvent;

    LiveView(Berth berth, Resources resources, ObjectStore store, ApiReconcile reconcile, Consumer<String> log) {
        this.berth = berth;
        this.resources = resources;
        this.store = store;
        this.reconcile = reconcile;
        this.log = log;
        this.node = Node.name();
        this.thread = new Thread(this::loop, "api-live");
        thread.setDaemon(true);
    }

    void start() {
        put(resource("", "nodes"), Node.object(node), true);
        List<StateStore.Event> old = berth.state().events(0, null, null);
        lastEvent = old.isEmpty() ? 0 : old.get(old.size() - 1).id(); // what happened before the server started stays in berth events
        sync();
        thread.start();
    }

    private void loop() {
        long seen = -1;
        long full = 0;
        while (!closed) {
            try {
                Thread.sleep(LOOK_MILLIS);
                long version = berth.state().version();
                if (version != seen || System.currentTimeMillis() - full >= FULL_LOOK_MILLIS) {
                    seen = version;
                    full = System.currentTimeMillis();
                    sync();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.accept("the API's view of the engine failed: " + e);
            }
        }
    }

    /** One look: pods, then what counts them, then Services and events. */
    synchronized void sync() {
        Resource pods = resource("", "pods");
        Map<String, ContainerRecord> containers = new HashMap<>();
        berth.state().containers().forEach(c -> containers.put(c.name(), c));
        Map<String, PodRecord> records = new HashMap<>();
        berth.state().pods().forEach(p -> records.put(p.name(), p));
        Set<String> live = new HashSet<>();
        Map<String, List<ObjectNode>> byOwner = new HashMap<>();
        for (PodStatus status : PodStatus.all(berth)) {
            PodRecord record = records.get(status.name());
            if (record == null) {
                continue;
            }
            PodSpec spec = Canonical.read(Json.parse(record.spec()), PodSpec.class);
            ObjectNode pod = pod(spec, record, status, containers);
            live.add(spec.namespace() + "/" + spec.name());
            Optional<ObjectNode> stored = store.get(pods, spec.namespace(), spec.name());
            ObjectNode written = stored.map(s -> merge(s, pod)).orElse(pod);
            if (stored.isEmpty()) {
                put(pods, written, true);
            } else if (!same(stored.get(), written)) {
                // over the version read: a pod deleted meanwhile (its object gone with it) is not written back
                store.put(pods, written, Long.parseLong(stored.get().path("metadata").path("resourceVersion").asText("0")), false);
            }
            if (spec.owner() != null) {
                byOwner.computeIfAbsent(spec.namespace() + "/" + spec.owner().kind() + "/" + spec.owner().name(), k -> new java.util.ArrayList<>()).add(written);
            }
        }
        for (ObjectNode stored : store.list(pods, null)) {
            JsonNode meta = stored.path("metadata");
            // gone from the engine: a pod berth made, or one a client deleted (a client's pod not played yet stays, Pending)
            boolean gone = meta.path("annotations").has(ApiReconcile.MADE_BY) || meta.has("deletionTimestamp");
            if (gone && !live.contains(meta.path("namespace").asText() + "/" + meta.path("name").asText())) {
                store.delete(pods, stored);
            }
        }
        workloads(byOwner);
        services();
        events();
    }

    /** A stored client-made pod keeps what its author wrote and gets the live status; a pod berth made is written whole. */
    private static ObjectNode merge(ObjectNode stored, ObjectNode live) {
        if (stored.path("metadata").path("annotations").has(ApiReconcile.MADE_BY)) {
            ObjectNode m = live.deepCopy();
            ObjectNode meta = (ObjectNode) m.get("metadata");
            for (String kept : List.of("uid", "creationTimestamp", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "finalizers")) {
                if (stored.path("metadata").has(kept)) {
                    meta.set(kept, stored.path("metadata").get(kept));
                }
            }
            keepTimes(stored.path("status"), (ObjectNode) m.get("status"));
            return m;
        }
        ObjectNode m = stored.deepCopy();
        ((ObjectNode) m.with("spec")).put("nodeName", live.path("spec").path("nodeName").asText());
        ObjectNode status = live.get("status").deepCopy();
        keepTimes(stored.path("status"), status);
        m.set("status", status);
        return m;
    }

    /** A condition that did not change keeps its times, so an unchanged object is not written again. */
    private static void keepTimes(JsonNode old, ObjectNode status) {
        for (JsonNode c : status.path("conditions")) {
            for (JsonNode o : old.path("conditions")) {
                if (o.path("type").equals(c.path("type")) && o.path("status").equals(c.path("status")) && o.path("reason").equals(c.path("reason"))) {
                    for (String time : List.of("lastTransitionTime", "lastUpdateTime")) {
                        if (o.has(time)) {
                            ((ObjectNode) c).set(time, o.get(time));
                        }
                    }
                }
            }
        }
    }

    private static boolean same(ObjectNode a, ObjectNode b) {
        ObjectNode x = a.deepCopy();
        ObjectNode y = b.deepCopy();
        ((ObjectNode) x.get("metadata")).remove("resourceVersion");
        ((ObjectNode) y.get("metadata")).remove("resourceVersion");
        return x.equals(y);
    }

    /** A pod as the API shows it. */
    private ObjectNode pod(PodSpec spec, PodRecord record, PodStatus status, Map<String, ContainerRecord> containers) {
        ObjectNode pod = Objects.F.objectNode().put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode meta = pod.putObject("metadata").put("name", spec.name()).put("namespace", spec.namespace())
                .put("uid", UUID.nameUUIDFromBytes((spec.namespace() + "/" + spec.name() + "/" + record.created()).getBytes(StandardCharsets.UTF_8)).toString())
                .put("creationTimestamp", record.created().truncatedTo(ChronoUnit.SECONDS).toString());
        ObjectNode labels = meta.putObject("labels");
        spec.labels().forEach(labels::put);
        ObjectNode annotations = meta.putObject("annotations");
        spec.annotations().forEach(annotations::put);
        String maker = spec.labels().get(Desired.OWNER_LABEL);
        annotations.put(ApiReconcile.MADE_BY, maker == null ? "kube play" : maker.equals(ApiReconcile.NAME) ? "the Kubernetes API" : "reconcile " + maker);
        owner(spec, meta, labels);
        ObjectNode podSpec = specOf(spec, record);
        podSpec.put("nodeName", node);
        pod.set("spec", podSpec);
        pod.set("status", status(spec, record, status, containers));
        return pod;
    }

    /** The owner's reference and the labels its controller sets on its pods. */
    private void owner(PodSpec spec, ObjectNode meta, ObjectNode labels) {
        Owner o = spec.owner();
        if (o == null) {
            return;
        }
        String kind = o.kind();
        String name = o.name();
        String apiVersion = kind.equals("Job") ? "batch/v1" : kind.equals("ReplicationController") ? "v1" : "apps/v1";
        String hash = spec.annotations().get(Desired.TEMPLATE_HASH);
        if (kind.equals("Deployment") && hash != null) {
            labels.put("pod-template-hash", hash);
            kind = "ReplicaSet";
            name = o.name() + "-" + hash;
        }
        String uid = uidOf(apiVersion, kind, spec.namespace(), name);
        switch (o.kind()) {
            case "StatefulSet" -> {
                labels.put("statefulset.kubernetes.io/pod-name", spec.name());
                labels.put("apps.kubernetes.io/pod-index", Integer.toString(o.index()));
                labels.put("controller-revision-hash", o.name() + "-" + revision(spec));
            }
            case "DaemonSet" -> labels.put("controller-revision-hash", revision(spec));
            case "Job" -> {
                if (labels.has("batch.kubernetes.io/controller-uid")) {
                    uid = labels.get("batch.kubernetes.io/controller-uid").asText(); // the Job it was made from, set in its template
                }
                labels.put("job-name", o.name());
                labels.put("batch.kubernetes.io/job-name", o.name());
                labels.put("controller-uid", uid);
                labels.put("batch.kubernetes.io/controller-uid", uid);
                labels.put("batch.kubernetes.io/job-completion-index", Integer.toString(o.index()));
            }
            default -> {
            }
        }
        meta.putArray("ownerReferences").addObject().put("apiVersion", apiVersion).put("kind", kind).put("name", name).put("uid", uid)
                .put("controller", true).put("blockOwnerDeletion", true);
    }

    /** The uid of a stored owner, or one derived from its name (a ReplicaSet the server shows). */
    private String uidOf(String apiVersion, String kind, String namespace, String name) {
        return resources.ofKind(apiVersion, kind).flatMap(r -> store.get(r, namespace, name)).map(o -> o.path("metadata").path("uid").asText())
                .orElse(UUID.nameUUIDFromBytes((kind + "/" + namespace + "/" + name).getBytes(StandardCharsets.UTF_8)).toString());
    }

    /** A template's revision: the hash of the pod's spec without its identity. */
    private static String revision(PodSpec spec) {
        return Canonical.hash(spec.withIdentity("", spec.owner() == null ? null : new Owner(spec.owner().kind(), spec.owner().name(), 0))).substring(0, 10);
    }

    /** The pod's spec: as berth's generate writes it, cached by the spec's hash. */
    private ObjectNode specOf(PodSpec spec, PodRecord record) {
        ObjectNode cached = specs.get(record.specHash());
        if (cached == null) {
            try {
                String yaml = Generator.yaml(List.of(spec), List.of(spec), new Generator.Options("pod", 1, false));
                cached = (ObjectNode) ObjectStore.parse(YamlJson.toJson(yaml)).path("spec");
            } catch (RuntimeException e) {
                cached = Objects.F.objectNode();
                ArrayNode list = cached.putArray("containers");
                spec.containers().forEach(c -> list.addObject().put("name", c.name()).put("image", c.image()));
            }
            if (specs.size() > 1000) {
                specs.clear();
            }
            specs.put(record.specHash(), cached);
        }
        return cached.deepCopy();
    }

    private ObjectNode status(PodSpec spec, PodRecord record, PodStatus status, Map<String, ContainerRecord> containers) {
        ObjectNode s = Objects.F.objectNode().put("phase", status.phase().word());
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        ArrayNode conditions = s.putArray("conditions");
        conditions.addObject().put("type", "PodScheduled").put("status", "True").put("lastTransitionTime", record.created().truncatedTo(ChronoUnit.SECONDS).toString());
        status.conditions().forEach((type, ok) -> conditions.addObject().put("type", type).put("status", ok ? "True" : "False").put("lastTransitionTime", now));
        s.put("hostIP", Node.ADDRESS);
        s.putArray("hostIPs").addObject().put("ip", Node.ADDRESS);
        String ip = spec.hostNetwork() ? Node.ADDRESS : berth.network().address(spec.name());
        if (ip != null) {
            s.put("podIP", ip);
            s.putArray("podIPs").addObject().put("ip", ip);
        }
        s.put("startTime", record.created().truncatedTo(ChronoUnit.SECONDS).toString());
        ArrayNode inits = Objects.F.arrayNode();
        ArrayNode apps = Objects.F.arrayNode();
        for (PodStatus.ContainerStatus c : status.containers()) {
            ContainerRecord r = containers.get(new ContainerName(spec.name(), c.name()).full());
            (c.init() ? inits : apps).add(container(spec, c, r));
        }
        if (!inits.isEmpty()) {
            s.set("initContainerStatuses", inits);
        }
        s.set("containerStatuses", apps);
        s.put("qosClass", "BestEffort");
        return s;
    }

    private static ObjectNode container(PodSpec spec, PodStatus.ContainerStatus c, ContainerRecord r) {
        ObjectNode o = Objects.F.objectNode().put("name", c.name());
        spec.container(c.name()).ifPresent(cs -> o.put("image", cs.image()));
        if (r != null) {
            o.put("imageID", r.imageId() == null ? "" : r.imageName() + "@" + (r.imageId().startsWith("sha256:") ? r.imageId() : "sha256:" + r.imageId()));
            o.put("containerID", "berth://" + r.id());
        }
        o.put("ready", c.ready()).put("restartCount", c.restarts()).put("started", c.state() == ContainerState.RUNNING);
        ObjectNode state = o.putObject("state");
        if (c.state() == ContainerState.RUNNING) {
            state.putObject("running").put("startedAt", time(r == null ? null : r.started()));
        } else if (c.backOff()) {
            state.putObject("waiting").put("reason", "CrashLoopBackOff").put("message", "back-off restarting failed container " + c.name());
        } else if (c.state() == ContainerState.EXITED && c.exitCode() != null) {
            ObjectNode t = state.putObject("terminated").put("exitCode", c.exitCode()).put("reason", c.exitCode() == 0 ? "Completed" : "Error");
            if (r != null) {
                t.put("startedAt", time(r.started())).put("finishedAt", time(r.finished())).put("containerID", "berth://" + r.id());
            }
        } else {
            state.putObject("waiting").put("reason", c.init() ? "PodInitializing" : "ContainerCreating");
        }
        ObjectNode last = o.putObject("lastState");
        if (c.lastState() != null) {
            last.putObject("terminated").put("exitCode", c.lastState().exitCode()).put("reason", c.lastState().reason())
                    .put("finishedAt", time(c.lastState().finishedAt()));
        }
        return o;
    }

    private static String time(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The status of each stored workload, counted from its pods. */
    private void workloads(Map<String, List<ObjectNode>> byOwner) {
        for (String kind : List.of("deployments", "statefulsets", "daemonsets", "replicasets")) {
            Resource r = resource("apps", kind);
            for (ObjectNode o : store.list(r, null)) {
                List<ObjectNode> pods = byOwner.getOrDefault(key(o, r.kind()), List.of());
                setStatus(r, o, Workloads.status(r.kind(), o, pods, reconcile));
            }
        }
        Resource jobs = resource("batch", "jobs");
        for (ObjectNode o : store.list(jobs, null)) {
            String uid = o.path("metadata").path("uid").asText();
            List<ObjectNode> pods = byOwner.getOrDefault(key(o, "Job"), List.of()).stream()
                    .filter(p -> uid.equals(p.path("metadata").path("labels").path("batch.kubernetes.io/controller-uid").asText())).toList();
            setStatus(jobs, o, Workloads.status("Job", o, pods, reconcile));
        }
        Workloads.replicaSets(this, byOwner);
    }

    private static String key(ObjectNode o, String kind) {
        return o.path("metadata").path("namespace").asText() + "/" + kind + "/" + o.path("metadata").path("name").asText();
    }

    /** Writes a status when it changed. */
    void setStatus(Resource r, ObjectNode object, ObjectNode status) {
        if (status != null) {
            keepTimes(object.path("status"), status);
        }
        if (status == null || status.equals(object.path("status"))) {
            return;
        }
        ObjectNode next = object.deepCopy();
        next.set("status", status);
        long version = Long.parseLong(object.path("metadata").path("resourceVersion").asText("0"));
        store.put(r, next, version, false); // a client's write in between wins; the next look counts again
    }

    /** Services get the address berth gave them, and their Endpoints and EndpointSlices the pods they pick. */
    private void services() {
        Resource services = resource("", "services");
        Map<String, String> ips = new HashMap<>();
        for (StateStore.ServiceRecord s : berth.state().services()) {
            ips.put(s.namespace() + "/" + s.name(), s.ip());
        }
        List<ObjectNode> pods = store.list(resource("", "pods"), null);
        Resource endpoints = resource("", "endpoints");
        Resource slices = resource("discovery.k8s.io", "endpointslices");
        Set<String> made = new HashSet<>();
        for (ObjectNode o : store.list(services, null)) {
            for (ObjectNode e : java.util.Arrays.asList(Endpoints.endpoints(o, pods), Endpoints.slice(o, pods))) {
                if (e != null) {
                    reflect(e.path("kind").asText().equals("Endpoints") ? endpoints : slices, e);
                    made.add(e.path("kind").asText() + "/" + e.path("metadata").path("namespace").asText() + "/" + e.path("metadata").path("name").asText());
                }
            }
        }
        for (Resource r : List.of(endpoints, slices)) {
            for (ObjectNode o : store.list(r, null)) {
                JsonNode meta = o.path("metadata");
                if (meta.path("annotations").has(ApiReconcile.MADE_BY)
                        && !made.contains(r.kind() + "/" + meta.path("namespace").asText() + "/" + meta.path("name").asText())) {
                    store.delete(r, o);
                }
            }
        }
        for (ObjectNode o : store.list(services, null)) {
            String ip = ips.get(o.path("metadata").path("namespace").asText() + "/" + o.path("metadata").path("name").asText());
            JsonNode spec = o.path("spec");
            if (ip != null && !ip.equals(spec.path("clusterIP").asText()) && !spec.path("clusterIP").asText().equals("None")) {
                ObjectNode next = o.deepCopy();
                ((ObjectNode) next.get("spec")).put("clusterIP", ip).putArray("clusterIPs").add(ip);
                store.put(services, next, Long.parseLong(o.path("metadata").path("resourceVersion").asText("0")), false);
            }
        }
    }

    /** Writes an object the server makes when it is new or its content changed, keeping its identity and versions. */
    private void reflect(Resource r, ObjectNode wanted) {
        ObjectNode meta = (ObjectNode) wanted.get("metadata");
        Optional<ObjectNode> stored = store.get(r, meta.path("namespace").asText(), meta.path("name").asText());
        if (stored.isEmpty()) {
            put(r, wanted, true);
            return;
        }
        for (String kept : List.of("uid", "creationTimestamp", "resourceVersion")) {
            meta.set(kept, stored.get().path("metadata").get(kept));
        }
        if (!wanted.equals(stored.get())) {
            store.put(r, wanted, Long.parseLong(stored.get().path("metadata").path("resourceVersion").asText("0")), false);
        }
    }

    /** berth's events since the last look, as Events of the objects they are about. */
    private void events() {
        List<StateStore.Event> events = berth.state().events(lastEvent, null, null);
        if (events.isEmpty()) {
            return;
        }
        Resource r = resource("", "events");
        Map<String, ObjectNode> pods = new HashMap<>();
        store.list(resource("", "pods"), null).forEach(p -> pods.put(p.path("metadata").path("name").asText(), p));
        for (StateStore.Event e : events) {
            lastEvent = e.id();
            ObjectNode event = Node.event(e, node, e.pod() == null ? null : pods.get(e.pod()));
            if (event != null) {
                put(r, event, true);
            }
        }
        List<ObjectNode> all = store.list(r, null);
        if (all.size() > EVENTS_KEPT) {
            all.sort(java.util.Comparator.comparing(o -> o.path("lastTimestamp").asText()));
            all.subList(0, all.size() - EVENTS_KEPT).forEach(o -> store.delete(r, o));
        }
    }

    void put(Resource r, ObjectNode object, boolean added) {
        ObjectNode meta = Objects.metadata(object);
        if (!meta.has("uid")) {
            meta.put("uid", UUID.randomUUID().toString());
        }
        if (!meta.has("creationTimestamp")) {
            meta.put("creationTimestamp", Objects.now());
        }
        store.put(r, object, 0, added);
    }

    Resource resource(String group, String plural) {
        return resources.find(group, group.isEmpty() ? "v1" : group.equals("autoscaling") ? "v2" : "v1", plural).orElseThrow();
    }

    ObjectStore store() {
        return store;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
