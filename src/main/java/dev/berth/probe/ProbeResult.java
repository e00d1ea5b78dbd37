package dev.berth.probe;

/** What one probe attempt saw, e.g. {@code tcp 127.0.0.1:8080: connection refused}. */
public record ProbeResult(boolean success, String message) {
    public static ProbeResult ok(String message) {
        return new ProbeResult(true, message);
    }

    public static ProbeResult failed(String message) {
        return new ProbeResult(false, message);
    }
}
