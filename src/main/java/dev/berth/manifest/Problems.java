package dev.berth.manifest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The errors and warnings found while reading manifests, each reported once, ordered by file (in
 * the order the files were read) and line.
 */
final class Problems {
    private record Problem(String file, int line, String text) {}

    private final Set<Problem> errors = new LinkedHashSet<>();
    private final Set<Problem> warnings = new LinkedHashSet<>();
    private final Map<String, Integer> fileOrder = new HashMap<>();
    /** The keys of each YAML mapping that berth's reader looked at: the others are checked by {@link FieldCheck}. */
    private final Map<org.yaml.snakeyaml.nodes.Node, Set<String>> consumed = new java.util.IdentityHashMap<>();

    void consume(org.yaml.snakeyaml.nodes.Node mapping, String key) {
        consumed.computeIfAbsent(mapping, k -> new java.util.HashSet<>()).add(key);
    }

    boolean consumed(org.yaml.snakeyaml.nodes.Node mapping, String key) {
        return consumed.getOrDefault(mapping, Set.of()).contains(key);
    }

    /** A problem with a whole file ({@code line} 0) or at a line of it; {@code text} follows {@code FILE:LINE: }. */
    void error(String file, int line, String text) {
        errors.add(problem(file, line, text));
    }

    void warning(String file, int line, String text) {
        warnings.add(problem(file, line, text));
    }

    private Problem problem(String file, int line, String text) {
        fileOrder.putIfAbsent(file, fileOrder.size());
        return new Problem(file, line, text);
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    List<String> errors() {
        return sorted(errors);
    }

    List<String> warnings() {
        return sorted(warnings);
    }

    private List<String> sorted(Set<Problem> problems) {
        List<Problem> list = new ArrayList<>(problems);
        list.sort(Comparator.comparingInt((Problem p) -> fileOrder.get(p.file())).thenComparingInt(Problem::line));
        return list.stream().map(p -> p.file() + (p.line() > 0 ? ":" + p.line() : "") + ": " + p.text()).toList();
    }
}
