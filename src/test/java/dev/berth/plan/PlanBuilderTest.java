package dev.berth.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.ManifestException;
import dev.berth.api.Manifests;
import dev.berth.api.StartCondition;
import dev.berth.manifest.ManifestReader;
import dev.berth.testing.Yaml;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanBuilderTest {
    static final PlanBuilder.Options INFER = new PlanBuilder.Options(true);

    @TempDir
    Path dir;

    Yaml yaml;

    @BeforeEach
    void setUp() {
        yaml = new Yaml(dir);
    }

    Plan plan(String... manifests) {
        return PlanBuilder.build(yaml.read(manifests), INFER);
    }

    static Edge edge(Plan plan, String from, String to) {
        return plan.edges().stream().filter(e -> e.from().id().equals(from) && e.to().id().equals(to)).findFirst()
                .orElseThrow(() -> new AssertionError("no edge " + from + " -> " + to + " in " + plan.edges()));
    }

    static List<String> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }

    @Test
    void theDemoClientWaitsForWebToBeReadyByInference() {
        Manifests demo = new ManifestReader(new ByteArrayInputStream(new byte[0]))
                .read(List.of("manifests/demo.yaml"), ManifestReader.Options.DEFAULT);
        Plan plan = PlanBuilder.build(demo, INFER);
        Edge e = edge(plan, "Container/demo/web", "Container/demo/client");
        assertThat(e.kind()).isEqualTo(Edge.Kind.INFERRED);
        assertThat(e.condition()).isEqualTo(StartCondition.READY);
        assertThat(e.reason()).isEqualTo("args mention \"localhost:8080\"; container \"web\" declares containerPort 8080");
        assertThat(ids(plan.startOrder())).containsExactly("Pod/demo", "Container/demo/web", "Container/demo/client");
        assertThat(plan.readiness(Node.container("demo", "web"))).isEqualTo("TCP port 8080 accepts connections (implicit)");
    }

    @Test
    void noInferLeavesOnlyTheSandboxEdges() {
        Manifests demo = new ManifestReader(new ByteArrayInputStream(new byte[0]))
                .read(List.of("manifests/demo.yaml"), ManifestReader.Options.DEFAULT);
        Plan plan = PlanBuilder.build(demo, new PlanBuilder.Options(false));
        assertThat(plan.edges()).allMatch(e -> e.kind() == Edge.Kind.SANDBOX).hasSize(2);
    }

    @Test
    void inferAnnotationFalseTurnsInferenceOffForThatPod() {
        Plan plan = plan(Yaml.pod("p", "ports: [{containerPort: 80}]").replace("name: p", "name: p\n  annotations: {berth.dev/infer: \"false\"}")
                + "    - name: client\n      image: busybox\n      args: [\"localhost:80\"]\n");
        assertThat(plan.edges()).allMatch(e -> e.kind() == Edge.Kind.SANDBOX);
    }

    @Test
    void sandboxComesFirst() {
        Plan plan = plan(Yaml.pod("p", ""));
        Edge e = edge(plan, "Pod/p", "Container/p/main");
        assertThat(e.kind()).isEqualTo(Edge.Kind.SANDBOX);
        assertThat(e.reason()).isEqualTo("container runs in pod \"p\"'s sandbox");
    }

    @Test
    void initContainersChainAndAppContainersWaitForTheLast() {
        Plan plan = plan("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  initContainers:
                    - {name: one, image: busybox}
                    - {name: two, image: busybox}
                  containers:
                    - {name: a, image: busybox}
                    - {name: b, image: busybox}
                """);
        Edge chain = edge(plan, "Container/p/one", "Container/p/two");
        assertThat(chain.kind()).isEqualTo(Edge.Kind.INIT);
        assertThat(chain.condition()).isEqualTo(StartCondition.COMPLETED);
        assertThat(chain.reason()).isEqualTo("init containers run in order; \"one\" must exit 0 first");
        assertThat(edge(plan, "Container/p/two", "Container/p/a").condition()).isEqualTo(StartCondition.COMPLETED);
        assertThat(edge(plan, "Container/p/two", "Container/p/b").reason())
                .isEqualTo("app containers start after the init containers; \"two\" must exit 0 first");
        assertThat(ids(plan.startOrder())).containsExactly("Pod/p", "Container/p/one", "Container/p/two", "Container/p/a", "Container/p/b");
        assertThat(ids(plan.stopOrder())).containsExactly("Container/p/b", "Container/p/a", "Pod/p");
    }

    @Test
    void sidecarsCountAsDoneOnceStartedAndStopAfterTheAppInReverseOrder() {
        Plan plan = plan("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  initContainers:
                    - name: log
                      image: busybox
                      restartPolicy: Always
                    - {name: setup, image: busybox}
                    - name: proxy
                      image: busybox
                      restartPolicy: Always
                      startupProbe:
                        tcpSocket: {port: 9000}
                  containers:
                    - {name: app, image: busybox}
                """);
        Edge log = edge(plan, "Container/p/log", "Container/p/setup");
        assertThat(log.condition()).isEqualTo(StartCondition.STARTED);
        assertThat(log.reason()).isEqualTo("init containers run in order; \"log\" is a native sidecar (restartPolicy: Always), done once started");
        assertThat(edge(plan, "Container/p/setup", "Container/p/proxy").condition()).isEqualTo(StartCondition.COMPLETED);
        Edge proxy = edge(plan, "Container/p/proxy", "Container/p/app");
        assertThat(proxy.condition()).isEqualTo(StartCondition.STARTED);
        assertThat(proxy.reason()).endsWith("done once started and its startupProbe passed");
        assertThat(ids(plan.stopOrder())).containsExactly("Container/p/app", "Container/p/proxy", "Container/p/log", "Pod/p");
    }

    @Test
    void containersWaitForTheObjectsTheyUse() {
        Plan plan = plan("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cm}
                data: {k: v}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: s}
                stringData: {k: v}
                ---
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: data}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: app
                      image: busybox
                      env:
                        - name: K
                          valueFrom: {configMapKeyRef: {name: cm, key: k}}
                      envFrom:
                        - secretRef: {name: s}
                      volumeMounts:
                        - {name: d, mountPath: /data}
                  volumes:
                    - name: d
                      persistentVolumeClaim: {claimName: data}
                    - name: unmounted
                      configMap: {name: cm}
                """);
        Edge cm = edge(plan, "ConfigMap/cm", "Container/p/app");
        assertThat(cm.kind()).isEqualTo(Edge.Kind.OBJECT);
        assertThat(cm.condition()).isEqualTo(StartCondition.CREATED);
        assertThat(cm.reason()).isEqualTo("env K uses ConfigMap \"cm\"");
        assertThat(edge(plan, "Secret/s", "Container/p/app").reason()).isEqualTo("envFrom uses Secret \"s\"");
        assertThat(edge(plan, "PersistentVolumeClaim/data", "Container/p/app").reason()).isEqualTo("volume d uses PersistentVolumeClaim \"data\"");
        assertThat(edge(plan, "ConfigMap/cm", "Pod/p").reason()).isEqualTo("pod volume unmounted uses ConfigMap \"cm\"");
    }

    @Test
    void declaredDependencyOnAContainerOfTheSamePod() {
        Plan plan = plan("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                  annotations:
                    berth.dev/depends-on.app: "db:started"
                spec:
                  containers:
                    - {name: db, image: busybox}
                    - {name: app, image: busybox}
                """);
        Edge e = edge(plan, "Container/p/db", "Container/p/app");
        assertThat(e.kind()).isEqualTo(Edge.Kind.DECLARED);
        assertThat(e.condition()).isEqualTo(StartCondition.STARTED);
        assertThat(e.reason()).isEqualTo("declared by berth.dev/depends-on.app: \"db\" at " + dir.resolve("m0.yaml") + ":6");
    }

    @Test
    void podWideDeclarationOnAnotherPodWaitsForAllItsAppContainers() {
        Plan plan = plan("""
                apiVersion: v1
                kind: Pod
                metadata: {name: db}
                spec:
                  initContainers: [{name: init, image: busybox}]
                  containers: [{name: pg, image: busybox}, {name: exporter, image: busybox}]
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: app
                  annotations: {berth.dev/depends-on: "db, db/pg:completed"}
                spec:
                  initContainers: [{name: wait, image: busybox}]
                  containers: [{name: web, image: busybox}]
                """);
        assertThat(edge(plan, "Container/db/pg", "Container/app/wait").condition()).isEqualTo(StartCondition.READY);
        assertThat(edge(plan, "Container/db/exporter", "Container/app/wait").condition()).isEqualTo(StartCondition.READY);
        assertThat(edge(plan, "Container/db/pg", "Container/app/web").kind()).isEqualTo(Edge.Kind.DECLARED);
        assertThat(plan.edges()).noneMatch(e -> e.from().id().equals("Container/db/init") && e.to().pod().equals("app"));
    }

    @Test
    void declarationOnAWorkloadNameCoversAllItsPods() {
        Plan plan = plan("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: api}
                spec:
                  replicas: 2
                  template:
                    spec:
                      containers: [{name: server, image: busybox}]
                ---
                """ + Yaml.pod("web", "").replace("name: web", "name: web\n  annotations: {berth.dev/depends-on: api}"));
        assertThat(edge(plan, "Container/api-0/server", "Container/web/main").kind()).isEqualTo(Edge.Kind.DECLARED);
        assertThat(edge(plan, "Container/api-1/server", "Container/web/main").kind()).isEqualTo(Edge.Kind.DECLARED);
    }

    @Test
    void unknownDeclaredTargetIsAnErrorWithFileAndLine() {
        assertThatThrownBy(() -> plan(Yaml.pod("web", "").replace("name: web", "name: web\n  annotations:\n    berth.dev/depends-on.main: \"db, other/x\"")))
                .isInstanceOf(ManifestException.class)
                .hasMessage(dir.resolve("m0.yaml") + ":6: metadata.annotations[\"berth.dev/depends-on.main\"]: unknown target \"db\": no container \"db\" in pod \"web\", and no pod or workload \"db\" in the given manifests\n"
                        + dir.resolve("m0.yaml") + ":6: metadata.annotations[\"berth.dev/depends-on.main\"]: unknown target \"other/x\": no pod or workload \"other\" in the given manifests");
    }

    @Test
    void aDeclaredCycleIsReportedWithEveryEdgeAndReason() {
        String a = Yaml.pod("a", "").replace("name: a", "name: a\n  annotations: {berth.dev/depends-on: b}");
        String b = Yaml.pod("b", "").replace("name: b", "name: b\n  annotations: {berth.dev/depends-on: a}");
        assertThatThrownBy(() -> plan(a, b))
                .isInstanceOf(ManifestException.class)
                .hasMessage("dependency cycle: Container/a/main → Container/b/main → Container/a/main\n"
                        + "  Container/b/main waits for Container/a/main (ready, declared): declared by berth.dev/depends-on: \"a\" at " + dir.resolve("m1.yaml") + ":5\n"
                        + "  Container/a/main waits for Container/b/main (ready, declared): declared by berth.dev/depends-on: \"b\" at " + dir.resolve("m0.yaml") + ":5");
    }

    @Test
    void aCycleThroughTheInitChainIsReported() {
        assertThatThrownBy(() -> plan("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                  annotations: {berth.dev/depends-on.setup: app}
                spec:
                  initContainers: [{name: setup, image: busybox}]
                  containers: [{name: app, image: busybox}]
                """)).hasMessageStartingWith("dependency cycle: ")
                .hasMessageContaining("Container/p/app waits for Container/p/setup (completed, init)")
                .hasMessageContaining("Container/p/setup waits for Container/p/app (ready, declared)");
    }

    @Test
    void crossPodServiceMentionWaitsForTheSelectedPods() {
        Plan plan = PlanBuilder.build(new ManifestReader(new ByteArrayInputStream(new byte[0]))
                .read(List.of("manifests/service-link.yaml"), ManifestReader.Options.DEFAULT), INFER);
        Edge e = edge(plan, "Container/api/server", "Container/frontend/ui");
        assertThat(e.kind()).isEqualTo(Edge.Kind.INFERRED);
        assertThat(e.condition()).isEqualTo(StartCondition.READY);
        assertThat(e.reason()).isEqualTo("env API_URL mentions \"api:80\"; Service \"api\" port 80 selects pod \"api\"");
    }

    @Test
    void serviceMentionsInEveryDnsForm() {
        String service = """
                apiVersion: v1
                kind: Service
                metadata: {name: db, namespace: data}
                spec:
                  selector: {app: db}
                  ports: [{port: 5432}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: db, namespace: data, labels: {app: db}}
                spec:
                  containers: [{name: pg, image: busybox}]
                ---
                """;
        for (String host : List.of("db.data", "db.data.svc", "db.data.svc.cluster.local")) {
            Plan plan = plan(service + Yaml.pod("app", "args: [\"postgres://" + host + ":5432/x\"]"));
            assertThat(edge(plan, "Container/db/pg", "Container/app/main").kind()).isEqualTo(Edge.Kind.INFERRED);
        }
        Plan otherNamespace = plan(service + Yaml.pod("app", "args: [\"db:5432\"]"));
        assertThat(otherNamespace.edges()).noneMatch(e -> e.kind() == Edge.Kind.INFERRED);
        Plan wrongPort = plan(service + Yaml.pod("app", "args: [\"db.data:5433\"]"));
        assertThat(wrongPort.edges()).noneMatch(e -> e.kind() == Edge.Kind.INFERRED);
    }

    @Test
    void localMentionsNeedAnotherContainersPortAndAWordBoundary() {
        Plan plan = plan(Yaml.pod("p", "ports: [{containerPort: 80}]\nargs: [\"localhost:80\"]")
                + "    - name: b\n      image: busybox\n      env:\n        - {name: URL, value: \"notlocalhost:80 and [::1]:80\"}\n");
        assertThat(plan.edges()).filteredOn(e -> e.kind() == Edge.Kind.INFERRED).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("env URL mentions \"[::1]:80\"; container \"main\" declares containerPort 80"));
    }

    @Test
    void anInferredEdgeThatWouldCloseACycleIsDroppedWithAWarning() {
        Plan plan = plan("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: a
                      image: busybox
                      ports: [{containerPort: 8080}]
                      args: ["127.0.0.1:9090"]
                    - name: b
                      image: busybox
                      ports: [{containerPort: 9090}]
                      args: ["127.0.0.1:8080"]
                """);
        assertThat(edge(plan, "Container/p/b", "Container/p/a").kind()).isEqualTo(Edge.Kind.INFERRED);
        assertThat(plan.warnings()).containsExactly("not inferring that Container/p/b waits for Container/p/a "
                + "(args mention \"127.0.0.1:8080\"; container \"a\" declares containerPort 8080): it would close a cycle");
    }

    @Test
    void declaredWinsOverInferredBetweenTheSameContainers() {
        Plan plan = plan(Yaml.pod("p", "ports: [{containerPort: 80}]").replace("name: p", "name: p\n  annotations: {berth.dev/depends-on.c: \"main:started\"}")
                + "    - name: c\n      image: busybox\n      args: [\"localhost:80\"]\n");
        Edge e = edge(plan, "Container/p/main", "Container/p/c");
        assertThat(e.kind()).isEqualTo(Edge.Kind.DECLARED);
        assertThat(e.condition()).isEqualTo(StartCondition.STARTED);
    }

    @Test
    void readinessFollowsDesignPrecedence() {
        Plan plan = plan("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                spec:
                  containers:
                    - name: probed
                      image: busybox
                      ports: [{containerPort: 80}]
                      readinessProbe: {exec: {command: [cat, /ready]}}
                      startupProbe: {tcpSocket: {port: 80}}
                    - name: started
                      image: busybox
                      startupProbe: {tcpSocket: {port: 81}}
                    - name: ports
                      image: busybox
                      ports: [{containerPort: 82}, {containerPort: 83}, {containerPort: 84, protocol: UDP}]
                    - name: plain
                      image: busybox
                """);
        assertThat(plan.readiness(Node.container("p", "probed"))).isEqualTo("readinessProbe exec cat /ready passes");
        assertThat(plan.readiness(Node.container("p", "started"))).isEqualTo("startupProbe tcpSocket :81 passes");
        assertThat(plan.readiness(Node.container("p", "ports"))).isEqualTo("TCP ports 82, 83 accept connections (implicit)");
        assertThat(plan.readiness(Node.container("p", "plain"))).isEqualTo("running");
        Plan off = plan(Yaml.pod("q", "ports: [{containerPort: 80}]").replace("name: q", "name: q\n  annotations: {berth.dev/implicit-readiness: \"false\"}"));
        assertThat(off.readiness(Node.container("q", "main"))).isEqualTo("running");
    }
}
