package dev.berth.plan;

import dev.berth.api.ContainerSpec;
import dev.berth.api.EnvVar;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code host:port} mentions in a container's command, args and literal env values, for inference. */
final class Mentions {
    private static final Pattern HOST_PORT = Pattern.compile(
            "(?<![A-Za-z0-9_.\\-])(\\[::1\\]|[A-Za-z0-9](?:[A-Za-z0-9.\\-]*[A-Za-z0-9])?):(\\d{1,5})(?![0-9])");

    /**
     * @param host  lower-cased host as written ({@code localhost}, {@code api.default.svc})
     * @param where {@code command mentions}, {@code args mention}, {@code env URL mentions}
     * @param text  the {@code host:port} as written
     */
    record Mention(String host, int port, String where, String text) {
        boolean isLocal() {
            return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
        }
    }

    private Mentions() {}

    static List<Mention> of(ContainerSpec c) {
        List<Mention> mentions = new ArrayList<>();
        c.command().forEach(s -> find(s, "command mentions", mentions));
        c.args().forEach(s -> find(s, "args mention", mentions));
        for (EnvVar e : c.env()) {
            if (e.value() != null) {
                find(e.value(), "env " + e.name() + " mentions", mentions);
            }
        }
        return mentions;
    }

    private static void find(String text, String where, List<Mention> out) {
        Matcher m = HOST_PORT.matcher(text);
        while (m.find()) {
            int port = Integer.parseInt(m.group(2));
            if (port >= 1 && port <= 65535) {
                out.add(new Mention(m.group(1).toLowerCase(Locale.ROOT), port, where, m.group()));
            }
        }
    }
}
