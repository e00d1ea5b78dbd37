package dev.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.BerthException;
import dev.berth.api.Manifests;
import dev.berth.plan.PlanBuilder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Generated manifests, well-formed YAML with Kubernetes' own keys in the wrong places, of the
 * wrong types, with absurd values, through the reader and the planner: whatever comes in, the
 * only exceptions are berth's own, which speak to the user. {@code -Djqwik.tries.default=10000}
 * (bench/faults) runs ten thousand.
 */
class HostileManifestsTest {
    static final List<String> KINDS = List.of("Pod", "Deployment", "DaemonSet", "Job", "Service", "ConfigMap", "Secret",
            "PersistentVolumeClaim", "List", "StatefulSet", "", "pod");
    static final List<String> KEYS = List.of("containers", "initContainers", "name", "image", "command", "args", "env", "value",
            "valueFrom", "configMapKeyRef", "secretKeyRef", "fieldRef", "fieldPath", "resourceFieldRef", "resource", "key", "envFrom",
            "ports", "containerPort", "hostPort", "protocol", "readinessProbe", "livenessProbe", "startupProbe", "httpGet", "tcpSocket",
            "exec", "port", "path", "periodSeconds", "failureThreshold", "volumes", "volumeMounts", "mountPath", "subPath", "emptyDir",
            "hostPath", "configMap", "secret", "persistentVolumeClaim", "claimName", "resources", "limits", "requests", "memory", "cpu",
            "securityContext", "runAsUser", "capabilities", "add", "drop", "seccompProfile", "type", "localhostProfile", "sysctls",
            "replicas", "selector", "matchLabels", "template", "metadata", "spec", "labels", "annotations", "restartPolicy",
            "parallelism", "completions", "backoffLimit", "terminationGracePeriodSeconds", "hostNetwork", "data", "stringData",
            "items", "targetPort", "nodePort", "restartPolicy", "berth.dev/depends-on", "berth.dev/depends-on.c", "comand");
    static final List<Object> SCALARS = List.of(0, -1, 1, 8080, 65536, 99999999999L, "8080", "http", "", "c", "web", "a:b:c",
            "localhost:8080", "../../etc", "/", "128Mi", "lots", "1e400", "Always", "Never", true, false, "web:completed", "x/y",
            "RuntimeDefault", "Localhost", "TCP", "ALL");

    @Provide
    Arbitrary<String> documents() {
        Arbitrary<Object> value = Arbitraries.recursive(() -> Arbitraries.of(SCALARS).map(o -> (Object) o),
                inner -> Arbitraries.oneOf(
                        inner.list().ofMaxSize(3).map(l -> (Object) l),
                        Arbitraries.maps(Arbitraries.of(KEYS), inner).ofMaxSize(4).map(m -> (Object) m)), 0, 4);
        Arbitrary<Map<String, Object>> document = net.jqwik.api.Combinators.combine(Arbitraries.of(KINDS),
                Arbitraries.of("v1", "apps/v1", "batch/v1", "v2"), Arbitraries.of("web", "db", "a", "Bad_Name", ""),
                Arbitraries.maps(Arbitraries.of(KEYS), value).ofMaxSize(5)).as((kind, api, name, spec) -> {
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("apiVersion", api);
                    d.put("kind", kind);
                    d.put("metadata", Map.of("name", name));
                    d.put("spec", spec);
                    return d;
                });
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return document.list().ofMinSize(1).ofMaxSize(3).map(docs -> new Yaml(options).dumpAll(docs.iterator()));
    }

    @Property
    void onlyBerthsOwnErrorsComeOut(@ForAll("documents") String yaml) {
        Manifests read;
        try {
            read = new ManifestReader(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).read(List.of("-"), ManifestReader.Options.DEFAULT);
        } catch (BerthException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("Exception");
            return;
        }
        try {
            PlanBuilder.build(read, new PlanBuilder.Options(true));
        } catch (BerthException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("Exception");
        }
    }
}
