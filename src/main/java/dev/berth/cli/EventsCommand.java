package dev.berth.cli;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import dev.berth.engine.Berth;
import dev.berth.state.StateStore;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "events", mixinStandardHelpOptions = true,
        description = {"Show what happened to pods and containers, oldest first.",
                "Events: created, started, ready, unready, died (exit code), restarting (back-off), liveness-failed, startup-failed,",
                "deadline-exceeded, killed, hook-failed, completed, failed, removed. The newest 10,000 are kept."},
        footer = {"", "Examples:", "  berth events", "  berth events -f --pod web", "  berth events --since 10m --format json"})
final class EventsCommand extends BerthCall {
    @Option(names = {"-f", "--follow"}, description = "Keep printing events as they happen (Ctrl-C to stop).")
    boolean follow;

    @Option(names = "--since", paramLabel = "WHEN", description = "Only events from then on: a duration ago (30s, 10m, 2h) or a time (2026-11-29T10:00:00Z).")
    String since;

    @Option(names = "--pod", paramLabel = "POD", description = "Only the events of this pod and its containers.")
    String pod;

    @Override
    Integer call(Berth berth) {
        PrintWriter out = out();
        Instant from = since == null ? null : since(since);
        long last = 0;
        while (true) {
            List<StateStore.Event> events = berth.state().events(last, from, pod);
            for (StateStore.Event e : events) {
                last = Math.max(last, e.id());
                out.println(jsonFormat() ? Json.write(json(e)) : e.time() + "  " + e.object() + "  " + e.type() + (e.message().isEmpty() ? "" : "  " + e.message()));
            }
            out.flush();
            if (!follow) {
                return Main.OK;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException interrupted) {
                return Main.OK;
            }
        }
    }

    private static Map<String, Object> json(StateStore.Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", e.time().toString());
        m.put("object", e.object());
        m.put("pod", e.pod());
        m.put("type", e.type());
        m.put("message", e.message());
        return m;
    }

    /** {@code 30s}, {@code 10m}, {@code 2h} ago, or an RFC 3339 time. */
    static Instant since(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(s|m|h)").matcher(text.strip());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
            return Instant.now().minus(d);
        }
        try {
            return Instant.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "--since " + text + ": expected a duration (30s, 10m, 2h) or a time (2026-11-29T10:00:00Z)");
        }
    }
}
