package dev.berth.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.manifest.ManifestReader;
import java.io.ByteArrayInputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanonicalTest {
    static Manifests samples() {
        return new ManifestReader(new ByteArrayInputStream(new byte[0])).read(List.of("manifests"), ManifestReader.Options.DEFAULT);
    }

    @Test
    void everySamplePodReadsBackEqualButForWhereItWasWritten() {
        for (PodSpec pod : samples().pods()) {
            String json = Canonical.json(pod);
            PodSpec back = Canonical.read(Json.parse(json), PodSpec.class);
            assertThat(Canonical.json(back)).isEqualTo(json);
            assertThat(back.source()).isEqualTo(Source.NONE);
            assertThat(back.containers()).hasSameSizeAs(pod.containers());
        }
    }

    @Test
    void theHashIgnoresWhereAPodWasWrittenButNotWhatItSays() {
        PodSpec demo = samples().pod("demo").orElseThrow();
        PodSpec moved = Canonical.read(Json.parse(Canonical.json(demo)), PodSpec.class);
        assertThat(Canonical.hash(moved)).isEqualTo(Canonical.hash(demo));
        assertThat(Canonical.hash(demo.withRestartPolicy("Always"))).isNotEqualTo(Canonical.hash(demo));
        assertThat(Canonical.json(demo)).doesNotContain("demo.yaml");
        assertThat(Canonical.json(samples().pod("sidecar").orElseThrow())).contains("\"@type\":\"TcpSocket\"");
    }
}
