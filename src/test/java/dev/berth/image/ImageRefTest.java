package dev.berth.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageRefTest {
    @Test
    void shortNamesAreLocalAndAlsoLookedUpOnDockerHub() {
        assertThat(ImageRef.parse("busybox").toString()).isEqualTo("localhost/busybox:latest");
        assertThat(ImageRef.candidates("busybox")).containsExactly("localhost/busybox:latest", "docker.io/library/busybox:latest");
        assertThat(ImageRef.candidates("org/app:1")).containsExactly("localhost/org/app:1", "docker.io/org/app:1");
        assertThat(ImageRef.candidates("localhost/berth-busybox")).containsExactly("localhost/berth-busybox:latest");
        assertThat(ImageRef.candidates("quay.io/x/y:2")).containsExactly("quay.io/x/y:2");
        assertThat(ImageRef.parse("localhost:5000/app:v1")).isEqualTo(new ImageRef("localhost:5000", "app", "v1"));
    }

    @Test
    void refusesBadNames() {
        assertThatThrownBy(() -> ImageRef.parse("Busybox")).hasMessageContaining("not a valid image name");
        assertThatThrownBy(() -> ImageRef.parse("busybox@sha256:abc")).hasMessageContaining("64 lower-case hex");
        assertThatThrownBy(() -> ImageRef.parse("busybox@md5:" + "a".repeat(32))).hasMessageContaining("sha256");
    }

    @Test
    void digestReferencesNameTheManifestAndDropTheTag() {
        String d = "sha256:" + "ab".repeat(32);
        ImageRef ref = ImageRef.parse("127.0.0.1:5000/app:1.0@" + d);
        assertThat(ref).isEqualTo(new ImageRef("127.0.0.1:5000", "app", "1.0", d));
        assertThat(ref.reference()).isEqualTo(d);
        assertThat(ref.toString()).isEqualTo("127.0.0.1:5000/app@" + d);
        assertThat(ImageRef.candidates("nginx@" + d)).containsExactly("localhost/nginx@" + d, "docker.io/library/nginx@" + d);
        assertThat(ImageRef.parse("ghcr.io/org/app:2").withDigest(d).toString()).isEqualTo("ghcr.io/org/app@" + d);
        assertThat(ImageRef.isShort("org/app")).isTrue();
        assertThat(ImageRef.isShort("localhost/app")).isFalse();
    }
}
