package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The CronJob controller: every few seconds, each CronJob that is not suspended gets a Job for the
 * latest time its schedule named since it last ran (one, however many were missed; none when
 * startingDeadlineSeconds has passed), unless concurrencyPolicy Forbid finds one still running
 * (Replace deletes it first); the Job is made through the API like any other, so its pods run as
 * the API's reconcile runs them. Finished Jobs beyond the history limits are deleted, oldest first.
 * The CronJob's status says what is active and when it last scheduled and succeeded.
 */
final class CronJobs implements AutoCloseable {
    private static final long TICK_MILLIS = 2000;

    private final Objects objects;
    private final Resources resources;
    private final ObjectStore store;
    private final Consumer<String> log;
    private final Thread thread;
    private volatile boolean closed;

    CronJobs(Objects objects, Resources resources, ObjectStore store, Consumer<String> log) {
        this.objects = objects;
        this.resources = resources;
        this.store = store;
        this.log = log;
        this.thread = new Thread(this::loop, "api-cronjobs");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(TICK_MILLIS);
                tick(Instant.now());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.accept("the CronJob controller failed: " + e);
            }
        }
    }

    void tick(Instant now) {
        Resource cronJobs = resources.find("batch", "v1", "cronjobs").orElseThrow();
        Resource jobs = resources.find("batch", "v1", "jobs").orElseThrow();
        for (ObjectNode cj : store.list(cronJobs, null)) {
            if (cj.path("metadata").has("deletionTimestamp")) {
                continue;
            }
            try {
                cronJob(cronJobs, jobs, cj, now);
            } catch (IllegalArgumentException | ApiError e) {
                log.accept("CronJob " + cj.path("metadata").path("name").asText() + ": " + e.getMessage());
            }
        }
    }

    private void cronJob(Resource cronJobs, Resource jobs, ObjectNode cj, Instant now) {
        JsonNode meta = cj.path("metadata");
        JsonNode spec = cj.path("spec");
        String ns = meta.path("namespace").asText();
        String uid = meta.path("uid").asText();
        List<ObjectNode> owned = new ArrayList<>();
        for (ObjectNode job : store.list(jobs, ns)) {
            for (JsonNode ref : job.path("metadata").path("ownerReferences")) {
                if (ref.path("uid").asText().equals(uid)) {
                    owned.add(job);
                }
            }
        }
        owned.sort(Comparator.comparing(j -> j.path("metadata").path("creationTimestamp").asText()));
        List<ObjectNode> active = owned.stream().filter(j -> finished(j) == null).toList();
        Instant lastScheduled = Instant.parse(cj.path("status").path("lastScheduleTime").asText(meta.path("creationTimestamp").asText()));
        ZoneId zone = spec.hasNonNull("timeZone") ? ZoneId.of(spec.path("timeZone").asText()) : ZoneId.systemDefault();
        Instant due = spec.path("suspend").asBoolean(false) ? null
                : CronSchedule.parse(spec.path("schedule").asText()).lastBetween(lastScheduled, now, zone);
        long deadline = spec.path("startingDeadlineSeconds").asLong(0);
        boolean late = due != null && deadline > 0 && Duration.between(due, now).getSeconds() > deadline;
        String policy = spec.path("concurrencyPolicy").asText("Allow");
        Instant scheduled = null;
        if (due != null && !late && !(policy.equals("Forbid") && !active.isEmpty())) {
            if (policy.equals("Replace")) {
                active.forEach(j -> objects.remove(jobs, j, "Background"));
                active = List.of();
            }
            try {
                ObjectNode job = objects.create(jobs, job(cj, due), "cronjob-controller");
                active = new ArrayList<>(active);
                active.add(job);
                owned.add(job);
            } catch (ApiError e) {
                if (!e.reason().equals("AlreadyExists")) {
                    throw e;
                } // made before this server's last status write: scheduled already
            }
            scheduled = due;
        }
        history(jobs, owned, "Complete", spec.path("successfulJobsHistoryLimit").asInt(3));
        history(jobs, owned, "Failed", spec.path("failedJobsHistoryLimit").asInt(1));
        status(cronJobs, cj, active, scheduled != null ? scheduled : due != null && late ? due : null, owned);
    }

    /** The Job of one scheduled time: named after the CronJob and the time in minutes, as the real controller names it. */
    private static ObjectNode job(ObjectNode cj, Instant time) {
        JsonNode template = cj.path("spec").path("jobTemplate");
        ObjectNode job = Objects.F.objectNode().put("apiVersion", "batch/v1").put("kind", "Job");
        ObjectNode meta = job.putObject("metadata").put("name", cj.path("metadata").path("name").asText() + "-" + time.getEpochSecond() / 60)
                .put("namespace", cj.path("metadata").path("namespace").asText());
        if (template.path("metadata").has("labels")) {
            meta.set("labels", template.path("metadata").path("labels").deepCopy());
        }
        ObjectNode annotations = meta.putObject("annotations");
        template.path("metadata").path("annotations").fields().forEachRemaining(f -> annotations.set(f.getKey(), f.getValue()));
        annotations.put("batch.kubernetes.io/cronjob-scheduled-timestamp", time.toString());
        meta.putArray("ownerReferences").addObject().put("apiVersion", "batch/v1").put("kind", "CronJob")
                .put("name", cj.path("metadata").path("name").asText()).put("uid", cj.path("metadata").path("uid").asText())
                .put("controller", true).put("blockOwnerDeletion", true);
        job.set("spec", template.path("spec").deepCopy());
        return job;
    }

    /** Complete or Failed when the Job ended, else null. */
    private static String finished(JsonNode job) {
        for (JsonNode c : job.path("status").path("conditions")) {
            if (c.path("status").asText().equals("True") && (c.path("type").asText().equals("Complete") || c.path("type").asText().equals("Failed"))) {
                return c.path("type").asText();
            }
        }
        return null;
    }

    private void history(Resource jobs, List<ObjectNode> owned, String outcome, int keep) {
        List<ObjectNode> ended = owned.stream().filter(j -> outcome.equals(finished(j))).toList();
        for (ObjectNode old : ended.subList(0, Math.max(0, ended.size() - keep))) {
            objects.remove(jobs, old, "Background");
        }
    }

    private void status(Resource cronJobs, ObjectNode cj, List<ObjectNode> active, Instant scheduled, List<ObjectNode> owned) {
        ObjectNode status = cj.path("status").isObject() ? ((ObjectNode) cj.get("status")).deepCopy() : Objects.F.objectNode();
        if (scheduled != null) {
            status.put("lastScheduleTime", scheduled.toString());
        }
        ArrayNode refs = Objects.F.arrayNode();
        for (ObjectNode j : active) {
            refs.addObject().put("kind", "Job").put("namespace", j.path("metadata").path("namespace").asText())
                    .put("name", j.path("metadata").path("name").asText()).put("uid", j.path("metadata").path("uid").asText()).put("apiVersion", "batch/v1");
        }
        if (refs.isEmpty()) {
            status.remove("active");
        } else {
            status.set("active", refs);
        }
        owned.stream().filter(j -> "Complete".equals(finished(j))).map(j -> j.path("status").path("completionTime").asText(""))
                .filter(t -> !t.isEmpty()).max(String::compareTo).ifPresent(t -> status.put("lastSuccessfulTime", t));
        if (!status.equals(cj.path("status"))) {
            ObjectNode next = cj.deepCopy();
            next.set("status", status);
            store.put(cronJobs, next, Long.parseLong(cj.path("metadata").path("resourceVersion").asText("0")), false);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
