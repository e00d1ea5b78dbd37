package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The status a workload's controller would write, counted from its pods as berth runs them:
 * what {@code kubectl rollout status}, {@code kubectl wait} and {@code kubectl get} read.
 * observedGeneration is the generation the API's last reconcile pass started from, so a rollout
 * is reported in progress until berth has taken the new spec in.
 */
final class Workloads {
    private Workloads() {}

    static ObjectNode status(String kind, ObjectNode o, List<ObjectNode> pods, ApiReconcile reconcile) {
        JsonNode meta = o.path("metadata");
        if (meta.path("annotations").has(ApiReconcile.MADE_BY)) {
            return null; // a ReplicaSet berth shows: counted with its Deployment
        }
        String ns = meta.path("namespace").asText();
        String name = meta.path("name").asText();
        int wanted = o.path("spec").path("replicas").asInt(1);
        int ready = (int) pods.stream().filter(Workloads::ready).count();
        long generation = reconcile.observedGeneration(resourceKey(kind), ns, name);
        ObjectNode s = Objects.F.objectNode();
        if (generation > 0) {
            s.put("observedGeneration", generation);
        }
        switch (kind) {
            case "Deployment" -> {
                String template = reconcile.template(ns, name);
                int updated = (int) pods.stream().filter(p -> template != null && template.equals(p.path("metadata").path("labels").path("pod-template-hash").asText())).count();
                s.put("replicas", pods.size()).put("updatedReplicas", updated).put("readyReplicas", ready).put("availableReplicas", ready);
                if (wanted > ready) {
                    s.put("unavailableReplicas", wanted - ready);
                }
                ArrayNode conditions = s.putArray("conditions");
                condition(conditions, "Available", ready >= wanted, ready >= wanted ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                        ready >= wanted ? "Deployment has minimum availability." : "Deployment does not have minimum availability.");
                boolean done = updated == wanted && ready >= wanted && pods.size() == wanted;
                condition(conditions, "Progressing", true, done ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                        "ReplicaSet \"" + name + "-" + template + "\" " + (done ? "has successfully progressed." : "is progressing."));
            }
            case "StatefulSet" -> {
                List<String> revisions = new ArrayList<>();
                pods.forEach(p -> revisions.add(p.path("metadata").path("labels").path("controller-revision-hash").asText()));
                String update = revisions.isEmpty() ? name : revisions.get(revisions.size() - 1);
                String current = revisions.stream().filter(r -> !r.equals(update)).findFirst().orElse(update);
                int updated = (int) revisions.stream().filter(update::equals).count();
                s.put("replicas", pods.size()).put("readyReplicas", ready).put("currentReplicas", current.equals(update) ? pods.size() : pods.size() - updated)
                        .put("updatedReplicas", updated).put("availableReplicas", ready).put("currentRevision", current).put("updateRevision", update)
                        .put("collisionCount", 0);
            }
            case "DaemonSet" -> s.put("desiredNumberScheduled", 1).put("currentNumberScheduled", pods.size()).put("numberReady", ready)
                    .put("updatedNumberScheduled", pods.size()).put("numberAvailable", ready).put("numberMisscheduled", 0);
            case "ReplicaSet" -> s.put("replicas", pods.size()).put("fullyLabeledReplicas", pods.size()).put("readyReplicas", ready).put("availableReplicas", ready);
            case "Job" -> job(s, o, pods);
            default -> {
                return null;
            }
        }
        return s;
    }

    private static String resourceKey(String kind) {
        return kind.equals("Job") ? "jobs.batch" : kind.toLowerCase(java.util.Locale.ROOT) + "s.apps";
    }

    /** A Job: active, succeeded and failed pods, its start and completion, and Complete or Failed when it ended. */
    private static void job(ObjectNode s, ObjectNode o, List<ObjectNode> pods) {
        int active = 0;
        int succeeded = 0;
        int failed = 0;
        String start = null;
        String end = null;
        for (ObjectNode p : pods) {
            String phase = p.path("status").path("phase").asText();
            switch (phase) {
                case "Succeeded" -> succeeded++;
                case "Failed" -> failed++;
                default -> active++;
            }
            for (JsonNode c : p.path("status").path("containerStatuses")) {
                failed += c.path("restartCount").asInt(0);
                String finished = c.path("state").path("terminated").path("finishedAt").asText("");
                if (!finished.isEmpty() && (end == null || finished.compareTo(end) > 0)) {
                    end = finished;
                }
            }
            String created = p.path("metadata").path("creationTimestamp").asText();
            if (start == null || created.compareTo(start) < 0) {
                start = created;
            }
        }
        if (start != null) {
            s.put("startTime", start);
        }
        if (active > 0) {
            s.put("active", active);
        }
        if (succeeded > 0) {
            s.put("succeeded", succeeded);
        }
        if (failed > 0) {
            s.put("failed", failed);
        }
        int completions = o.path("spec").path("completions").asInt(Math.max(1, pods.size()));
        ArrayNode conditions = Objects.F.arrayNode();
        if (!pods.isEmpty() && succeeded >= completions) {
            s.put("completionTime", end == null ? Objects.now() : end);
            condition(conditions, "SuccessCriteriaMet", true, "CompletionsReached", "Reached expected number of succeeded pods");
            condition(conditions, "Complete", true, "CompletionsReached", "Reached expected number of succeeded pods");
        } else if (active == 0 && pods.stream().anyMatch(p -> p.path("status").path("phase").asText().equals("Failed"))) {
            condition(conditions, "FailureTarget", true, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
            condition(conditions, "Failed", true, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
        }
        if (!conditions.isEmpty()) {
            s.set("conditions", conditions);
        }
        s.put("ready", (int) pods.stream().filter(Workloads::ready).count());
        s.put("terminating", 0);
    }

    static boolean ready(JsonNode pod) {
        for (JsonNode c : pod.path("status").path("conditions")) {
            if (c.path("type").asText().equals("Ready")) {
                return c.path("status").asText().equals("True");
            }
        }
        return false;
    }

    private static void condition(ArrayNode conditions, String type, boolean ok, String reason, String message) {
        String now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        conditions.addObject().put("type", type).put("status", ok ? "True" : "False").put("lastUpdateTime", now).put("lastTransitionTime", now)
                .put("reason", reason).put("message", message);
    }

    /**
     * The ReplicaSets a Deployment controller would have made: one per template its pods were made
     * from (and the current one), named {@code DEPLOYMENT-HASH}, owned by the Deployment.
     */
    static void replicaSets(LiveView view, Map<String, List<ObjectNode>> byOwner) {
        Resource deployments = view.resource("apps", "deployments");
        Resource replicaSets = view.resource("apps", "replicasets");
        ObjectStore store = view.store();
        Set<String> shown = new HashSet<>();
        for (ObjectNode d : store.list(deployments, null)) {
            String ns = d.path("metadata").path("namespace").asText();
            String name = d.path("metadata").path("name").asText();
            Map<String, List<ObjectNode>> byHash = new LinkedHashMap<>();
            for (ObjectNode p : byOwner.getOrDefault(ns + "/Deployment/" + name, List.of())) {
                byHash.computeIfAbsent(p.path("metadata").path("labels").path("pod-template-hash").asText(), h -> new ArrayList<>()).add(p);
            }
            for (Map.Entry<String, List<ObjectNode>> e : byHash.entrySet()) {
                String rsName = name + "-" + e.getKey();
                shown.add(ns + "/" + rsName);
                ObjectNode rs = replicaSet(d, rsName, e.getKey(), e.getValue());
                var stored = store.get(replicaSets, ns, rsName);
                if (stored.isEmpty()) {
                    view.put(replicaSets, rs, true);
                } else if (!stored.get().path("spec").equals(rs.path("spec")) || !stored.get().path("status").equals(rs.path("status"))) {
                    ObjectNode next = stored.get().deepCopy();
                    next.set("spec", rs.get("spec"));
                    next.set("status", rs.get("status"));
                    store.put(replicaSets, next, 0, false);
                }
            }
        }
        for (ObjectNode rs : store.list(replicaSets, null)) {
            JsonNode meta = rs.path("metadata");
            if (meta.path("annotations").has(ApiReconcile.MADE_BY) && !shown.contains(meta.path("namespace").asText() + "/" + meta.path("name").asText())) {
                store.delete(replicaSets, rs);
            }
        }
    }

    private static ObjectNode replicaSet(ObjectNode d, String name, String hash, List<ObjectNode> pods) {
        ObjectNode rs = Objects.F.objectNode().put("apiVersion", "apps/v1").put("kind", "ReplicaSet");
        ObjectNode meta = rs.putObject("metadata").put("name", name).put("namespace", d.path("metadata").path("namespace").asText());
        ObjectNode labels = meta.putObject("labels");
        d.path("spec").path("template").path("metadata").path("labels").fields().forEachRemaining(f -> labels.set(f.getKey(), f.getValue()));
        labels.put("pod-template-hash", hash);
        meta.putObject("annotations").put(ApiReconcile.MADE_BY, "the Kubernetes API")
                .put("deployment.kubernetes.io/desired-replicas", d.path("spec").path("replicas").asText("1"));
        meta.putArray("ownerReferences").addObject().put("apiVersion", "apps/v1").put("kind", "Deployment")
                .put("name", d.path("metadata").path("name").asText()).put("uid", d.path("metadata").path("uid").asText())
                .put("controller", true).put("blockOwnerDeletion", true);
        ObjectNode spec = rs.putObject("spec").put("replicas", pods.size());
        ObjectNode selector = spec.putObject("selector");
        ObjectNode match = selector.putObject("matchLabels");
        d.path("spec").path("selector").path("matchLabels").fields().forEachRemaining(f -> match.set(f.getKey(), f.getValue()));
        match.put("pod-template-hash", hash);
        ObjectNode template = d.path("spec").path("template").deepCopy();
        ((ObjectNode) template.with("metadata").with("labels")).put("pod-template-hash", hash);
        spec.set("template", template);
        int ready = (int) pods.stream().filter(Workloads::ready).count();
        rs.putObject("status").put("replicas", pods.size()).put("fullyLabeledReplicas", pods.size()).put("readyReplicas", ready)
                .put("availableReplicas", ready).put("observedGeneration", 1);
        return rs;
    }
}
