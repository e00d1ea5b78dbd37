package dev.berth.api;

/** A Kubernetes probe with its thresholds, defaults already applied. */
public record Probe(
        ProbeAction action,
        int initialDelaySeconds,
        int periodSeconds,
        int timeoutSeconds,
        int successThreshold,
        int failureThreshold) {

    /** Kubernetes' defaults for the fields a manifest leaves out. */
    public static Probe withDefaults(ProbeAction action) {
        return new Probe(action, 0, 10, 1, 1, 3);
    }
}
