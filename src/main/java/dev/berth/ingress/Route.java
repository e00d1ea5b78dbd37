package dev.berth.ingress;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One path of an Ingress rule: requests for {@code host} (or any host: {@code *}, or one label
 * of a wildcard such as {@code *.example.com}) whose path is {@code path} (Exact) or under it
 * (Prefix, by path elements) go to {@code backend:port}.
 *
 * <p>Routes travel to the proxy as text, one per line: {@code HOST PATH Exact|Prefix BACKEND PORT}.
 */
public record Route(String host, String path, boolean exact, String backend, int port) {
    public static final String ANY_HOST = "*";

    /** The route of a request, or null: the most specific host first, then an Exact path, then the longest Prefix. */
    public static Route match(List<Route> routes, String host, String path) {
        return routes.stream().filter(r -> r.hostRank(host) > 0 && r.pathMatches(path))
                .max(Comparator.comparingInt((Route r) -> r.hostRank(host)).thenComparing(r -> r.exact)
                        .thenComparingInt(r -> r.path.length()))
                .orElse(null);
    }

    /** 3 for this exact host, 2 for a matching wildcard, 1 for a route of any host, 0 when it does not apply. */
    private int hostRank(String requested) {
        if (host.equals(ANY_HOST)) {
            return 1;
        }
        if (host.startsWith("*.")) {
            int dot = requested.indexOf('.');
            return dot > 0 && requested.substring(dot).equalsIgnoreCase(host.substring(1)) ? 2 : 0;
        }
        return host.equalsIgnoreCase(requested) ? 3 : 0;
    }

    private boolean pathMatches(String requested) {
        if (exact) {
            return requested.equals(path);
        }
        String prefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return prefix.isEmpty() || requested.equals(prefix) || requested.startsWith(prefix + "/");
    }

    public static String format(List<Route> routes) {
        StringBuilder s = new StringBuilder();
        for (Route r : routes) {
            s.append(r.host).append(' ').append(r.path).append(' ').append(r.exact ? "Exact" : "Prefix").append(' ')
                    .append(r.backend).append(' ').append(r.port).append('\n');
        }
        return s.toString();
    }

    public static List<Route> parse(String text) {
        List<Route> routes = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(" +");
            if (f.length != 5) {
                throw new IllegalArgumentException("a route is HOST PATH Exact|Prefix BACKEND PORT, got \"" + line + "\"");
            }
            routes.add(new Route(f[0], f[1], f[2].equals("Exact"), f[3], Integer.parseInt(f[4])));
        }
        return routes;
    }
}
