package dev.berth.image;

import static dev.berth.testing.Archives.config;
import static dev.berth.testing.Archives.dockerArchive;
import static dev.berth.testing.Archives.gzip;
import static dev.berth.testing.BerthRoot.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Json;
import dev.berth.testing.BerthRoot;
import dev.berth.testing.BerthRoot.Run;
import dev.berth.testing.Tars;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The image store with real overlay mounts: import, load (docker and OCI archives), whiteouts, removal. */
class ImageIT {
    BerthRoot b;

    @BeforeEach
    void setUp() {
        b = new BerthRoot();
    }

    @AfterEach
    void tearDown() {
        b.close();
    }

    Path write(String name, byte[] bytes) throws Exception {
        return Files.write(b.dir.resolve(name), bytes);
    }

    @Test
    void berthKilledDuringALoadLeavesNothingTheNextLoadDoesNotClear() throws Exception {
        long seed = Long.getLong("berth.seed", System.nanoTime());
        System.out.println("ImageIT seed: " + seed);
        java.util.Random random = new java.util.Random(seed);
        List<byte[]> layers = new java.util.ArrayList<>();
        List<String> diffIds = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] noise = new byte[6 << 20];
            random.nextBytes(noise); // incompressible: the load takes long enough to be cut
            byte[] layer = new Tars().file("data" + i, noise, 0644).bytes();
            layers.add(layer);
            diffIds.add(Digest.of(layer).toString());
        }
        Path archive = write("big.tar", dockerArchive("localhost/big:1", layers, diffIds));
        for (int trial = 0; trial < Integer.getInteger("berth.trials", 5); trial++) {
            Process load = new ProcessBuilder(b.processArgv("image", "load", "-i", archive.toString())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            java.util.concurrent.TimeUnit.MILLISECONDS.sleep(100 + random.nextInt(900));
            load.destroyForcibly().waitFor();
            // the image is there whole or not at all; the next load (the repairing command) completes it
            assertThat(b.berth("image", "ls").ok().out()).satisfiesAnyOf(o -> assertThat(o).doesNotContain("localhost/big"),
                    o -> assertThat(o).contains("localhost/big"));
            b.berth("image", "load", "-i", archive.toString()).ok();
            assertThat(Files.size(b.root.resolve("layers").resolve(Digest.parse(diffIds.get(3)).hex()).resolve("diff").resolve("data3")))
                    .isEqualTo(6 << 20);
            try (java.util.stream.Stream<Path> tmp = Files.list(b.root.resolve("tmp"))) {
                assertThat(tmp.map(Path::getFileName).map(Path::toString)).as("scratch left in tmp after trial %d", trial).isEmpty();
            }
            b.berth("image", "rm", "localhost/big:1").ok();
            try (java.util.stream.Stream<Path> left = Files.list(b.root.resolve("layers"))) {
                assertThat(left).as("layers after trial %d", trial).isEmpty();
            }
        }
    }

    @Test
    void importListInspectRemove() throws Exception {
        b.withSampleImage();
        Run ls = b.berth("image", "ls").ok();
        assertThat(ls.out()).containsPattern("localhost/berth-busybox +latest +[0-9a-f]{12} +(\\d+ seconds?|Less than a second) ago +\\d+(\\.\\d+)? MB");
        List<?> json = (List<?>) Json.parse(b.berth("image", "ls", "--format", "json").ok().out());
        assertThat(json).hasSize(1);
        Map<?, ?> inspect = (Map<?, ?>) ((List<?>) Json.parse(b.berth("image", "inspect", "localhost/berth-busybox").ok().out())).get(0);
        assertThat(inspect.get("Names")).isEqualTo(List.of(IMAGE));
        assertThat(inspect.get("Os")).isEqualTo("linux");
        assertThat(((Map<?, ?>) inspect.get("Config")).get("Env")).asList().anyMatch(e -> e.toString().startsWith("PATH="));
        assertThat(((Map<?, ?>) inspect.get("RootFS")).get("Layers")).asList().singleElement().asString().startsWith("sha256:");
        b.berth("run", "--name", "user", IMAGE, "true").ok();
        Run inUse = b.berth("image", "rm", IMAGE);
        assertThat(inUse.code()).isEqualTo(125);
        assertThat(inUse.err()).contains("is used by a container");
        b.berth("rm", "user").ok();
        b.berth("image", "rm", IMAGE).ok();
        assertThat(b.berth("image", "ls").ok().out().lines()).hasSize(1);
        try (Stream<Path> layers = Files.list(b.root.resolve("layers"))) {
            assertThat(layers).isEmpty();
        }
        Run missing = b.berth("run", IMAGE, "true");
        assertThat(missing.code()).isEqualTo(125);
        assertThat(missing.err()).contains("image \"" + IMAGE + "\" is not in berth's store");
        // a file that is not a tar is refused, and no image is made of it
        Path text = Files.writeString(b.dir.resolve("notes.txt"), "not a tar\n");
        Run notTar = b.berth("image", "import", text.toString(), "localhost/notes:1");
        assertThat(notTar.code()).isNotZero();
        assertThat(notTar.err()).contains("not a tar archive").doesNotContain("Exception");
        assertThat(b.berth("image", "ls", "-q").ok().out()).isEmpty();
    }

    @Test
    void importWithChangesSetsTheDefaultCommand() throws Exception {
        b.berth("image", "import", "--change", "CMD [\"echo\", \"from cmd\"]", "--change", "ENV MODE=demo",
                BerthRoot.sampleTar().toString(), "withcmd").ok();
        assertThat(b.berth("run", "--rm", "withcmd").ok().out()).isEqualTo("from cmd\n");
        assertThat(b.berth("run", "--rm", "localhost/withcmd:latest", "sh", "-c", "echo $MODE").ok().out()).isEqualTo("demo\n");
        Run none = b.berth("image", "import", BerthRoot.sampleTar().toString(), "nocmd");
        none.ok();
        Run r = b.berth("run", "--rm", "nocmd");
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err()).contains("has neither entrypoint nor cmd");
    }

    @Test
    void loadADockerArchiveWithWhiteoutsAndAnOpaqueDirectory() throws Exception {
        byte[] base = Files.readAllBytes(BerthRoot.sampleTar());
        byte[] top = new Tars().dir("etc").file("etc/.wh.group", new byte[0], 0644)
                .dir("www").file("www/.wh..wh..opq", new byte[0], 0644).file("www/new.html", "new")
                .file("added.txt", "added in layer 2\n").bytes();
        byte[] archive = dockerArchive("demo/two-layers:v2", List.of(base, gzip(top)),
                List.of(Digest.of(base).toString(), Digest.of(top).toString()));
        Run load = b.berth("image", "load", "-i", write("two.tar", archive).toString()).ok();
        assertThat(load.out()).isEqualTo("Loaded image: docker.io/demo/two-layers:v2\n");
        // loaded again under another name, all layers present: the same size, and when the image was made, not loaded
        b.berth("image", "load", "-i", write("again.tar", dockerArchive("demo/again:v1", List.of(base, gzip(top)),
                List.of(Digest.of(base).toString(), Digest.of(top).toString()))).toString()).ok();
        for (Object image : (List<?>) Json.parse(b.berth("image", "ls", "--format", "json").ok().out())) {
            Map<?, ?> m = (Map<?, ?>) image;
            assertThat(((Number) m.get("Size")).longValue()).as("%s", m.get("Names")).isGreaterThanOrEqualTo(base.length + top.length - 2048L);
            assertThat(m.get("Created")).isEqualTo("2024-05-01T10:00:00Z");
        }
        assertThat(b.berth("run", "--rm", "demo/two-layers:v2").ok().out()).isEqualTo("default cmd\n");
        Run view = b.berth("run", "--rm", "docker.io/demo/two-layers:v2", "sh", "-c",
                "cat /added.txt; ls /www; test -e /etc/group || echo group gone; test -e /etc/passwd && echo passwd kept; echo $FROM_IMAGE").ok();
        assertThat(view.out()).isEqualTo("added in layer 2\nnew.html\ngroup gone\npasswd kept\nyes\n");
        Path upper = b.root.resolve("layers").resolve(Digest.of(top).hex()).resolve("diff");
        assertThat(Files.getAttribute(upper.resolve("etc/group"), "unix:rdev")).isEqualTo(0L);
        assertThat(((java.nio.file.attribute.BasicFileAttributes) Files.readAttributes(upper.resolve("etc/group"), java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isOther()).isTrue();
    }

    @Test
    void aLayerThatDoesNotMatchItsDiffIdIsRefusedAndLeavesNothing() throws Exception {
        byte[] layer = new Tars().file("a", "x").bytes();
        byte[] archive = dockerArchive("bad:1", List.of(layer), List.of(Digest.of("something else".getBytes()).toString()));
        Run r = b.berth("image", "load", "-i", write("bad.tar", archive).toString());
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err()).contains("layer content does not match its digest");
        assertThat(b.berth("image", "ls").ok().out().lines()).hasSize(1);
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void anEscapingLayerIsRefusedWithoutWritingOutside() throws Exception {
        byte[] evil = new Tars().symlink("etc", b.dir.toString()).file("etc/pwned", "x").bytes();
        byte[] archive = dockerArchive("evil:1", List.of(evil), List.of(Digest.of(evil).toString()));
        Run r = b.berth("image", "load", "-i", write("evil.tar", archive).toString());
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err()).contains("points outside the layer; refused");
        assertThat(b.dir.resolve("pwned")).doesNotExist();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void loadAnOciArchiveAndCheckEveryBlobDigest() throws Exception {
        byte[] layer = gzip(Files.readAllBytes(BerthRoot.sampleTar()));
        byte[] diff = Files.readAllBytes(BerthRoot.sampleTar());
        byte[] config = config(List.of(Digest.of(diff).toString()), List.of("echo", "from oci"));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", Map.of("mediaType", "application/vnd.oci.image.config.v1+json", "digest", Digest.of(config).toString(), "size", config.length));
        manifest.put("layers", List.of(Map.of("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip", "digest", Digest.of(layer).toString(), "size", layer.length)));
        byte[] manifestBytes = Json.write(manifest).getBytes(StandardCharsets.UTF_8);
        Map<String, Object> index = Map.of("schemaVersion", 2, "manifests", List.of(Map.of(
                "mediaType", "application/vnd.oci.image.manifest.v1+json", "digest", Digest.of(manifestBytes).toString(),
                "size", manifestBytes.length, "annotations", Map.of("org.opencontainers.image.ref.name", "localhost/oci-demo:1"))));
        Tars archive = new Tars().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}").file("index.json", Json.write(index))
                .dir("blobs/sha256").file("blobs/sha256/" + Digest.of(config).hex(), config, 0644)
                .file("blobs/sha256/" + Digest.of(manifestBytes).hex(), manifestBytes, 0644);
        byte[] good = archive.file("blobs/sha256/" + Digest.of(layer).hex(), layer, 0644).bytes();
        b.berth("image", "load", "-i", write("oci.tar", good).toString()).ok();
        assertThat(b.berth("run", "--rm", "localhost/oci-demo:1").ok().out()).isEqualTo("from oci\n");

        byte[] tampered = new Tars().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}").file("index.json", Json.write(index))
                .file("blobs/sha256/" + Digest.of(config).hex(), config, 0644)
                .file("blobs/sha256/" + Digest.of(manifestBytes).hex(), manifestBytes, 0644)
                .file("blobs/sha256/" + Digest.of(layer).hex(), gzip("not the layer".getBytes()), 0644).bytes();
        Run r = b.berth("image", "load", "-i", write("tampered.tar", tampered).toString());
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err()).contains("does not match its digest");
    }

    /** Scratch directories left under the root's tmp. */
    List<Path> leftovers() throws Exception {
        Path tmp = b.root.resolve("tmp");
        if (!Files.exists(tmp)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(tmp)) {
            return s.toList();
        }
    }
}
