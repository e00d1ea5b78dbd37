package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Manifests;
import dev.berth.manifest.ManifestReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentTest {
    @Test
    void expansionFollowsKubernetes() {
        Map<String, String> env = Map.of("A", "1", "B", "two");
        assertThat(Environment.expand("$(A)-$(B)", env)).isEqualTo("1-two");
        assertThat(Environment.expand("$$(A) $(MISSING) $(A", env)).isEqualTo("$(A) $(MISSING) $(A");
        assertThat(Environment.expand("cost: $5", env)).isEqualTo("cost: $5");
    }

    @Test
    void everySourceInOrderWithSecretsNamed() {
        Manifests m = new ManifestReader(new ByteArrayInputStream("""
                apiVersion: v1
                kind: Secret
                metadata: {name: s}
                stringData: {token: t0k}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: p, labels: {tier: web}}
                spec:
                  containers:
                    - name: c
                      image: busybox
                      args: ["$(TIER)", "$(S_token)"]
                      resources: {limits: {memory: 64Mi, cpu: 1500m}}
                      envFrom: [{secretRef: {name: s}, prefix: S_}]
                      env:
                        - {name: TIER, valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}}
                        - {name: MEM, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
                        - {name: CPU, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
                        - {name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
                        - {name: URL, value: "http://$(IP):8080/$(TIER)"}
                """.getBytes(StandardCharsets.UTF_8))).read(List.of("-"), ManifestReader.Options.DEFAULT);
        Environment.Resolved r = Environment.of(m, m.pods().get(0), m.pods().get(0).containers().get(0),
                new Environment.PodFields("10.89.0.5", "10.89.0.1", "node"));
        assertThat(r.env()).containsExactly("S_token=t0k", "TIER=web", "MEM=64", "CPU=2", "IP=10.89.0.5", "URL=http://10.89.0.5:8080/web");
        assertThat(r.secret()).containsExactly("S_token");
        assertThat(r.args()).containsExactly("web", "t0k");
    }
}
