package dev.berth.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.BerthException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The image documents berth reads, as registries and archives send them. */
class OciImageTest {
    static final String A = "sha256:" + "a".repeat(64);
    static final String B = "sha256:" + "b".repeat(64);
    static final String C = "sha256:" + "c".repeat(64);

    @Test
    void anIndexGivesTheManifestOfThePlatformAsked() {
        OciImage.Index index = OciImage.Index.parse("""
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
                 {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":525,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
                 {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":525,"platform":{"architecture":"amd64","os":"linux"}}]}"""
                .formatted(A, B));
        assertThat(index.manifestFor("linux/amd64", "x").digest().toString()).isEqualTo(B);
        assertThat(index.manifestFor("linux/arm64/v8", "x").digest().toString()).isEqualTo(A);
        assertThat(index.manifestFor("linux/arm64", "x").size()).isEqualTo(525);
        assertThatThrownBy(() -> index.manifestFor("linux/s390x", "docker.io/library/nginx:1.22"))
                .isInstanceOf(BerthException.class).hasMessage("docker.io/library/nginx:1.22: the image has no linux/s390x variant");
    }

    @Test
    void aManifestGivesItsConfigAndLayersBottomFirst() {
        OciImage.Manifest m = OciImage.Manifest.parse("""
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
                 "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1470,"digest":"%s"},
                 "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":100,"digest":"%s"},
                           {"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"%s"}]}""".formatted(A, B, C));
        assertThat(m.config().digest().toString()).isEqualTo(A);
        assertThat(m.layers()).extracting(l -> l.digest().toString()).containsExactly(B, C);
        assertThat(m.layers().get(1).size()).isEqualTo(-1);
    }

    @Test
    void badDocumentsAreRefusedWithWhatIsWrong() {
        assertThatThrownBy(() -> OciImage.Manifest.parse("{\"config\":{\"digest\":\"md5:abc\"},\"layers\":[]}"))
                .hasMessage("the manifest's config names an unsupported digest: md5:abc");
        assertThatThrownBy(() -> OciImage.Manifest.parse("{\"config\":{\"digest\":\"" + A + "\"},\"layers\":[{\"size\":1}]}"))
                .hasMessage("a layer of the manifest has no digest");
        assertThatThrownBy(() -> OciImage.Manifest.parse("{\"manifests\":[]}")).hasMessage("an image index where a manifest was expected");
        assertThatThrownBy(() -> OciImage.Config.parse("{\"rootfs\":")).hasMessageStartingWith("the image config is not valid JSON");
    }

    @Test
    void aDockerConfigWithNullsReadsAsEmpty() {
        OciImage.Config c = OciImage.Config.parse("""
                {"architecture":"amd64","os":"linux","created":"2023-05-01T10:00:00.123Z",
                 "config":{"Env":["PATH=/bin"],"Entrypoint":null,"Cmd":["nginx","-g","daemon off;"],"WorkingDir":"","Labels":{"maintainer":"x"}},
                 "rootfs":{"type":"layers","diff_ids":["%s"]}}""".formatted(B));
        assertThat(c.config().entrypoint()).isEmpty();
        assertThat(c.config().cmd()).containsExactly("nginx", "-g", "daemon off;");
        assertThat(c.config().labels()).containsEntry("maintainer", "x");
        assertThat(c.created()).isEqualTo(Instant.parse("2023-05-01T10:00:00.123Z"));
        assertThat(c.diffIds()).containsExactly(B);
        assertThat(OciImage.Config.parse("{}").created()).isNull();
    }

    @Test
    void aConfigBerthWritesReadsBackTheSame() {
        OciImage.Config c = new OciImage.Config(Instant.parse("2026-12-07T10:00:00Z"), "linux", "amd64",
                new OciImage.RunConfig(List.of("PATH=/bin"), List.of("/catatonit", "-P"), List.of(), null, "1000", Map.of()), List.of(B));
        String json = c.json("berth image import x.tar");
        assertThat(OciImage.Config.parse(json)).isEqualTo(c);
        assertThat(json).isEqualTo(c.json("berth image import x.tar")); // the same bytes, so the same image ID
    }
}
