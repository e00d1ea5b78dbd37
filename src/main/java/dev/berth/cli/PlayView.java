package dev.berth.cli;

import dev.berth.api.Json;
import dev.berth.reconcile.PlayEvent;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Shows play and down events: on a terminal, a live view (one line per node, redrawn in place);
 * in a pipe, one line per event; with {@code --format json}, one JSON object per event.
 */
final class PlayView implements Consumer<PlayEvent> {
    enum Mode { LIVE, LINES, JSON, QUIET }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private final PrintWriter out;
    private final Mode mode;
    private final Map<String, String> lines = new LinkedHashMap<>();
    private int drawn;

    PlayView(PrintWriter out, Mode mode, List<String> nodes) {
        this.out = out;
        this.mode = mode;
        nodes.forEach(n -> lines.put(n, "pending"));
    }

    static Mode mode(GlobalOptions global, boolean quiet) {
        if (global.json()) {
            return Mode.JSON;
        }
        if (quiet) {
            return Mode.QUIET;
        }
        return System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM")) ? Mode.LIVE : Mode.LINES;
    }

    @Override
    public synchronized void accept(PlayEvent e) {
        switch (mode) {
            case JSON -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("time", e.at().toString());
                m.put("node", e.node());
                m.put("state", e.state());
                m.put("detail", e.detail());
                out.println(Json.write(m));
            }
            case LINES -> out.println(TIME.format(e.at()) + "  " + e.node() + "  " + e.state() + (e.detail().isEmpty() ? "" : ": " + e.detail()));
            case LIVE -> {
                lines.put(e.node(), e.state() + (e.detail().isEmpty() ? "" : ": " + e.detail()));
                redraw();
            }
            case QUIET -> {
            }
        }
        out.flush();
    }

    private void redraw() {
        if (drawn > 0) {
            out.print("\033[" + drawn + "A");
        }
        int width = lines.keySet().stream().mapToInt(String::length).max().orElse(0);
        for (Map.Entry<String, String> l : lines.entrySet()) {
            String text = String.format("%-" + width + "s  %s", l.getKey(), l.getValue());
            out.print("\033[2K" + (text.length() > 160 ? text.substring(0, 159) + "…" : text) + "\n");
        }
        drawn = lines.size();
    }
}
