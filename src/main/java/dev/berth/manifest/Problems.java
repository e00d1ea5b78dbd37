package dev.berth.manifest;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The errors and warnings found while reading manifests, in the order found, each reported once. */
final class Problems {
    private final Set<String> errors = new LinkedHashSet<>();
    private final Set<String> warnings = new LinkedHashSet<>();

    void error(String message) {
        errors.add(message);
    }

    void warning(String message) {
        warnings.add(message);
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    List<String> errors() {
        return new ArrayList<>(errors);
    }

    List<String> warnings() {
        return new ArrayList<>(warnings);
    }
}
