package dev.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Manifests;
import dev.berth.plan.Plan;
import dev.berth.plan.PlanBuilder;
import dev.berth.testing.StrictKubernetes;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/** Every manifest in {@code manifests/} is valid Kubernetes and plans without a warning. */
class SampleManifestsTest {

    static Stream<Path> samples() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("manifests"))) {
            List<Path> list = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertThat(list).hasSizeGreaterThanOrEqualTo(5);
            return list.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void isStrictlyValidKubernetes(Path sample) throws Exception {
        List<String> unknown = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(Files.readString(sample))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> document = (Map<String, Object>) doc;
            unknown.addAll(StrictKubernetes.unknownFields(document));
        }
        assertThat(unknown).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void readsAndPlansWithoutWarnings(Path sample) {
        Manifests m = new ManifestReader(new ByteArrayInputStream(new byte[0])).read(List.of(sample.toString()), ManifestReader.Options.DEFAULT);
        Plan plan = PlanBuilder.build(m, new PlanBuilder.Options(true));
        assertThat(m.warnings()).isEmpty();
        assertThat(plan.warnings()).isEmpty();
        assertThat(plan.startOrder()).isNotEmpty();
    }

    @org.junit.jupiter.api.Test
    void strictCheckFindsAMisspeltField() {
        Map<String, Object> pod = new Yaml().load("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: c
                      image: busybox
                      comand: [sh]
                """);
        assertThat(StrictKubernetes.unknownFields(pod)).containsExactly("Pod.spec.containers[0].comand");
    }
}
