package dev.berth.api;

import java.util.List;

/** Manifests that cannot be used: every problem found, each already formatted as {@code FILE:LINE: field: what}. */
public final class ManifestException extends BerthException {
    private final List<String> problems;

    public ManifestException(List<String> problems) {
        super(Kind.INVALID_INPUT, String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
