package dev.berth.api;

import java.util.Map;

/**
 * How much of a container's log is kept, as the kubelet's {@code containerLogMaxSize} and
 * {@code containerLogMaxFiles}: the current file and rotated ones, each at most {@code maxSize}
 * bytes, {@code maxFiles} files in all.
 */
public record LogLimits(long maxSize, int maxFiles) {
    public static final LogLimits DEFAULT = new LogLimits(10L * 1024 * 1024, 5);
    public static final String MAX_SIZE = "berth.dev/log-max-size";
    public static final String MAX_FILES = "berth.dev/log-max-files";
    /** Below this, conmon would cut lines in pieces more than it writes them. */
    public static final long SMALLEST = 64 * 1024;

    /** A pod's own limits (its annotations, already checked by the reader), else {@code fallback}. */
    public static LogLimits of(Map<String, String> annotations, LogLimits fallback) {
        String size = annotations.get(MAX_SIZE);
        String files = annotations.get(MAX_FILES);
        return new LogLimits(size == null ? fallback.maxSize() : Quantities.ceilLong(size),
                files == null ? fallback.maxFiles() : Integer.parseInt(files.strip()));
    }

    /** The most a container's logs may take on disk. */
    public long bound() {
        return maxSize * maxFiles;
    }
}
