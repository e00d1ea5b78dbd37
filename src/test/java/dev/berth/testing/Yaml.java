package dev.berth.testing;

import dev.berth.api.ManifestException;
import dev.berth.api.Manifests;
import dev.berth.manifest.ManifestReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reading manifests written by a test into a temporary directory. */
public final class Yaml {
    private final Path dir;

    public Yaml(Path dir) {
        this.dir = dir;
    }

    /** Writes {@code text} to {@code dir/name} and returns the path as a string. */
    public String write(String name, String text) {
        try {
            Path p = dir.resolve(name);
            Files.writeString(p, text, StandardCharsets.UTF_8);
            return p.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Manifests read(String... texts) {
        return read(ManifestReader.Options.DEFAULT, texts);
    }

    public Manifests read(ManifestReader.Options options, String... texts) {
        String[] files = new String[texts.length];
        for (int i = 0; i < texts.length; i++) {
            files[i] = write("m" + i + ".yaml", texts[i]);
        }
        return new ManifestReader(new ByteArrayInputStream(new byte[0])).read(List.of(files), options);
    }

    /** The problems reading {@code text} (as {@code m0.yaml}) reports; fails when there are none. */
    public List<String> problems(String text) {
        return problems(text, ManifestReader.Options.DEFAULT);
    }

    public List<String> problems(String text, ManifestReader.Options options) {
        try {
            read(options, text);
        } catch (ManifestException e) {
            return e.problems().stream().map(p -> p.replace(dir.toString() + "/", "")).toList();
        }
        throw new AssertionError("expected problems, but the manifest was accepted:\n" + text);
    }

    /** A one-container pod named {@code name} with the given extra container lines (indented 6). */
    public static String pod(String name, String containerExtra) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                spec:
                  containers:
                    - name: main
                      image: busybox
                %s""".formatted(name, containerExtra.indent(6));
    }
}
