package dev.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.ContainerSpec;
import dev.berth.api.EnvVar;
import dev.berth.api.ManifestException;
import dev.berth.api.Manifests;
import dev.berth.api.ObjectKind;
import dev.berth.api.PodSpec;
import dev.berth.api.PortRef;
import dev.berth.api.ProbeAction;
import dev.berth.api.StartCondition;
import dev.berth.api.Volume;
import dev.berth.testing.Yaml;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestReaderTest {
    @TempDir
    Path dir;

    Yaml yaml;

    @BeforeEach
    void setUp() {
        yaml = new Yaml(dir);
    }

    @Test
    void readsAPodWithEverythingBerthKeeps() {
        Manifests m = yaml.read("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                  labels: {app: web}
                  annotations:
                    berth.dev/depends-on.client: "web:started, other/db:completed"
                spec:
                  restartPolicy: Never
                  containers:
                    - name: web
                      image: httpd
                      command: [httpd, -f]
                      args: [-p, "8080"]
                      ports:
                        - {name: http, containerPort: 8080}
                      readinessProbe:
                        httpGet: {path: /healthz, port: http}
                        periodSeconds: 2
                      resources:
                        limits: {memory: 64Mi, cpu: 0.5}
                    - name: client
                      image: busybox
                      env:
                        - {name: A, value: "1"}
                """);
        PodSpec pod = m.pods().get(0);
        assertThat(pod.name()).isEqualTo("web");
        assertThat(pod.namespace()).isEqualTo("default");
        assertThat(pod.restartPolicy()).isEqualTo("Never");
        assertThat(pod.labels()).containsEntry("app", "web");
        assertThat(pod.source().line()).isEqualTo(3);
        ContainerSpec web = pod.containers().get(0);
        assertThat(web.args()).containsExactly("-p", "8080");
        assertThat(web.limits()).containsEntry("memory", "64Mi").containsEntry("cpu", "0.5");
        assertThat(web.readinessProbe().periodSeconds()).isEqualTo(2);
        assertThat(web.readinessProbe().failureThreshold()).isEqualTo(3);
        assertThat(web.readinessProbe().action()).isEqualTo(
                new ProbeAction.HttpGet(PortRef.named("http"), "/healthz", null, "HTTP", java.util.Map.of()));
        assertThat(web.source().line()).isEqualTo(11);
        assertThat(pod.dependsOn()).hasSize(2);
        assertThat(pod.dependsOn().get(0).container()).isEqualTo("client");
        assertThat(pod.dependsOn().get(0).condition()).isEqualTo(StartCondition.STARTED);
        assertThat(pod.dependsOn().get(1).target()).isEqualTo("other/db");
        assertThat(pod.dependsOn().get(1).where()).endsWith("m0.yaml:7: metadata.annotations[\"berth.dev/depends-on.client\"]");
    }

    @Test
    void containerNameMustBeADns1123Label() {
        assertThat(yaml.problems(Yaml.pod("web", "").replace("name: main", "name: Main_1")))
                .containsExactly("m0.yaml:7: spec.containers[0].name: \"Main_1\" is not a valid DNS-1123 label (lower case letters, digits and '-', starting and ending with a letter or digit)");
    }

    @Test
    void podNameMustBeADns1123Subdomain() {
        assertThat(yaml.problems(Yaml.pod("Web", "")))
                .containsExactly("m0.yaml:4: metadata.name: \"Web\" is not a valid DNS-1123 subdomain (lower case letters, digits, '-' and '.', starting and ending with a letter or digit)");
    }

    @Test
    void portNameMustBeAnIanaServiceName() {
        assertThat(yaml.problems(Yaml.pod("web", "ports: [{name: a--b, containerPort: 80}, {name: \"12\", containerPort: 81}]")))
                .containsExactly(
                        "m0.yaml:9: spec.containers[0].ports[0].name: port name \"a--b\" must be lower case letters, digits and '-', contain a letter, and not start or end with '-' or contain \"--\"",
                        "m0.yaml:9: spec.containers[0].ports[1].name: port name \"12\" must be lower case letters, digits and '-', contain a letter, and not start or end with '-' or contain \"--\"");
    }

    @Test
    void unknownTopLevelFieldsAreErrorsAsDeeperOnesAre() {
        assertThat(yaml.problems("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                foo: 1
                statuss: {}
                spec:
                  containers: [{name: a, image: busybox}]
                """)).containsExactly("m0.yaml:4: foo: unknown field \"foo\" in Pod",
                "m0.yaml:5: statuss: unknown field \"statuss\" in Pod; did you mean \"status\"?");
    }

    @Test
    void aProjectedVolumeIsRefusedAsNotSupportedNotAsMissing() {
        assertThat(yaml.problems("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: a
                      image: busybox
                      volumeMounts: [{name: all, mountPath: /all}]
                  volumes:
                    - name: all
                      projected: {sources: [{configMap: {name: c}}]}
                """)).containsExactly("m0.yaml:11: spec.volumes[0].projected: projected volumes are not supported yet; the supported types are "
                + "emptyDir, hostPath, configMap, secret, persistentVolumeClaim, downwardAPI");
    }

    @Test
    void duplicateContainerNamesAcrossInitAndAppContainers() {
        assertThat(yaml.problems("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  initContainers:
                    - name: a
                      image: busybox
                  containers:
                    - name: a
                      image: busybox
                """)).containsExactly("m0.yaml:9: spec.containers[0].name: duplicate container name \"a\"");
    }

    @Test
    void duplicatePodNamesAcrossFilesNameTheFirst() {
        ManifestException e = org.junit.jupiter.api.Assertions.assertThrows(ManifestException.class,
                () -> yaml.read(Yaml.pod("web", ""), Yaml.pod("web", "")));
        assertThat(e.problems()).singleElement().asString()
                .endsWith("m1.yaml:4: metadata.name: duplicate Pod \"web\" (first defined at " + dir.resolve("m0.yaml") + ":4)");
    }

    @Test
    void portsOutsideTheRange() {
        assertThat(yaml.problems(Yaml.pod("web", "ports: [{containerPort: 0}, {containerPort: 70000, hostPort: -1}]")))
                .containsExactly(
                        "m0.yaml:9: spec.containers[0].ports[0].containerPort: port 0 is outside 1..65535",
                        "m0.yaml:9: spec.containers[0].ports[1].containerPort: port 70000 is outside 1..65535",
                        "m0.yaml:9: spec.containers[0].ports[1].hostPort: port -1 is outside 1..65535");
    }

    @Test
    void duplicateContainerPortWithinAPod() {
        assertThat(yaml.problems("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: a
                      image: busybox
                      ports: [{containerPort: 8080}]
                    - name: b
                      image: busybox
                      ports:
                        - containerPort: 8080
                """)).containsExactly("m0.yaml:12: spec.containers[1].ports[0].containerPort: containerPort 8080/TCP is already declared by container \"a\" in this pod");
    }

    @Test
    void probeWithoutHandler() {
        assertThat(yaml.problems(Yaml.pod("web", "readinessProbe:\n  periodSeconds: 3")))
                .containsExactly("m0.yaml:9: spec.containers[0].readinessProbe: a probe needs exactly one handler (exec, httpGet, tcpSocket or grpc), found none");
    }

    @Test
    void logLimitAnnotationsAreChecked() {
        String pod = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                  annotations: {berth.dev/log-max-size: %s, berth.dev/log-max-files: "%s"}
                spec:
                  containers: [{name: c, image: busybox}]
                """;
        Manifests m = yaml.read(pod.formatted("2Mi", "3"));
        assertThat(dev.berth.api.LogLimits.of(m.pods().get(0).annotations(), dev.berth.api.LogLimits.DEFAULT))
                .isEqualTo(new dev.berth.api.LogLimits(2L * 1024 * 1024, 3));
        assertThat(yaml.problems(pod.formatted("1k", "0"))).containsExactly(
                "m0.yaml:5: metadata.annotations[\"berth.dev/log-max-size\"]: must be from 64Ki to 1Ti, got 1k",
                "m0.yaml:5: metadata.annotations[\"berth.dev/log-max-files\"]: must be a whole number of files from 1 to 9999, got \"0\"");
    }

    @Test
    void lifecycleHooksAreReadAndABadOneNamesItsLine() {
        Manifests m = yaml.read(Yaml.pod("web", """
                ports: [{name: http, containerPort: 80}]
                lifecycle:
                  postStart: {exec: {command: [sh, -c, "touch /tmp/up"]}}
                  preStop: {httpGet: {path: /quit, port: http}}"""));
        var c = m.pods().get(0).containers().get(0);
        assertThat(c.postStart().describe()).isEqualTo("exec sh -c touch /tmp/up");
        assertThat(c.preStop().describe()).isEqualTo("httpGet :http/quit");
        assertThat(yaml.read(Yaml.pod("web", "lifecycle: {preStop: {sleep: {seconds: 5}}}")).pods().get(0).containers().get(0).preStop().describe())
                .isEqualTo("sleep 5s");
        assertThat(yaml.problems(Yaml.pod("web", "lifecycle:\n  preStop: {tcpSocket: {port: 80}}")))
                .containsExactly("m0.yaml:10: spec.containers[0].lifecycle.preStop.tcpSocket: tcpSocket is not supported in lifecycle hooks "
                        + "(Kubernetes does not run it either); use exec or httpGet");
        assertThat(yaml.problems(Yaml.pod("web", "lifecycle:\n  postStart: {}")))
                .containsExactly("m0.yaml:10: spec.containers[0].lifecycle.postStart: a hook needs exactly one handler (exec or httpGet), found none");
    }

    @Test
    void probeWithSeveralHandlers() {
        assertThat(yaml.problems(Yaml.pod("web", "livenessProbe:\n  exec: {command: [\"true\"]}\n  tcpSocket: {port: 80}")))
                .containsExactly("m0.yaml:9: spec.containers[0].livenessProbe: a probe needs exactly one handler (exec, httpGet, tcpSocket or grpc), found exec and tcpSocket");
    }

    @Test
    void probeNamedPortMustBeDeclared() {
        assertThat(yaml.problems(Yaml.pod("web", "ports: [{name: http, containerPort: 80}]\nreadinessProbe:\n  tcpSocket:\n    port: htp")))
                .containsExactly("m0.yaml:12: spec.containers[0].readinessProbe.tcpSocket.port: no port named \"htp\" in this container's ports (named: http)");
    }

    @Test
    void initContainerMayNotHaveProbesUnlessItIsASidecar() {
        String manifest = """
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  initContainers:
                    - name: setup
                      image: busybox
                      readinessProbe:
                        exec: {command: ["true"]}
                    - name: proxy
                      image: busybox
                      restartPolicy: Always
                      readinessProbe:
                        exec: {command: ["true"]}
                  containers:
                    - name: app
                      image: busybox
                """;
        assertThat(yaml.problems(manifest)).containsExactly(
                "m0.yaml:8: spec.initContainers[0].readinessProbe: init containers may not have probes (only native sidecars, with restartPolicy: Always, may)");
    }

    @Test
    void missingReferencesAreErrorsUnlessOptionalOrAllowed() {
        String manifest = """
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: app
                      image: busybox
                      env:
                        - name: A
                          valueFrom:
                            configMapKeyRef: {name: settings, key: a}
                        - name: B
                          valueFrom:
                            secretKeyRef: {name: creds, key: b, optional: true}
                      envFrom:
                        - secretRef: {name: tokens}
                      volumeMounts:
                        - {name: data, mountPath: /data}
                  volumes:
                    - name: data
                      persistentVolumeClaim: {claimName: data-claim}
                """;
        assertThat(yaml.problems(manifest)).containsExactly(
                "m0.yaml:11: spec.containers[0].env[0].valueFrom.configMapKeyRef: ConfigMap \"settings\" is not in the given manifests; add it, mark the reference optional: true, or pass --allow-missing-refs",
                "m0.yaml:16: spec.containers[0].envFrom[0].secretRef: Secret \"tokens\" is not in the given manifests; add it, mark the reference optional: true, or pass --allow-missing-refs",
                "m0.yaml:21: spec.volumes[0].persistentVolumeClaim: PersistentVolumeClaim \"data-claim\" is not in the given manifests; add it, or pass --allow-missing-refs");
        Manifests relaxed = yaml.read(new ManifestReader.Options(true, false, false, 0), manifest);
        assertThat(relaxed.warnings()).hasSize(3).allMatch(w -> w.endsWith("(allowed by --allow-missing-refs)"));
    }

    @Test
    void referenceToAMissingKeyOfAPresentConfigMap() {
        assertThat(yaml.problems("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                data: {a: "1"}
                ---
                """ + Yaml.pod("p", "env:\n  - name: B\n    valueFrom:\n      configMapKeyRef: {name: settings, key: b}")))
                .containsExactly("m0.yaml:17: spec.containers[0].env[0].valueFrom.configMapKeyRef: ConfigMap \"settings\" has no key \"b\"");
    }

    @Test
    void workloadTemplatesNeedContainers() {
        assertThat(yaml.problems("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: []
                ---
                apiVersion: batch/v1
                kind: Job
                metadata: {name: once}
                spec:
                  template: {}
                """)).containsExactly(
                "m0.yaml:8: spec.template.spec.containers: must list at least one container",
                "m0.yaml:14: spec.template.spec: required: the pod template (with at least one container)");
    }

    @Test
    void everyKindIsAcceptedAndWhatIsNotAppliedIsSaid() {
        String manifest = """
                apiVersion: monitoring.coreos.com/v1
                kind: ServiceMonitor
                metadata: {name: web}
                spec: {anything: [goes]}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: reader}
                rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
                ---
                """ + Yaml.pod("web", "");
        Manifests m = yaml.read(ManifestReader.Options.DEFAULT, manifest);
        assertThat(m.pods()).extracting(PodSpec::name).containsExactly("web");
        assertThat(m.warnings()).extracting(w -> w.substring(w.indexOf("m0.yaml"))).containsExactly(
                "m0.yaml:2: kind: custom resource ServiceMonitor (monitoring.coreos.com/v1): accepted, not applied (berth knows no controller for it)",
                "m0.yaml:7: kind: Role/reader: accepted, not applied on one host: no API server to authorize");
        assertThat(yaml.problems(manifest.replace("verbs:", "verb:"))).containsExactly(
                "m0.yaml:9: rules[0].verb: unknown field \"verb\" in PolicyRule; did you mean \"verbs\"?");
        assertThat(yaml.problems(manifest.replace("rbac.authorization.k8s.io/v1", "rbac/v1")))
                .containsExactly("m0.yaml:6: apiVersion: Role needs apiVersion rbac.authorization.k8s.io/v1, got \"rbac/v1\"");
    }

    @Test
    void wrongApiVersion() {
        assertThat(yaml.problems(Yaml.pod("web", "").replace("apiVersion: v1", "apiVersion: apps/v1")))
                .containsExactly("m0.yaml:1: apiVersion: Pod needs apiVersion v1, got \"apps/v1\"");
    }

    @Test
    void emptyDocumentsAreSkippedSilently() {
        Manifests m = yaml.read("---\n# nothing\n---\n" + Yaml.pod("web", "") + "---\n---\n");
        assertThat(m.pods()).hasSize(1);
        assertThat(m.warnings()).isEmpty();
    }

    @Test
    void everyProblemOfAFileIsReportedAtOnce() {
        List<String> problems = yaml.problems("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: a
                    - image: busybox
                      ports: [{containerPort: "80"}]
                """);
        assertThat(problems).containsExactly(
                "m0.yaml:6: spec.containers[0].image: required",
                "m0.yaml:7: spec.containers[1].name: required",
                "m0.yaml:8: spec.containers[1].ports[0].containerPort: must be an integer, got \"80\"");
    }

    @Test
    void labelValuesMustBeStrings() {
        assertThat(yaml.problems(Yaml.pod("web", "").replace("name: web", "name: web\n  labels: {tier: 1}")))
                .containsExactly("m0.yaml:5: metadata.labels[\"tier\"]: must be a string, got 1; quote it: \"1\"");
    }

    @Test
    void declaredDependencyAnnotationsAreChecked() {
        String pod = Yaml.pod("web", "").replace("name: web", """
                name: web
                  annotations:
                    berth.dev/depends-on.nope: db
                    berth.dev/depends-on: "db:healthy, , a/b/c"
                    berth.dev/infer: "no"
                    berth.dev/dependson: db
                    berth.dev/infra: "yes\"""");
        assertThat(yaml.problems(pod)).containsExactly(
                "m0.yaml:6: metadata.annotations[\"berth.dev/depends-on.nope\"]: no container \"nope\" in this pod",
                "m0.yaml:7: metadata.annotations[\"berth.dev/depends-on\"]: unknown condition \"healthy\" (expected started, ready or completed)",
                "m0.yaml:7: metadata.annotations[\"berth.dev/depends-on\"]: empty entry in \"db:healthy, , a/b/c\" (expected TARGET[:CONDITION], …)",
                "m0.yaml:7: metadata.annotations[\"berth.dev/depends-on\"]: \"a/b/c\" is not CONTAINER, POD or POD/CONTAINER",
                "m0.yaml:8: metadata.annotations[\"berth.dev/infer\"]: must be \"true\" or \"false\"",
                "m0.yaml:10: metadata.annotations[\"berth.dev/infra\"]: must be \"true\" or \"false\"");
    }

    @Test
    void unknownBerthAnnotationIsAWarning() {
        Manifests m = yaml.read(Yaml.pod("web", "").replace("name: web", "name: web\n  annotations: {berth.dev/dependson: db}"));
        assertThat(m.warnings()).singleElement().asString().endsWith("m0.yaml:5: metadata.annotations[\"berth.dev/dependson\"]: unknown berth annotation (known: berth.dev/depends-on[.CONTAINER], berth.dev/infer, berth.dev/implicit-readiness, berth.dev/infra, berth.dev/network, berth.dev/log-max-size, berth.dev/log-max-files)");
    }

    @Test
    void deploymentReplicasBecomeDeterministicallyNamedPods() {
        Manifests m = yaml.read("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 3
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: httpd, image: busybox}]
                ---
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent}
                spec:
                  template:
                    spec:
                      containers: [{name: agent, image: busybox}]
                """);
        assertThat(m.pods()).extracting(PodSpec::name).containsExactly("web-0", "web-1", "web-2", "agent-0");
        assertThat(m.pods().get(2).owner()).isEqualTo(new dev.berth.api.Owner("Deployment", "web", 2));
        assertThat(m.pods().get(0).labels()).containsEntry("app", "web");
        assertThat(m.pods()).allMatch(p -> p.restartPolicy().equals("Always"));
    }


    @Test
    void imagePullPolicyIsReadCheckedAndDefaultedAsKubernetesDoes() {
        assertThat(yaml.read(Yaml.pod("web", "imagePullPolicy: Never")).pods().get(0).containers().get(0).pullPolicy()).isEqualTo("Never");
        assertThat(yaml.problems(Yaml.pod("web", "imagePullPolicy: Sometimes")))
                .anyMatch(p -> p.contains("m0.yaml:9: spec.containers[0].imagePullPolicy: must be Always, IfNotPresent or Never"));
        dev.berth.api.ContainerSpec c = yaml.read(Yaml.pod("web", "")).pods().get(0).containers().get(0);
        assertThat(c.pullPolicy()).as("busybox: no tag").isEqualTo("Always");
        assertThat(new dev.berth.api.ContainerSpec(c.name(), "registry:5000/app:1.2", null, c.command(), c.args(), null, c.env(), c.envFrom(),
                c.ports(), c.volumeMounts(), null, null, null, null, null, c.limits(), c.requests(), null, null, null).pullPolicy()).isEqualTo("IfNotPresent");
        assertThat(new dev.berth.api.ContainerSpec(c.name(), "registry:5000/app", null, c.command(), c.args(), null, c.env(), c.envFrom(),
                c.ports(), c.volumeMounts(), null, null, null, null, null, c.limits(), c.requests(), null, null, null).pullPolicy()).isEqualTo("Always");
    }

    @Test
    void aDeploymentsStrategyIsReadAndBadValuesAreRefusedWithTheirLine() {
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  minReadySeconds: 2
                  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 2, maxUnavailable: 50%%}}
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: c, image: busybox}]}
                """;
        dev.berth.api.Rollout r = yaml.read(deployment.replace("%%", "%")).pods().get(0).owner().rollout();
        assertThat(r).isEqualTo(new dev.berth.api.Rollout("RollingUpdate", "2", "50%", 2, 600));
        assertThat(r.surge(3)).isEqualTo(2);
        assertThat(r.unavailable(3)).isEqualTo(1);
        assertThat(yaml.problems(deployment.replace("%%", "%").replace("maxSurge: 2", "maxSurge: lots")))
                .anyMatch(p -> p.contains("m0.yaml:6: spec.strategy.rollingUpdate.maxSurge: must be a number or a percentage"));
        assertThat(yaml.problems(deployment.replace("%%", "%").replace("type: RollingUpdate", "type: Blue")))
                .anyMatch(p -> p.contains("spec.strategy.type: must be RollingUpdate or Recreate"));
    }
    @Test
    void deploymentSelectorMustMatchTemplateLabels() {
        assertThat(yaml.problems("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  selector: {matchLabels: {app: api}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: httpd, image: busybox}]
                """)).containsExactly("m0.yaml:5: spec.selector.matchLabels: selects app=api, which the template's labels do not have");
    }

    @Test
    void jobPodsRunToCompletion() {
        Manifests m = yaml.read("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: migrate}
                spec:
                  completions: 2
                  template:
                    spec:
                      containers: [{name: migrate, image: busybox}]
                """);
        assertThat(m.pods()).extracting(PodSpec::name).containsExactly("migrate-0", "migrate-1");
        assertThat(m.pods()).allMatch(p -> p.restartPolicy().equals("Never"));
        assertThat(yaml.problems("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: migrate}
                spec:
                  template:
                    spec:
                      restartPolicy: Always
                      containers: [{name: migrate, image: busybox}]
                """)).containsExactly("m0.yaml:7: spec.template.spec.restartPolicy: a Job's pods must have restartPolicy Never or OnFailure");
    }

    @Test
    void listIsUnwrappedAndItsItemsKeepTheirLines() {
        String list = """
                apiVersion: v1
                kind: List
                items:
                  - apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: a}
                    data: {k: v}
                  - apiVersion: v1
                    kind: Pod
                    metadata: {name: p}
                    spec:
                      containers: [{name: c, image: busybox}]
                """;
        Manifests m = yaml.read(list);
        assertThat(m.pods()).extracting(PodSpec::name).containsExactly("p");
        assertThat(m.object(ObjectKind.CONFIG_MAP, "a")).isPresent();
        assertThat(m.pods().get(0).source().line()).isEqualTo(10);
        assertThat(yaml.problems(list.replace("{name: c, image: busybox}", "{name: c}")))
                .containsExactly("m0.yaml:12: items[1].spec.containers[0].image: required");
    }

    @Test
    void secretsAreDecodedAndNeverShownByToString() {
        Manifests m = yaml.read("""
                apiVersion: v1
                kind: Secret
                metadata: {name: creds}
                data: {password: c2VjcmV0LXZhbHVl}
                stringData: {user: admin}
                """);
        assertThat(m.object(ObjectKind.SECRET, "creds").orElseThrow().data())
                .containsEntry("password", "secret-value").containsEntry("user", "admin");
        assertThat(m.objects().toString()).doesNotContain("secret-value").doesNotContain("admin");
    }

    @Test
    void volumesOfEachKind() {
        Manifests m = yaml.read("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cm}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: c
                      image: busybox
                      volumeMounts:
                        - {name: scratch, mountPath: /tmp/s}
                        - {name: cfg, mountPath: /etc/cfg, readOnly: true, subPath: app.conf}
                  volumes:
                    - name: scratch
                      emptyDir: {medium: Memory, sizeLimit: 64Mi}
                    - name: cfg
                      configMap:
                        name: cm
                        items: [{key: app, path: app.conf, mode: 0400}]
                    - name: host
                      hostPath: {path: /var/log, type: Directory}
                """);
        List<Volume> volumes = m.pods().get(0).volumes();
        assertThat(volumes.get(0).source()).isEqualTo(new Volume.EmptyDir("Memory", "64Mi"));
        assertThat(volumes.get(1).source()).isEqualTo(new Volume.ConfigMap("cm", List.of(new Volume.Item("app", "app.conf", 0400)), null, false));
        assertThat(volumes.get(2).source()).isEqualTo(new Volume.HostPath("/var/log", "Directory"));
        assertThat(m.pods().get(0).containers().get(0).volumeMounts().get(1).subPath()).isEqualTo("app.conf");
    }

    @Test
    void mountOfAnUndeclaredVolume() {
        assertThat(yaml.problems(Yaml.pod("p", "volumeMounts: [{name: data, mountPath: /data}]")))
                .containsExactly("m0.yaml:9: spec.containers[0].volumeMounts[0].name: no volume \"data\" in this pod's volumes");
    }

    @Test
    void envValueFromNeedsExactlyOneSource() {
        assertThat(yaml.problems(Yaml.pod("p", "env:\n  - name: A\n    value: x\n    valueFrom: {fieldRef: {fieldPath: metadata.name}}")))
                .containsExactly("m0.yaml:11: spec.containers[0].env[0].value: value and valueFrom cannot both be set");
        EnvVar e = yaml.read(Yaml.pod("q", "env:\n  - name: A\n    valueFrom: {fieldRef: {fieldPath: metadata.name}}"))
                .pods().get(0).containers().get(0).env().get(0);
        assertThat(e.valueFrom()).isEqualTo(new EnvVar.FieldRef("metadata.name"));
    }

    @Test
    void aliasBombIsRefusedInOneLine() {
        StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        char prev = 'a';
        for (char c = 'b'; c <= 'z'; c++) {
            bomb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                bomb.append(i > 0 ? ", " : "").append('*').append(prev);
            }
            bomb.append("]\n");
            prev = c;
        }
        List<String> problems = yaml.problems(bomb.toString());
        assertThat(problems).singleElement().asString()
                .isEqualTo("m0.yaml: refused: Number of aliases for non-scalar nodes exceeds the specified max=50");
    }

    @Test
    void filesOverTenMebibytesAreRefused() throws Exception {
        Path big = dir.resolve("big.yaml");
        byte[] line = "# padding padding padding padding padding padding padding padding\n".getBytes(StandardCharsets.UTF_8);
        try (var out = Files.newOutputStream(big)) {
            for (int written = 0; written <= ManifestFiles.MAX_BYTES; written += line.length) {
                out.write(line);
            }
        }
        assertThatThrownBy(() -> new ManifestReader(new ByteArrayInputStream(new byte[0])).read(List.of(big.toString()), ManifestReader.Options.DEFAULT))
                .isInstanceOf(ManifestException.class)
                .hasMessage(big + ": larger than 10 MiB; refused");
    }

    @Test
    void nonUtf8IsRefused() throws Exception {
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, "metadata: {name: caf\u00e9}\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> new ManifestReader(new ByteArrayInputStream(new byte[0])).read(List.of(latin1.toString()), ManifestReader.Options.DEFAULT))
                .hasMessage(latin1 + ": not UTF-8 text; refused");
    }

    @Test
    void invalidYamlNamesTheLine() {
        assertThat(yaml.problems("apiVersion: v1\nkind: Pod\nmetadata: {name: [\n")).singleElement().asString()
                .startsWith("m0.yaml:4: invalid YAML: ");
    }

    @Test
    void directoriesAreReadSortedWithoutDotfilesOrOtherExtensions() throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        Files.writeString(d.resolve("b.yml"), Yaml.pod("b", ""));
        Files.writeString(d.resolve("a.yaml"), Yaml.pod("a", ""));
        Files.writeString(d.resolve("c.json"), "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"c\"},\"spec\":{\"containers\":[{\"name\":\"x\",\"image\":\"busybox\"}]}}");
        Files.writeString(d.resolve(".hidden.yaml"), "not: [valid");
        Files.writeString(d.resolve("notes.txt"), "not: [valid");
        Files.createDirectory(d.resolve("sub.yaml"));
        Manifests m = new ManifestReader(new ByteArrayInputStream(new byte[0])).read(List.of(d.toString()), ManifestReader.Options.DEFAULT);
        assertThat(m.pods()).extracting(PodSpec::name).containsExactly("a", "b", "c");
    }

    @Test
    void stdinIsReadForDash() {
        byte[] text = Yaml.pod("from-stdin", "").getBytes(StandardCharsets.UTF_8);
        Manifests m = new ManifestReader(new ByteArrayInputStream(text)).read(List.of("-"), ManifestReader.Options.DEFAULT);
        assertThat(m.pods().get(0).name()).isEqualTo("from-stdin");
        assertThat(m.pods().get(0).source().file()).isEqualTo("-");
    }

    @Test
    void missingFileIsOneLine() {
        assertThatThrownBy(() -> new ManifestReader(new ByteArrayInputStream(new byte[0])).read(List.of(dir.resolve("nope.yaml").toString()), ManifestReader.Options.DEFAULT))
                .hasMessage(dir.resolve("nope.yaml") + ": no such file or directory");
    }

    @Test
    void aQuantityThatIsNoneIsAnErrorAtItsLine() {
        assertThat(yaml.problems(Yaml.pod("web", "resources: {limits: {memory: lots, cpu: 500m}, requests: {memory: 64Mi, cpu: \"0.5\"}}"))).containsExactly("m0.yaml:9: spec.containers[0].resources.limits[\"memory\"]: \"lots\" is not a quantity"
                + " (a number with an optional suffix such as 128Mi, 1G or 500m)");
    }

    @Test
    void anEmptyFileIsAnError() {
        for (String empty : new String[] {"", "---\n", "# only a comment\n---\n---\n"}) {
            assertThatThrownBy(() -> yaml.read(empty)).as("<%s>", empty).isInstanceOf(dev.berth.api.BerthException.class)
                    .hasMessageContaining("nothing to play in");
        }
    }

    @Test
    void theHostsRootAsAHostPathIsAWarning() {
        Manifests m = yaml.read("""
                apiVersion: v1
                kind: Pod
                metadata: {name: whole}
                spec:
                  containers:
                    - name: c
                      image: busybox
                      volumeMounts: [{name: host, mountPath: /}]
                  volumes: [{name: host, hostPath: {path: /}}]
                """);
        assertThat(m.warnings()).hasSize(2).anyMatch(w -> w.contains("hostPath / gives the pod the host's whole file system"))
                .anyMatch(w -> w.contains("mounted at / hides"));
    }

    private static final String SA_POD = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: agent, namespace: logging}
            spec:
              selector: {matchLabels: {app: agent}}
              template:
                metadata: {labels: {app: agent}}
                spec:
                  serviceAccountName: collector
                  containers: [{name: c, image: busybox}]
            """;

    @Test
    void aServiceAccountNameMustNameAServiceAccountOfTheManifestsInTheWorkloadsNamespace() {
        assertThat(yaml.problems(SA_POD)).containsExactly("m0.yaml:9: spec.template.spec.serviceAccountName: ServiceAccount \"collector\""
                + " is not in the given manifests; add it (berth accepts it, with nothing to apply), or pass --allow-missing-refs");
        assertThat(yaml.problems(SA_POD + "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: collector}\n"))
                .as("in another namespace").hasSize(1);
        Manifests m = yaml.read(SA_POD + "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: collector, namespace: logging}\n");
        assertThat(m.pods()).singleElement().satisfies(p -> assertThat(p.namespace()).isEqualTo("logging"));
        assertThat(m.dispositions()).extracting(d -> d.id() + " " + d.fate().label())
                .containsExactly("Deployment/agent played", "ServiceAccount/collector not applied");
        assertThat(yaml.read(new ManifestReader.Options(true, false, false, 0), SA_POD).warnings()).singleElement().asString()
                .contains("(allowed by --allow-missing-refs)");
    }

    private static final String NFS_POD = Yaml.pod("files", "volumeMounts: [{name: shared, mountPath: /shared}]")
            + "  volumes:\n    - name: shared\n      nfs: {server: nfs.example.com, path: /exports}\n";

    @Test
    void aCloudVolumeIsRefusedOrWithSubstituteVolumesALocalNamedVolume() {
        assertThat(yaml.problems(NFS_POD)).containsExactly("m0.yaml:12: spec.volumes[0].nfs: nfs needs storage one host does not have:"
                + " use a persistentVolumeClaim (a local named volume) or a hostPath, or pass --substitute-volumes to make it the local"
                + " named volume files-shared");
        Manifests m = yaml.read(new ManifestReader.Options(false, false, true, 0), NFS_POD);
        assertThat(m.pods().get(0).volumes()).containsExactly(new Volume("shared", new Volume.PersistentVolumeClaim("files-shared", false)));
        assertThat(m.warnings()).singleElement().asString().contains("volume \"shared\" is the local named volume files-shared (--substitute-volumes)");
    }

    private static final String CLAIMS = """
            apiVersion: v1
            kind: PersistentVolume
            metadata: {name: fast}
            spec:
              storageClassName: ssd
              capacity: {storage: 1Gi}
              hostPath: {path: /srv/fast}
            ---
            apiVersion: v1
            kind: PersistentVolume
            metadata: {name: reserved}
            spec:
              claimRef: {name: logs}
              local: {path: /srv/logs}
            ---
            apiVersion: v1
            kind: PersistentVolume
            metadata: {name: remote}
            spec:
              nfs: {server: nfs.example.com, path: /e}
            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: data}
            spec: {storageClassName: ssd}
            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: logs}
            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: other}
            spec: {volumeName: remote}
            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: plain}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              containers: [{name: c, image: busybox}]
              volumes:
                - {name: a, persistentVolumeClaim: {claimName: data}}
                - {name: b, persistentVolumeClaim: {claimName: logs, readOnly: true}}
                - {name: c, persistentVolumeClaim: {claimName: other}}
                - {name: d, persistentVolumeClaim: {claimName: plain}}
            """;

    @Test
    void claimsBindToPersistentVolumesByClassClaimRefOrVolumeNameAndAHostPathVolumeGivesItsPath() {
        Manifests m = yaml.read(CLAIMS);
        assertThat(m.pods().get(0).volumes()).extracting(Volume::source).containsExactly(
                new Volume.PersistentVolumeClaim("data", false, "/srv/fast"), new Volume.PersistentVolumeClaim("logs", true, "/srv/logs"),
                new Volume.PersistentVolumeClaim("other", false), new Volume.PersistentVolumeClaim("plain", false));
        assertThat(m.dispositions()).extracting(d -> d.id() + " " + d.fate().label() + ": " + d.detail()).containsExactly(
                "PersistentVolume/fast created: bound to claim data: the host's /srv/fast",
                "PersistentVolume/reserved created: bound to claim logs: the host's /srv/logs",
                "PersistentVolume/remote created: bound to claim other: a local named volume",
                "PersistentVolumeClaim/data created: bound to PersistentVolume fast: the host's /srv/fast",
                "PersistentVolumeClaim/logs created: bound to PersistentVolume reserved: the host's /srv/logs",
                "PersistentVolumeClaim/other created: bound to PersistentVolume remote: the named volume other (its storage is not on this host)",
                "PersistentVolumeClaim/plain created: the named volume plain",
                "Pod/p played: pod");
        assertThat(m.warnings()).isEmpty();
        assertThat(yaml.problems(CLAIMS.replace("volumeName: remote", "volumeName: gone"))).containsExactly(
                "m0.yaml:34: spec.volumeName: PersistentVolume \"gone\" is not in the given manifests; add it, or leave volumeName out"
                        + " for a local named volume");
    }
}
