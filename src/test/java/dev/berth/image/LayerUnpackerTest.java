package dev.berth.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.testing.Tars;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unpacker against crafted layers: what it keeps, and the escapes it refuses without writing outside. */
class LayerUnpackerTest {
    @TempDir
    Path dir;

    final LayerUnpacker unpacker = new LayerUnpacker(1024 * 1024, 1000);

    Path unpack(byte[] layer) throws Exception {
        Path target = dir.resolve("layer");
        unpacker.unpack(new ByteArrayInputStream(layer), target);
        return target;
    }

    /** Refused, nothing left of the layer, and nothing written beside it. */
    void assertRefused(byte[] layer, String message) throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        assertThatThrownBy(() -> unpacker.unpack(new ByteArrayInputStream(layer), dir.resolve("layer")))
                .isInstanceOf(UnsafeLayerException.class)
                .hasMessageContaining(message);
        assertThat(dir.resolve("layer")).doesNotExist();
        try (Stream<Path> s = Files.list(outside)) {
            assertThat(s).isEmpty();
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("outside");
        }
    }

    @Test
    void filesDirectoriesSymlinksAndModes() throws Exception {
        Path layer = unpack(new Tars().dir("etc").file("etc/motd", "hi\n").file("bin/tool", "#!/bin/sh\n".getBytes(), 04755)
                .symlink("bin/sh", "/bin/busybox").dir("locked", 0555).file("locked/inside", "x").bytes());
        assertThat(layer.resolve("etc/motd")).hasContent("hi");
        assertThat(Files.readSymbolicLink(layer.resolve("bin/sh"))).isEqualTo(Path.of("/bin/busybox"));
        assertThat(Files.getAttribute(layer.resolve("bin/tool"), "unix:mode")).isEqualTo(0104755);
        assertThat(Files.getAttribute(layer.resolve("locked"), "unix:mode")).isEqualTo(040555);
        assertThat(layer.resolve("locked/inside")).hasContent("x");
    }

    @Test
    void hardlinksPointInsideTheLayer() throws Exception {
        Path layer = unpack(new Tars().file("a", "same").hardlink("b", "a").hardlink("./c", "./a").bytes());
        assertThat(Files.isSameFile(layer.resolve("a"), layer.resolve("b"))).isTrue();
        assertThat(Files.isSameFile(layer.resolve("a"), layer.resolve("c"))).isTrue();
    }

    @Test
    void aSymlinkInsideTheLayerMayBeAParent() throws Exception {
        Path layer = unpack(new Tars().dir("usr/lib").symlink("lib", "usr/lib").file("lib/x.so", "elf").bytes());
        assertThat(layer.resolve("usr/lib/x.so")).hasContent("elf");
        assertThat(Files.isSymbolicLink(layer.resolve("lib"))).isTrue();
    }

    @Test
    void theLastComponentIsNeverFollowed() throws Exception {
        Path layer = unpack(new Tars().symlink("motd", "/etc/passwd").file("motd", "replaced").bytes());
        assertThat(Files.isSymbolicLink(layer.resolve("motd"))).isFalse();
        assertThat(layer.resolve("motd")).hasContent("replaced");
    }

    @Test
    void gzipLayersAreUnpackedAndTheDiffIdIsOfTheUncompressedTar() throws Exception {
        byte[] tar = new Tars().file("a", "x").bytes();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar);
        }
        LayerUnpacker.Unpacked u = unpacker.unpack(new ByteArrayInputStream(gz.toByteArray()), dir.resolve("layer"));
        assertThat(u.diffId()).isEqualTo(Digest.of(tar));
        assertThat(dir.resolve("layer/a")).hasContent("x");
    }

    @Test
    void aFileThatIsNotATarIsRefusedAndAnEmptyTarIsNot() throws Exception {
        for (byte[] junk : List.of("not a tar\n".getBytes(), new byte[600])) {
            junk[0] = 'x';
            assertThatThrownBy(() -> unpacker.unpack(new ByteArrayInputStream(junk), dir.resolve("layer")))
                    .hasMessageContaining("not a tar archive");
            assertThat(dir.resolve("layer")).doesNotExist();
        }
        byte[] empty = new byte[1024]; // the end-of-archive marker alone
        assertThat(unpacker.unpack(new ByteArrayInputStream(empty), dir.resolve("layer")).diffId()).isEqualTo(Digest.of(empty));
    }

    @Test
    void refusesDotDot() throws Exception {
        assertRefused(new Tars().file("../outside/evil", "x").bytes(), "would land outside the layer");
    }

    @Test
    void refusesDotDotHiddenInThePath() throws Exception {
        assertRefused(new Tars().dir("a").file("a/../../outside/evil", "x").bytes(), "would land outside the layer");
    }

    @Test
    void refusesAnAbsoluteSymlinkAsAParent() throws Exception {
        assertRefused(new Tars().symlink("etc", dir.resolve("outside").toString()).file("etc/passwd", "x").bytes(),
                "which points outside the layer");
    }

    @Test
    void refusesARelativeSymlinkThatClimbsOut() throws Exception {
        assertRefused(new Tars().symlink("up", "../outside").file("up/evil", "x").bytes(), "would land outside the layer");
    }

    @Test
    void refusesAChainOfSymlinksThatLeadsOut() throws Exception {
        assertRefused(new Tars().dir("d").symlink("d/a", "../b").symlink("b", "c/..").dir("c").symlink("c/x", "../../outside")
                .file("d/a/c/x/evil", "x").bytes(), "outside the layer");
    }

    @Test
    void refusesAHardlinkToOutside() throws Exception {
        Files.createDirectories(dir.resolve("outside"));
        Path secret = Files.writeString(dir.resolve("secret"), "s");
        try {
            assertThatThrownBy(() -> unpacker.unpack(new ByteArrayInputStream(new Tars().hardlink("h", "../secret").bytes()), dir.resolve("layer")))
                    .isInstanceOf(UnsafeLayerException.class).hasMessageContaining("outside the layer");
            assertThat(dir.resolve("layer")).doesNotExist();
        } finally {
            Files.delete(secret);
        }
    }

    @Test
    void refusesAHardlinkThroughASymlinkToOutside() throws Exception {
        assertRefused(new Tars().symlink("s", dir.resolve("outside").toString()).hardlink("h", "s/anything").bytes(),
                "which points outside the layer");
    }

    @Test
    void refusesAHardlinkToSomethingNotInTheLayer() throws Exception {
        assertRefused(new Tars().hardlink("h", "missing").bytes(), "which is not in this layer");
    }

    @Test
    void refusesSymlinkLoops() throws Exception {
        assertRefused(new Tars().symlink("a", "b").symlink("b", "a").file("a/x", "x").bytes(), "too many symlinks");
    }

    @Test
    void refusesLayersOverTheSizeLimit() throws Exception {
        assertRefused(new Tars().file("big", new byte[2 * 1024 * 1024], 0644).bytes(), "larger than 1 MiB");
    }

    @Test
    void refusesTooManyEntries() throws Exception {
        Tars t = new Tars();
        for (int i = 0; i < 1001; i++) {
            t.file("f" + i, "");
        }
        assertRefused(t.bytes(), "more than 1000 entries");
    }

    @Test
    void aFailedUnpackLeavesNothingBehindEvenAfterWritingFiles() throws Exception {
        assertRefused(new Tars().dir("usr", 0555).file("usr/ok", "fine").file("../outside/evil", "x").bytes(), "outside");
        assertThat(Files.exists(dir.resolve("layer"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }
}
