package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Objects as {@code kubectl get} shows them: a {@code meta.k8s.io/v1} Table with the columns the
 * real server prints for each kind (pods' READY, STATUS, RESTARTS, AGE, and with {@code -o wide}
 * IP and NODE; Deployments' READY, UP-TO-DATE, AVAILABLE…), and NAME and AGE for any other kind.
 */
final class Tables {
    private Tables() {}

    /** A column: its header, and its cell for an object; {@code wide} columns show with {@code -o wide} only. */
    private record Column(String name, String type, boolean wide, Function<JsonNode, Object> cell) {}

    private static Column col(String name, Function<JsonNode, Object> cell) {
        return new Column(name, "string", false, cell);
    }

    private static Column wide(String name, Function<JsonNode, Object> cell) {
        return new Column(name, "string", true, cell);
    }

    private static final Column NAME = new Column("Name", "string", false, o -> o.path("metadata").path("name").asText());
    private static final Column AGE = col("Age", o -> age(o.path("metadata").path("creationTimestamp").asText("")));

    static ObjectNode table(Resource r, List<ObjectNode> items, long version, String next, ApiRequest request) {
        List<Column> columns = columns(r.kind());
        ObjectNode t = Objects.F.objectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        ObjectNode meta = t.putObject("metadata");
        if (version != 0) {
            meta.put("resourceVersion", Long.toString(version));
        }
        if (next != null) {
            meta.put("continue", next);
        }
        ArrayNode defs = t.putArray("columnDefinitions");
        for (Column c : columns) {
            defs.addObject().put("name", c.name()).put("type", c.type()).put("format", c == NAME ? "name" : "")
                    .put("description", c.name()).put("priority", c.wide() ? 1 : 0);
        }
        String include = request.param("includeObject") == null ? "Metadata" : request.param("includeObject");
        ArrayNode rows = t.putArray("rows");
        for (ObjectNode o : items) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Column c : columns) {
                Object v = c.cell().apply(o);
                if (v instanceof Integer i) {
                    cells.add(i);
                } else {
                    cells.add(String.valueOf(v));
                }
            }
            if (include.equals("Object")) {
                row.set("object", o);
            } else if (include.equals("Metadata")) {
                ObjectNode partial = row.putObject("object").put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
                partial.set("metadata", o.get("metadata"));
            }
        }
        return t;
    }

    private static List<Column> columns(String kind) {
        return switch (kind) {
            case "Pod" -> List.of(NAME, col("Ready", Tables::podReady), col("Status", Tables::podStatus), col("Restarts", Tables::restarts), AGE,
                    wide("IP", o -> text(o.path("status").path("podIP"), "<none>")), wide("Node", o -> text(o.path("spec").path("nodeName"), "<none>")),
                    wide("Nominated Node", o -> "<none>"), wide("Readiness Gates", o -> "<none>"));
            case "Deployment" -> List.of(NAME, col("Ready", o -> o.path("status").path("readyReplicas").asInt(0) + "/" + o.path("spec").path("replicas").asInt(1)),
                    intCol("Up-to-date", o -> o.path("status").path("updatedReplicas").asInt(0)),
                    intCol("Available", o -> o.path("status").path("availableReplicas").asInt(0)), AGE,
                    wide("Containers", o -> names(o, "name")), wide("Images", o -> names(o, "image")), wide("Selector", Tables::selector));
            case "ReplicaSet" -> List.of(NAME, intCol("Desired", o -> o.path("spec").path("replicas").asInt(1)),
                    intCol("Current", o -> o.path("status").path("replicas").asInt(0)), intCol("Ready", o -> o.path("status").path("readyReplicas").asInt(0)), AGE,
                    wide("Containers", o -> names(o, "name")), wide("Images", o -> names(o, "image")), wide("Selector", Tables::selector));
            case "StatefulSet" -> List.of(NAME, col("Ready", o -> o.path("status").path("readyReplicas").asInt(0) + "/" + o.path("spec").path("replicas").asInt(1)), AGE,
                    wide("Containers", o -> names(o, "name")), wide("Images", o -> names(o, "image")));
            case "DaemonSet" -> List.of(NAME, intCol("Desired", o -> o.path("status").path("desiredNumberScheduled").asInt(0)),
                    intCol("Current", o -> o.path("status").path("currentNumberScheduled").asInt(0)),
                    intCol("Ready", o -> o.path("status").path("numberReady").asInt(0)),
                    intCol("Up-to-date", o -> o.path("status").path("updatedNumberScheduled").asInt(0)),
                    intCol("Available", o -> o.path("status").path("numberAvailable").asInt(0)), col("Node Selector", o -> "<none>"), AGE);
            case "Job" -> List.of(NAME, col("Status", Tables::jobStatus),
                    col("Completions", o -> o.path("status").path("succeeded").asInt(0) + "/" + o.path("spec").path("completions").asInt(1)),
                    col("Duration", Tables::jobDuration), AGE);
            case "CronJob" -> List.of(NAME, col("Schedule", o -> o.path("spec").path("schedule").asText()),
                    col("Timezone", o -> text(o.path("spec").path("timeZone"), "<none>")), col("Suspend", o -> o.path("spec").path("suspend").asBoolean(false) ? "True" : "False"),
                    intCol("Active", o -> o.path("status").path("active").size()), col("Last Schedule", o -> o.path("status").has("lastScheduleTime")
                            ? age(o.path("status").path("lastScheduleTime").asText()) : "<none>"), AGE);
            case "Service" -> List.of(NAME, col("Type", o -> o.path("spec").path("type").asText("ClusterIP")),
                    col("Cluster-IP", o -> text(o.path("spec").path("clusterIP"), "<none>")), col("External-IP", o -> "<none>"),
                    col("Port(s)", Tables::ports), AGE, wide("Selector", o -> map(o.path("spec").path("selector"))));
            case "ConfigMap" -> List.of(NAME, intCol("Data", o -> o.path("data").size() + o.path("binaryData").size()), AGE);
            case "Secret" -> List.of(NAME, col("Type", o -> o.path("type").asText("Opaque")), intCol("Data", o -> o.path("data").size()), AGE);
            case "Namespace" -> List.of(NAME, col("Status", o -> o.path("status").path("phase").asText("Active")), AGE);
            case "Node" -> List.of(NAME, col("Status", o -> "Ready"), col("Roles", o -> "control-plane"), AGE,
                    col("Version", o -> o.path("status").path("nodeInfo").path("kubeletVersion").asText()),
                    wide("Internal-IP", o -> "127.0.0.1"), wide("External-IP", o -> "<none>"),
                    wide("OS-Image", o -> o.path("status").path("nodeInfo").path("osImage").asText()),
                    wide("Kernel-Version", o -> o.path("status").path("nodeInfo").path("kernelVersion").asText()),
                    wide("Container-Runtime", o -> o.path("status").path("nodeInfo").path("containerRuntimeVersion").asText()));
            case "Event" -> List.of(col("Last Seen", o -> age(o.path("lastTimestamp").asText(o.path("eventTime").asText("")))),
                    col("Type", o -> o.path("type").asText()), col("Reason", o -> o.path("reason").asText()),
                    col("Object", o -> o.path("involvedObject").path("kind").asText().toLowerCase(java.util.Locale.ROOT) + "/" + o.path("involvedObject").path("name").asText()),
                    col("Message", o -> o.path("message").asText()));
            case "PersistentVolumeClaim" -> List.of(NAME, col("Status", o -> o.path("status").path("phase").asText("Pending")),
                    col("Volume", o -> o.path("spec").path("volumeName").asText("")),
                    col("Capacity", o -> o.path("status").path("capacity").path("storage").asText("")),
                    col("Access Modes", o -> o.path("status").path("accessModes").isArray() ? "RWO" : ""),
                    col("StorageClass", o -> text(o.path("spec").path("storageClassName"), "<unset>")), col("VolumeAttributesClass", o -> "<unset>"), AGE);
            case "Endpoints" -> List.of(NAME, col("Endpoints", Tables::endpoints), AGE);
            default -> List.of(NAME, AGE);
        };
    }

    private static Column intCol(String name, Function<JsonNode, Object> cell) {
        return new Column(name, "integer", false, cell);
    }

    private static String text(JsonNode n, String absent) {
        return n.isMissingNode() || n.isNull() || n.asText().isEmpty() ? absent : n.asText();
    }

    private static String podReady(JsonNode o) {
        int total = o.path("spec").path("containers").size();
        int ready = 0;
        for (JsonNode c : o.path("status").path("containerStatuses")) {
            ready += c.path("ready").asBoolean(false) ? 1 : 0;
        }
        return ready + "/" + total;
    }

    /** kubectl's STATUS of a pod: a waiting or terminated container's reason, Init:N/M, Terminating, else the phase. */
    static String podStatus(JsonNode o) {
        JsonNode status = o.path("status");
        String reason = status.path("reason").asText(status.path("phase").asText("Pending"));
        int inits = o.path("spec").path("initContainers").size();
        int i = 0;
        boolean initializing = false;
        for (JsonNode c : status.path("initContainerStatuses")) {
            JsonNode t = c.path("state").path("terminated");
            JsonNode w = c.path("state").path("waiting");
            if (!t.isMissingNode() && t.path("exitCode").asInt() == 0) {
                i++;
                continue;
            }
            if (!t.isMissingNode()) {
                reason = "Init:" + t.path("reason").asText("Error");
            } else if (!w.isMissingNode() && !w.path("reason").asText("PodInitializing").equals("PodInitializing")) {
                reason = "Init:" + w.path("reason").asText();
            } else if (c.path("restartPolicy").asText("").equals("Always") && c.path("started").asBoolean(false)) {
                i++;
                continue;
            } else {
                reason = "Init:" + i + "/" + inits;
            }
            initializing = true;
            break;
        }
        if (!initializing) {
            boolean running = false;
            for (JsonNode c : status.path("containerStatuses")) {
                JsonNode w = c.path("state").path("waiting");
                JsonNode t = c.path("state").path("terminated");
                if (!w.isMissingNode() && !w.path("reason").asText("").isEmpty()) {
                    reason = w.path("reason").asText();
                } else if (!t.isMissingNode()) {
                    reason = t.path("reason").asText(t.path("exitCode").asInt() == 0 ? "Completed" : "Error");
                } else if (c.path("ready").asBoolean(false) || !c.path("state").path("running").isMissingNode()) {
                    running = true;
                }
            }
            if (running && reason.equals("Completed")) {
                reason = "Running";
            }
        }
        if (o.path("metadata").has("deletionTimestamp")) {
            reason = "Terminating";
        }
        return reason;
    }

    private static String restarts(JsonNode o) {
        int n = 0;
        String last = null;
        for (String field : List.of("initContainerStatuses", "containerStatuses")) {
            for (JsonNode c : o.path("status").path(field)) {
                n += c.path("restartCount").asInt(0);
                String finished = c.path("lastState").path("terminated").path("finishedAt").asText("");
                if (!finished.isEmpty() && (last == null || finished.compareTo(last) > 0)) {
                    last = finished;
                }
            }
        }
        return n > 0 && last != null ? n + " (" + age(last) + " ago)" : Integer.toString(n);
    }

    private static String jobStatus(JsonNode o) {
        for (JsonNode c : o.path("status").path("conditions")) {
            if (c.path("status").asText().equals("True") && (c.path("type").asText().equals("Complete") || c.path("type").asText().equals("Failed"))) {
                return c.path("type").asText();
            }
        }
        return o.path("spec").path("suspend").asBoolean(false) ? "Suspended" : "Running";
    }

    private static String jobDuration(JsonNode o) {
        String start = o.path("status").path("startTime").asText("");
        if (start.isEmpty()) {
            return "";
        }
        String end = o.path("status").path("completionTime").asText("");
        Instant to = end.isEmpty() ? Instant.now() : Instant.parse(end);
        return human(Duration.between(Instant.parse(start), to));
    }

    private static String names(JsonNode o, String field) {
        List<String> out = new ArrayList<>();
        o.path("spec").path("template").path("spec").path("containers").forEach(c -> out.add(c.path(field).asText()));
        return String.join(",", out);
    }

    private static String selector(JsonNode o) {
        return map(o.path("spec").path("selector").path("matchLabels"));
    }

    private static String map(JsonNode m) {
        if (m.isMissingNode() || m.isEmpty()) {
            return "<none>";
        }
        List<String> out = new ArrayList<>();
        m.fields().forEachRemaining(f -> out.add(f.getKey() + "=" + f.getValue().asText()));
        return String.join(",", out);
    }

    private static String ports(JsonNode o) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : o.path("spec").path("ports")) {
            out.add(p.path("port").asInt() + (p.has("nodePort") ? ":" + p.path("nodePort").asInt() : "") + "/" + p.path("protocol").asText("TCP"));
        }
        return out.isEmpty() ? "<none>" : String.join(",", out);
    }

    private static String endpoints(JsonNode o) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : o.path("subsets")) {
            for (JsonNode a : s.path("addresses")) {
                for (JsonNode p : s.path("ports")) {
                    out.add(a.path("ip").asText() + ":" + p.path("port").asInt());
                }
            }
        }
        return out.isEmpty() ? "<none>" : String.join(",", out);
    }

    static String age(String timestamp) {
        if (timestamp == null || timestamp.isEmpty()) {
            return "<unknown>";
        }
        return human(Duration.between(Instant.parse(timestamp), Instant.now()));
    }

    /** A duration as Kubernetes prints ages: {@code 45s}, {@code 3m12s}, {@code 25m}, {@code 5h3m}, {@code 3d4h}. */
    static String human(Duration d) {
        long s = d.getSeconds();
        if (s < -1) {
            return "<invalid>";
        }
        if (s < 0) {
            return "0s";
        }
        if (s < 120) {
            return s + "s";
        }
        long m = s / 60;
        if (m < 10) {
            return s % 60 == 0 ? m + "m" : m + "m" + s % 60 + "s";
        }
        if (m < 180) {
            return m + "m";
        }
        long h = m / 60;
        if (h < 8) {
            return m % 60 == 0 ? h + "h" : h + "h" + m % 60 + "m";
        }
        if (h < 48) {
            return h + "h";
        }
        if (h < 24 * 8) {
            return h % 24 == 0 ? h / 24 + "d" : h / 24 + "d" + h % 24 + "h";
        }
        if (h < 24 * 365 * 2) {
            return h / 24 + "d";
        }
        long y = h / 24 / 365;
        long dy = h / 24 % 365;
        return h < 24 * 365 * 8 && dy != 0 ? y + "y" + dy + "d" : y + "y";
    }
}
