package dev.berth.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Turns the paths a user gives ({@code FILE}, {@code DIR}, {@code -}) into YAML documents, refusing
 * what is hostile before it is parsed: files over {@link #MAX_BYTES}, bytes that are not UTF-8,
 * alias bombs.
 */
final class ManifestFiles {
    static final int MAX_BYTES = 10 * 1024 * 1024;
    static final int MAX_ALIASES = 50;

    /** One YAML document of a file, with the file's name as the user gave it. */
    record Document(String file, Node root) {}

    private final InputStream stdin;

    ManifestFiles(InputStream stdin) {
        this.stdin = stdin;
    }

    /** Reads every document of every path in order; unreadable files become problems, and so does a directory without manifests unless {@code allowEmpty}. */
    List<Document> read(List<String> paths, Problems problems, boolean allowEmpty) {
        List<Document> documents = new ArrayList<>();
        for (String path : paths) {
            for (String file : expand(path, problems, allowEmpty)) {
                byte[] bytes = readBytes(file, problems);
                if (bytes != null) {
                    parse(file, bytes, documents, problems);
                }
            }
        }
        return documents;
    }

    /** A directory's {@code *.yaml}, {@code *.yml} and {@code *.json} files, sorted, without dotfiles. */
    private static List<String> expand(String path, Problems problems, boolean allowEmpty) {
        if (path.equals("-")) {
            return List.of(path);
        }
        Path p = Path.of(path);
        if (!Files.isDirectory(p)) {
            return List.of(path);
        }
        try (Stream<Path> children = Files.list(p)) {
            List<String> files = children
                    .filter(Files::isRegularFile)
                    .map(c -> c.getFileName().toString())
                    .filter(n -> !n.startsWith(".") && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json")))
                    .sorted()
                    .map(n -> p.resolve(n).toString())
                    .toList();
            if (files.isEmpty() && !allowEmpty) {
                problems.error(path, 0, "no *.yaml, *.yml or *.json files in this directory");
            }
            return files;
        } catch (IOException e) {
            problems.error(path, 0, "cannot list directory: " + e.getMessage());
            return List.of();
        }
    }

    private byte[] readBytes(String file, Problems problems) {
        try (InputStream in = file.equals("-") ? stdin : Files.newInputStream(Path.of(file))) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                problems.error(file, 0, "larger than " + MAX_BYTES / (1024 * 1024) + " MiB; refused");
                return null;
            }
            return bytes;
        } catch (NoSuchFileException e) {
            problems.error(file, 0, "no such file or directory");
        } catch (IOException e) {
            problems.error(file, 0, "cannot read: " + e.getMessage());
        }
        return null;
    }

    private static void parse(String file, byte[] bytes, List<Document> out, Problems problems) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            problems.error(file, 0, "not UTF-8 text; refused");
            return;
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_BYTES + 1);
        options.setNestingDepthLimit(64);
        try {
            for (Node root : new Yaml(options).composeAll(new StringReader(text))) {
                if (root != null) {
                    out.add(new Document(file, root));
                }
            }
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            problems.error(file, mark == null ? 0 : mark.getLine() + 1,
                    "invalid YAML: " + oneLine(e.getProblem() != null ? e.getProblem() : e.getMessage()));
        } catch (YAMLException e) {
            problems.error(file, 0, "refused: " + oneLine(e.getMessage()));
        }
    }

    private static String oneLine(String message) {
        String m = message == null ? "unreadable" : message.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
