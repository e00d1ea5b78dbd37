package dev.berth.cli;

import dev.berth.api.Json;
import dev.berth.image.PullProgress;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shows a pull as podman and docker do: on a terminal a bar per layer (bytes, speed, time left),
 * redrawn in place at most ten times a second; in a pipe a line when a layer starts and when it
 * is done; with {@code --format json} one object per event (schemas/pull-event.schema.json).
 */
final class PullView implements PullProgress {
    private static final long REDRAW_NANOS = 100_000_000;

    private static final class Layer {
        final long size;
        final long started = System.nanoTime();
        long done;
        String state;
        /** Why the layer was asked for again, shown until its next bytes. */
        String note;

        Layer(long size, String state) {
            this.size = size;
            this.state = state;
        }
    }

    private final PrintWriter out;
    private final PlayView.Mode mode;
    private final Map<String, Layer> layers = new LinkedHashMap<>();
    private int drawn;
    private long lastDraw;

    PullView(PrintWriter out, PlayView.Mode mode) {
        this.out = out;
        this.mode = mode;
    }

    @Override
    public synchronized void resolved(String name, String digest) {
        switch (mode) {
            case JSON -> event("resolved", Map.of("name", name, "digest", digest));
            case LINES, LIVE -> out.println("Pulling " + name + " (" + digest + ")");
            case QUIET -> { }
        }
        out.flush();
    }

    @Override
    public synchronized void layer(String digest, long size, boolean inStore) {
        layers.put(digest, new Layer(size, inStore ? "already in the store" : null));
        switch (mode) {
            case JSON -> event("layer", Map.of("digest", digest, "size", size, "inStore", inStore));
            case LINES -> out.println("layer " + shortDigest(digest) + ": " + (inStore ? "already in the store" : "pulling " + Tables.size(size)));
            case LIVE -> redraw(true);
            case QUIET -> { }
        }
        out.flush();
    }

    @Override
    public synchronized void bytes(String digest, long n) {
        Layer l = layers.get(digest);
        if (l == null) {
            return;
        }
        l.done += n;
        l.note = null;
        if (mode == PlayView.Mode.LIVE) {
            redraw(false);
        }
    }

    @Override
    public synchronized void retrying(String digest, String why) {
        Layer l = layers.get(digest);
        switch (mode) {
            case JSON -> event("retrying", Map.of("digest", digest, "why", why));
            case LINES -> out.println("layer " + shortDigest(digest) + ": " + why);
            case LIVE -> {
                if (l != null) {
                    l.note = why;
                }
                redraw(true);
            }
            case QUIET -> { }
        }
        out.flush();
    }

    @Override
    public synchronized void done(String digest) {
        Layer l = layers.get(digest);
        double seconds = (System.nanoTime() - l.started) / 1e9;
        l.state = "done";
        switch (mode) {
            case JSON -> event("done", Map.of("digest", digest, "size", l.done, "seconds", Math.round(seconds * 1000) / 1000.0));
            case LINES -> out.println("layer " + shortDigest(digest) + ": done, " + Tables.size(l.done) + " in " + String.format("%.1f s", seconds));
            case LIVE -> redraw(true);
            case QUIET -> { }
        }
        out.flush();
    }

    private void event(String event, Map<String, Object> fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", Instant.now().toString());
        m.put("event", event);
        m.putAll(fields);
        out.println(Json.write(m));
    }

    private void redraw(boolean now) {
        long t = System.nanoTime();
        if (!now && t - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = t;
        if (drawn > 0) {
            out.print("\033[" + drawn + "A");
        }
        for (Map.Entry<String, Layer> e : layers.entrySet()) {
            out.print("\033[2K" + line(e.getKey(), e.getValue(), t) + "\n");
        }
        drawn = layers.size();
        out.flush();
    }

    /** {@code Copying blob 1a2b3c4d5e6f [=======>        ] 12.0 MB / 40.0 MB 5.1 MB/s 6s}. */
    static String line(String digest, Layer l, long now) {
        String head = "Copying blob " + shortDigest(digest) + " ";
        if (l.state != null) {
            return head + l.state;
        }
        int width = 30;
        int filled = l.size > 0 ? (int) Math.min(width, l.done * width / l.size) : 0;
        String bar = "[" + "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "") + "]";
        double seconds = Math.max(1e-3, (now - l.started) / 1e9);
        double rate = l.done / seconds;
        String eta = rate > 0 && l.size > 0 ? Math.round((l.size - l.done) / rate) + "s" : "--";
        return head + bar + " " + Tables.size(l.done) + " / " + Tables.size(l.size) + " " + Tables.size((long) rate) + "/s " + eta
                + (l.note == null ? "" : " (" + l.note + ")");
    }

    private static String shortDigest(String digest) {
        return digest.substring(digest.indexOf(':') + 1, Math.min(digest.length(), digest.indexOf(':') + 13));
    }
}
