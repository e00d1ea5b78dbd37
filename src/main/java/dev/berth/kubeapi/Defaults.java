package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The defaults the real server fills in on write, where a client reads them back: a Secret's
 * stringData as data, a Job's
 * selector and its pods' labels (what {@code kubectl logs job/x} and {@code kubectl wait} find its
 * pods by), a Deployment's replicas and strategy, a StatefulSet's policies, a Service's type and
 * its ports' protocol and targetPort.
 */
final class Defaults {
    private Defaults() {}

    static void apply(String kind, ObjectNode object) {
        if (kind.equals("Secret")) {
            secret(object);
            return;
        }
        if (!(object.get("spec") instanceof ObjectNode spec)) {
            return;
        }
        switch (kind) {
            case "Job" -> job(object, spec);
            case "Deployment" -> {
                putIfAbsent(spec, "replicas", 1);
                if (!spec.has("strategy") || spec.path("strategy").isEmpty()) {
                    spec.putObject("strategy").put("type", "RollingUpdate").putObject("rollingUpdate").put("maxSurge", "25%").put("maxUnavailable", "25%");
                }
                putIfAbsent(spec, "revisionHistoryLimit", 10);
                putIfAbsent(spec, "progressDeadlineSeconds", 600);
            }
            case "StatefulSet" -> {
                putIfAbsent(spec, "replicas", 1);
                if (!spec.has("podManagementPolicy")) {
                    spec.put("podManagementPolicy", "OrderedReady");
                }
                if (!spec.has("updateStrategy")) {
                    spec.putObject("updateStrategy").put("type", "RollingUpdate").putObject("rollingUpdate").put("partition", 0);
                }
                putIfAbsent(spec, "revisionHistoryLimit", 10);
            }
            case "ReplicaSet" -> putIfAbsent(spec, "replicas", 1);
            case "CronJob" -> {
                if (!spec.has("concurrencyPolicy")) {
                    spec.put("concurrencyPolicy", "Allow");
                }
                if (!spec.has("suspend")) {
                    spec.put("suspend", false);
                }
                putIfAbsent(spec, "successfulJobsHistoryLimit", 3);
                putIfAbsent(spec, "failedJobsHistoryLimit", 1);
            }
            case "Service" -> {
                if (!spec.has("type")) {
                    spec.put("type", "ClusterIP");
                }
                if (!spec.has("sessionAffinity")) {
                    spec.put("sessionAffinity", "None");
                }
                for (JsonNode p : spec.path("ports")) {
                    if (p instanceof ObjectNode port) {
                        if (!port.has("protocol")) {
                            port.put("protocol", "TCP");
                        }
                        if (!port.has("targetPort") && port.has("port")) {
                            port.set("targetPort", port.get("port"));
                        }
                    }
                }
            }
            default -> {
            }
        }
    }

    /** A Secret's stringData is written into its data, base64, as the real server does; its type is Opaque unless given. */
    private static void secret(ObjectNode secret) {
        if (secret.get("stringData") instanceof ObjectNode strings) {
            ObjectNode data = secret.with("data");
            strings.fields().forEachRemaining(f -> data.put(f.getKey(),
                    java.util.Base64.getEncoder().encodeToString(f.getValue().asText().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            secret.remove("stringData");
        }
        if (!secret.has("type")) {
            secret.put("type", "Opaque");
        }
    }

    /** A Job's pods are found by its uid: the selector and the labels the Job controller sets. */
    private static void job(ObjectNode job, ObjectNode spec) {
        String uid = job.path("metadata").path("uid").asText("");
        String name = job.path("metadata").path("name").asText("");
        if (!spec.path("manualSelector").asBoolean(false) && !spec.has("selector") && !uid.isEmpty()) {
            spec.putObject("selector").putObject("matchLabels").put("batch.kubernetes.io/controller-uid", uid);
        }
        if (spec.path("template") instanceof ObjectNode template && !uid.isEmpty()) {
            ObjectNode labels = template.with("metadata").with("labels");
            labels.put("batch.kubernetes.io/controller-uid", uid).put("batch.kubernetes.io/job-name", name).put("controller-uid", uid).put("job-name", name);
        }
        if (!spec.has("parallelism")) {
            spec.put("parallelism", 1);
        }
        if (!spec.has("completions") && spec.path("parallelism").asInt() == 1) {
            spec.put("completions", 1);
        }
        putIfAbsent(spec, "backoffLimit", 6);
    }

    private static void putIfAbsent(ObjectNode o, String field, int value) {
        if (!o.has(field)) {
            o.put(field, value);
        }
    }
}
