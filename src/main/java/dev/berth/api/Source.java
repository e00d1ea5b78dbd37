package dev.berth.api;

/** Where a manifest object or field came from: a file (or {@code -} for stdin) and a 1-based line. */
public record Source(String file, int line) {
    public static final Source NONE = new Source("", 0);

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line : file;
    }
}
