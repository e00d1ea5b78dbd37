package dev.berth.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Canonical;
import dev.berth.api.Manifests;
import dev.berth.api.PodSpec;
import dev.berth.manifest.ManifestReader;
import dev.berth.testing.StrictKubernetes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The round-trip law without containers: reading what generate writes gives the same pods, and
 * what it writes is strictly valid Kubernetes. (GenerateIT checks it through play.)
 */
class RoundTripTest {
    static final Generator.Options AUTO = new Generator.Options("auto", 0, false);

    static Manifests read(String text) {
        return new ManifestReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))
                .read(List.of("-"), new ManifestReader.Options(true, false, false, 0));
    }

    static List<String> canonical(List<PodSpec> pods) {
        return pods.stream().map(Canonical::json).sorted().toList();
    }

    static Stream<Path> inputs() throws Exception {
        List<Path> all = new ArrayList<>(List.of(Path.of("src/test/resources/corpus.yaml")));
        try (Stream<Path> files = Files.list(Path.of("manifests"))) {
            files.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(all::add);
        }
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void generateThenReadGivesTheSamePods(Path input) throws Exception {
        Manifests original = read(Files.readString(input));
        List<Map<String, Object>> docs = Generator.documents(original.pods(), original.pods(), AUTO);
        String yaml = KubeYaml.dump(docs);
        Manifests again = read(yaml);
        assertThat(canonical(again.pods())).as(yaml).isEqualTo(canonical(original.pods()));
        for (Object doc : new org.yaml.snakeyaml.Yaml().loadAll(yaml)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> d = (Map<String, Object>) doc;
            assertThat(StrictKubernetes.unknownFields(d)).as(yaml).isEmpty();
        }
        assertThat(KubeYaml.dump(Generator.documents(again.pods(), again.pods(), AUTO))).isEqualTo(yaml);
    }

    @Test
    void defaultsAreLeftOutAndKeysKeepKubernetesOrder() {
        Manifests m = read("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  restartPolicy: Always
                  containers:
                    - name: c
                      image: busybox
                      ports: [{containerPort: 80, protocol: TCP}]
                      readinessProbe: {httpGet: {path: /, port: 80, scheme: HTTP}, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3}
                """);
        assertThat(KubeYaml.dump(List.of(KubeYaml.pod(m.pods().get(0))))).isEqualTo("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                spec:
                  containers:
                    - name: c
                      image: busybox
                      ports:
                        - containerPort: 80
                      readinessProbe:
                        httpGet:
                          port: 80
                """);
    }

    @Test
    void aDeploymentsPodsComeBackAsTheDeploymentOrAsPodsOrWithAService() {
        Manifests m = read("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 3
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: c, image: busybox, ports: [{name: http, containerPort: 80}]}]
                """);
        String deployment = KubeYaml.dump(Generator.documents(m.pods(), m.pods(), AUTO));
        assertThat(deployment).startsWith("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n");
        String pods = KubeYaml.dump(Generator.documents(m.pods().subList(0, 1), m.pods(), new Generator.Options("pod", 0, true)));
        assertThat(pods).contains("kind: Pod\nmetadata:\n  name: web-0\n").contains("kind: Service\nmetadata:\n  name: web-0\n")
                .contains("selector:\n    app: web\n  ports:\n    - name: http\n      port: 80\n");
    }
}
