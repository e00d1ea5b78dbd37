package dev.berth.api;

import java.util.Locale;

/** What must hold of a dependency before its dependent may start. */
public enum StartCondition {
    /** The object exists (ConfigMap, Secret, PersistentVolumeClaim). */
    CREATED,
    /** The container runs and its startupProbe, if any, passed. */
    STARTED,
    /** The container is ready (see DESIGN.md, "Ready"); a sandbox is ready once its infra container runs. */
    READY,
    /** The container exited 0. */
    COMPLETED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code started}, {@code ready} or {@code completed}, the conditions a user may declare. */
    public static StartCondition parseDeclared(String text) {
        return switch (text) {
            case "started" -> STARTED;
            case "ready" -> READY;
            case "completed" -> COMPLETED;
            default -> throw new IllegalArgumentException(
                    "unknown condition \"" + text + "\" (expected started, ready or completed)");
        };
    }
}
