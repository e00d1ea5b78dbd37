package dev.berth.kubeapi;

import static dev.berth.testing.BerthRoot.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthRoot;
import dev.berth.testing.KubeClients;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real kubectl (1.35 and 1.33) against berth's API and real containers: an application
 * applied, waited for, rolled, scaled, read (tables, YAML, JSON, jsonpath, logs, events, watch)
 * and deleted, each output checked as a user reads it.
 */
class KubectlCompatIT {
    static final String APP = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: web-config}
            data: {GREETING: hello}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                    - name: app
                      image: %1$s
                      command: ["sh", "-c", "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.3; done"]
                      env:
                        - {name: MODE, value: %2$s}
                        %3$s
                        - {name: GREETING, valueFrom: {configMapKeyRef: {name: web-config, key: GREETING}}}
                      readinessProbe: {exec: {command: ["true"]}, periodSeconds: 1}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080}]
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: web-secret}
            stringData: {password: s3cret}
            ---
            apiVersion: batch/v1
            kind: Job
            metadata: {name: migrate}
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers:
                    - {name: migrate, image: %1$s, command: ["sh", "-c", "echo migrated"]}
            """;

    static Path writeApp(BerthRoot b, String mode, boolean debug) throws Exception {
        Path dir = Files.createDirectories(b.dir.resolve("app"));
        Files.writeString(dir.resolve("app.yaml"), APP.formatted(IMAGE, mode, debug ? "- {name: DEBUG, value: \"1\"}" : ""));
        return dir;
    }

    @ParameterizedTest(name = "kubectl {0}")
    @ValueSource(strings = {"v35", "v33"})
    void kubectlRunsAnApplicationThroughItsLife(String version) throws Exception {
        Path kubectl = KubeClients.binary(version + "/kubectl");
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            KubeClients k = new KubeClients(b);
            assertThat(k.run(kubectl, "version").ok().out()).contains("Server Version: v1.34.0+berth");
            assertThat(k.run(kubectl, "api-resources").ok().out()).containsPattern("deployments +deploy +apps/v1 +true +Deployment")
                    .containsPattern("pods +po +v1 +true +Pod").containsPattern("customresourcedefinitions +crd,crds +apiextensions.k8s.io/v1 +false");

            Path app = writeApp(b, "blue", true);
            assertThat(k.run(kubectl, "apply", "-f", app.toString()).ok().out()).contains("configmap/web-config created",
                    "deployment.apps/web created", "service/web created", "secret/web-secret created", "job.batch/migrate created");
            assertThat(k.run(kubectl, "apply", "-f", app.toString()).ok().out()).contains("configmap/web-config unchanged",
                    "deployment.apps/web unchanged", "service/web unchanged", "job.batch/migrate unchanged");
            assertThat(k.run(kubectl, "rollout", "status", "deploy/web", "--timeout=60s").ok().out()).contains("deployment \"web\" successfully rolled out");
            k.run(kubectl, "wait", "--for=condition=Ready", "pod", "-l", "app=web", "--timeout=60s").ok();
            assertThat(k.run(kubectl, "wait", "--for=condition=complete", "job/migrate", "--timeout=60s").ok().out()).contains("job.batch/migrate condition met");
            assertThat(k.run(kubectl, "logs", "job/migrate").ok().out()).isEqualTo("migrated\n");

            String wide = k.run(kubectl, "get", "pods", "-A", "-o", "wide").ok().out();
            assertThat(wide.lines().findFirst().orElseThrow()).containsPattern("NAMESPACE +NAME +READY +STATUS +RESTARTS +AGE +IP +NODE");
            assertThat(wide).containsPattern("default +web-0 +1/1 +Running +0 +\\S+ +" + b.subnetPrefix.replace(".", "\\.") + "\\d+ +\\S+")
                    .containsPattern("default +migrate-0 +0/1 +Completed");
            String all = k.run(kubectl, "get", "deploy,svc,cm,secret", "-n", "default").ok().out();
            assertThat(all).containsPattern("deployment.apps/web +2/2 +2 +2").containsPattern("service/web +ClusterIP +" + b.servicePrefix.replace(".", "\\.") + "\\d+ +<none> +80/TCP")
                    .containsPattern("configmap/web-config +1").containsPattern("secret/web-secret +Opaque +1");
            assertThat(k.run(kubectl, "get", "endpoints", "web").ok().out()).containsPattern("web +(\\d+\\.\\d+\\.\\d+\\.\\d+:8080,?){2} ");
            assertThat(k.run(kubectl, "get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o",
                    "jsonpath={.items[0].endpoints[*].conditions.ready}").ok().out()).isEqualTo("true true");
            assertThat(k.run(kubectl, "get", "deploy", "web", "-o", "yaml").ok().out()).contains("kind: Deployment", "replicas: 2", "readyReplicas: 2");
            assertThat(k.run(kubectl, "get", "cm", "web-config", "-o", "json").ok().out()).contains("\"GREETING\": \"hello\"");
            assertThat(k.run(kubectl, "get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].status.phase}").ok().out()).isEqualTo("Running Running");
            assertThat(k.run(kubectl, "get", "pods", "-l", "app=web", "-o", "name").ok().out()).isEqualTo("pod/web-0\npod/web-1\n");
            assertThat(k.run(kubectl, "get", "secret", "web-secret", "-o", "jsonpath={.data.password}").ok().out()).isEqualTo("czNjcmV0");

            // a change: MODE blue→green and DEBUG gone; the Deployment rolls and the removed variable is gone from the object
            writeApp(b, "green", false);
            assertThat(k.run(kubectl, "apply", "-f", app.toString()).ok().out()).contains("deployment.apps/web configured", "configmap/web-config unchanged");
            assertThat(k.run(kubectl, "rollout", "status", "deploy/web", "--timeout=90s").ok().out()).contains("successfully rolled out");
            String env = k.run(kubectl, "get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].env[*].name}").ok().out();
            assertThat(env).isEqualTo("MODE GREETING");
            assertThat(k.run(kubectl, "get", "pods", "-l", "app=web", "-o", "jsonpath={range .items[*]}{.spec.containers[0].env[0].value}{\"\\n\"}{end}").ok().out())
                    .isEqualTo("green\ngreen\n");

            assertThat(k.run(kubectl, "scale", "deploy/web", "--replicas=3").ok().out()).contains("deployment.apps/web scaled");
            k.run(kubectl, "rollout", "status", "deploy/web", "--timeout=60s").ok();
            assertThat(k.run(kubectl, "get", "deploy", "web").ok().out()).containsPattern("web +3/3 +3 +3");

            String pod = k.run(kubectl, "get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}").ok().out();
            String describe = k.run(kubectl, "describe", "pod", pod).ok().out();
            assertThat(describe).contains("Status:", "Running", "Events:").containsPattern("Normal +Started .*Started container app");
            assertThat(k.run(kubectl, "logs", pod, "--tail=2").ok().out()).matches("(line \\d+\\n){2}");
            assertThat(k.run(kubectl, "logs", pod, "-c", "app", "--tail=1").ok().out()).matches("line \\d+\\n");
            assertThat(k.run(kubectl, "logs", "deploy/web", "--tail=1").ok().out()).matches("line \\d+\\n");
            assertThat(k.run(kubectl, "events", "--for", "pod/" + pod).ok().out()).contains("Started");
            followedLogGetsNewLines(k, kubectl, pod);
            watchSeesAPodGoAndComeBack(k, kubectl, pod);

            assertThat(k.run(kubectl, "explain", "deployment.spec.strategy").ok().out()).contains("rollingUpdate", "type");
            KubeClients.Result nope = k.run(kubectl, "get", "pod", "nope");
            assertThat(nope.code()).isEqualTo(1);
            assertThat(nope.err()).contains("Error from server (NotFound): pods \"nope\" not found");

            assertThat(k.run(kubectl, "delete", "-f", app.toString()).ok().out()).contains("deployment.apps \"web\" deleted", "service \"web\" deleted");
            assertThat(k.run(kubectl, "get", "deploy", "web").err()).contains("NotFound");
            BerthRoot.waitFor(() -> k.run(kubectl, "get", "pods", "-o", "name").out().isBlank(), "the Deployment's and the Job's pods to go");
            assertThat(b.berth("pod", "ps").ok().out().lines().count()).as("berth's own view").isEqualTo(1);
        }
    }

    private static void followedLogGetsNewLines(KubeClients k, Path kubectl, String pod) throws Exception {
        Process follow = k.start(kubectl, "logs", "-f", "--tail=1", pod);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8))) {
            int first = Integer.parseInt(r.readLine().substring("line ".length()));
            int next = Integer.parseInt(r.readLine().substring("line ".length()));
            assertThat(next).isEqualTo(first + 1);
        } finally {
            follow.destroy();
            follow.waitFor();
        }
    }

    private static void watchSeesAPodGoAndComeBack(KubeClients k, Path kubectl, String pod) throws Exception {
        Process watch = k.start(kubectl, "get", "pods", "-l", "app=web", "-w", "--output-watch-events");
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                }
            } catch (java.io.IOException ended) {
                // the watch was ended
            }
        });
        reader.start();
        try {
            BerthRoot.waitFor(() -> lines.stream().filter(l -> l.startsWith("ADDED")).count() == 3, "the watch to list the three pods");
            k.run(kubectl, "delete", "pod", pod).ok();
            BerthRoot.waitFor(() -> lines.stream().anyMatch(l -> l.matches("DELETED +" + pod + " .*")), "the watch to see " + pod + " deleted");
            BerthRoot.waitFor(() -> lines.stream().anyMatch(l -> l.matches("MODIFIED +" + pod + " .*Terminating.*")), "the watch to see it terminating");
            BerthRoot.waitFor(() -> lines.stream().skip(lines.indexOf(lines.stream().filter(l -> l.startsWith("DELETED")).findFirst().orElseThrow()))
                    .anyMatch(l -> l.matches("(ADDED|MODIFIED) +\\S+ +1/1 +Running.*")), "the watch to see a pod made again and running");
        } finally {
            watch.destroy();
            watch.waitFor();
            reader.join(5000);
        }
    }

    @Test
    void serverSideApplyKustomizeAndConflictsAsAClusterGivesThem() throws Exception {
        Path kubectl = KubeClients.binary("v35/kubectl");
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            KubeClients k = new KubeClients(b);
            Path cm = Files.writeString(b.dir.resolve("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {level: info, size: \"3\"}\n");
            assertThat(k.run(kubectl, "apply", "--server-side", "-f", cm.toString()).ok().out()).contains("configmap/settings serverside-applied");
            String fields = k.run(kubectl, "get", "cm", "settings", "--show-managed-fields", "-o", "yaml").ok().out();
            assertThat(fields).contains("manager: kubectl", "operation: Apply", "f:level: {}");
            Path other = Files.writeString(b.dir.resolve("other.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {level: debug}\n");
            KubeClients.Result conflict = k.run(kubectl, "apply", "--server-side", "--field-manager=ops", "-f", other.toString());
            assertThat(conflict.code()).isEqualTo(1);
            assertThat(conflict.err()).contains("Apply failed with 1 conflict", "conflict with \"kubectl\"", ".data.level");
            k.run(kubectl, "apply", "--server-side", "--field-manager=ops", "--force-conflicts", "-f", other.toString()).ok();
            assertThat(k.run(kubectl, "get", "cm", "settings", "-o", "jsonpath={.data.level}/{.data.size}").ok().out()).isEqualTo("debug/3");
            // the first manager no longer sets level: applying without it leaves ops's value, and size goes with its last owner
            Path less = Files.writeString(b.dir.resolve("less.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {}\n");
            k.run(kubectl, "apply", "--server-side", "-f", less.toString()).ok();
            assertThat(k.run(kubectl, "get", "cm", "settings", "-o", "jsonpath={.data}").ok().out()).isEqualTo("{\"level\":\"debug\"}");

            Path base = Files.createDirectories(b.dir.resolve("kustomize/base"));
            Files.writeString(base.resolve("kustomization.yaml"), "resources: [pod.yaml]\n");
            Files.writeString(base.resolve("pod.yaml"), ("apiVersion: v1\nkind: Pod\nmetadata: {name: tool}\nspec:\n  terminationGracePeriodSeconds: 1\n"
                    + "  containers: [{name: tool, image: %s, command: [sleep, \"1000\"]}]\n").formatted(IMAGE));
            Path overlay = Files.createDirectories(b.dir.resolve("kustomize/overlay"));
            Files.writeString(overlay.resolve("kustomization.yaml"), "resources: [../base]\nnamePrefix: dev-\nlabels: [{pairs: {env: dev}}]\n"
                    + "configMapGenerator: [{name: extra, literals: [a=b]}]\n");
            String applied = k.run(kubectl, "apply", "-k", overlay.toString()).ok().out();
            assertThat(applied).contains("pod/dev-tool created").containsPattern("configmap/dev-extra-\\w+ created");
            k.run(kubectl, "wait", "--for=condition=Ready", "pod/dev-tool", "--timeout=60s").ok();
            assertThat(k.run(kubectl, "get", "pods", "-l", "env=dev", "-o", "name").ok().out()).isEqualTo("pod/dev-tool\n");
            assertThat(b.berth("pod", "ps").ok().out()).contains("dev-tool");
            k.run(kubectl, "delete", "-k", overlay.toString()).ok();
            k.run(kubectl, "create", "namespace", "scratch").ok();
            k.run(kubectl, "create", "configmap", "inside", "-n", "scratch", "--from-literal=a=b").ok();
            assertThat(k.run(kubectl, "delete", "namespace", "scratch").ok().out()).contains("namespace \"scratch\" deleted");
            assertThat(k.run(kubectl, "get", "configmap", "inside", "-n", "scratch").err()).as("what was in it goes with it").contains("NotFound");
            BerthRoot.waitFor(() -> !b.berth("pod", "ps").ok().out().contains("dev-tool"), "the pod to go");
        }
    }

    @Test
    void aCronJobIsScheduledAndItsJobsRun() throws Exception {
        Path kubectl = KubeClients.binary("v35/kubectl");
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            KubeClients k = new KubeClients(b);
            Path cj = Files.writeString(b.dir.resolve("cj.yaml"), """
                    apiVersion: batch/v1
                    kind: CronJob
                    metadata: {name: tick}
                    spec:
                      schedule: "* * * * *"
                      concurrencyPolicy: Forbid
                      successfulJobsHistoryLimit: 1
                      jobTemplate:
                        spec:
                          template:
                            spec:
                              restartPolicy: Never
                              containers: [{name: tick, image: %s, command: ["echo", "tick"]}]
                    """.formatted(IMAGE));
            assertThat(k.run(kubectl, "apply", "-f", cj.toString()).ok().out()).isEqualTo("cronjob.batch/tick created\n");
            assertThat(k.run(kubectl, "get", "cronjob", "tick").ok().out()).containsPattern("tick +\\* \\* \\* \\* \\* +<none> +False +0 +<none>");
            KubeClients.Result bad = k.run(kubectl, "create", "cronjob", "bad", "--image=" + IMAGE, "--schedule=61 * * * *");
            assertThat(bad.err()).contains("spec.schedule", "minute: 61 is outside 0-59");

            assertThat(k.run(kubectl, "create", "job", "--from=cronjob/tick", "manual").ok().out()).contains("job.batch/manual created");
            k.run(kubectl, "wait", "--for=condition=complete", "job/manual", "--timeout=60s").ok();
            assertThat(k.run(kubectl, "logs", "job/manual").ok().out()).isEqualTo("tick\n");

            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
            String scheduled = "";
            while (scheduled.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1000);
                scheduled = k.run(kubectl, "get", "jobs", "-o", "name").ok().out().lines().filter(l -> l.matches("job.batch/tick-\\d+"))
                        .findFirst().orElse("");
            }
            assertThat(scheduled).as("a Job of the schedule within 90 s").isNotEmpty();
            k.run(kubectl, "wait", "--for=condition=complete", scheduled, "--timeout=60s").ok();
            assertThat(k.run(kubectl, "get", scheduled, "-o", "jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}")
                    .ok().out()).isEqualTo("CronJob/tick");
            BerthRoot.waitFor(() -> k.run(kubectl, "get", "cronjob", "tick", "-o", "jsonpath={.status.lastSuccessfulTime}").out().length() > 0,
                    "the CronJob to record its success");
            assertThat(k.run(kubectl, "get", "cronjob", "tick").ok().out()).containsPattern("tick +\\* \\* \\* \\* \\* +<none> +False +[01] +\\d+s"); // the next minute's may run

            k.run(kubectl, "patch", "cronjob", "tick", "-p", "{\"spec\":{\"suspend\":true}}").ok();
            assertThat(k.run(kubectl, "get", "cronjob", "tick", "-o", "jsonpath={.spec.suspend}").ok().out()).isEqualTo("true");
            k.run(kubectl, "delete", "cronjob", "tick").ok();
            BerthRoot.waitFor(() -> !k.run(kubectl, "get", "jobs", "-o", "name").out().contains("tick-"), "the CronJob's Jobs to go with it");
            k.run(kubectl, "delete", "job", "manual", "--ignore-not-found").ok(); // a Job made from the CronJob counts in its history: it may be gone
            BerthRoot.waitFor(() -> b.berth("pod", "ps", "-q").out().isBlank(), "every pod to go");
        }
    }
}
