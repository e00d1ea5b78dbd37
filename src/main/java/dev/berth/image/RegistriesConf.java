package dev.berth.image;

import dev.berth.api.BerthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of containers' {@code registries.conf} (version 2, TOML) that a pull needs, read as
 * podman reads it: {@code unqualified-search-registries}, and {@code [[registry]]} tables with
 * {@code prefix}, {@code location}, {@code insecure}, {@code blocked} and
 * {@code [[registry.mirror]]} tables ({@code location}, {@code insecure}). Other keys are ignored.
 * The TOML read is the subset these files use: tables, arrays of tables, strings, booleans and
 * arrays of strings, comments.
 */
public record RegistriesConf(List<String> search, List<Registry> registries) {
    /** Docker Hub only, when no file says otherwise. */
    public static final RegistriesConf DEFAULT = new RegistriesConf(List.of("docker.io"), List.of());

    public record Mirror(String location, boolean insecure) {}

    /** A {@code [[registry]]} table; {@code prefix} defaults to {@code location}. */
    public record Registry(String prefix, String location, boolean insecure, boolean blocked, List<Mirror> mirrors) {}

    /**
     * Reads the files in order (later ones add registries and replace the search list, as
     * podman's drop-in files do); missing files are skipped.
     */
    public static RegistriesConf load(List<Path> files) {
        List<String> search = null;
        List<Registry> registries = new ArrayList<>();
        for (Path f : files) {
            String text;
            try {
                text = Files.readString(f);
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                throw new BerthException(BerthException.Kind.HOST, "cannot read " + f + ": " + e.getMessage(), e);
            }
            RegistriesConf one = parse(text, f.toString());
            if (one.search() != null) {
                search = one.search();
            }
            registries.addAll(one.registries());
        }
        return new RegistriesConf(search == null ? DEFAULT.search() : search, registries);
    }

    /** Parses one file; {@code search} is null when the file does not set it. */
    public static RegistriesConf parse(String text, String file) {
        List<String> search = null;
        List<Map<String, Object>> tables = new ArrayList<>();
        Map<String, Object> current = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = stripComment(lines[i]).strip();
            String where = file + ":" + (i + 1);
            if (line.isEmpty()) {
                continue;
            }
            if (line.equals("[[registry]]")) {
                current = new LinkedHashMap<>();
                current.put("mirror", new ArrayList<Map<String, Object>>());
                tables.add(current);
            } else if (line.equals("[[registry.mirror]]")) {
                if (current == null) {
                    throw new BerthException(BerthException.Kind.INVALID_INPUT, where + ": [[registry.mirror]] before any [[registry]]");
                }
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> mirrors = (List<Map<String, Object>>) current.get("mirror");
                Map<String, Object> m = new LinkedHashMap<>();
                mirrors.add(m);
                current.put("#current", m);
            } else if (line.startsWith("[")) {
                current = null; // a table berth does not read ([aliases], [engine]…)
            } else {
                int eq = line.indexOf('=');
                if (eq < 1) {
                    throw new BerthException(BerthException.Kind.INVALID_INPUT, where + ": expected key = value");
                }
                String key = unquote(line.substring(0, eq).strip());
                StringBuilder value = new StringBuilder(line.substring(eq + 1).strip());
                while (value.toString().startsWith("[") && !value.toString().endsWith("]") && i + 1 < lines.length) {
                    value.append(' ').append(stripComment(lines[++i]).strip());
                }
                Object v = value(value.toString(), where);
                if (current == null) {
                    if (key.equals("unqualified-search-registries")) {
                        search = strings(v, where, key);
                    }
                } else {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> target = current.containsKey("#current") ? (Map<String, Object>) current.get("#current") : current;
                    target.put(key, v);
                }
            }
        }
        List<Registry> registries = new ArrayList<>();
        for (Map<String, Object> t : tables) {
            String location = (String) t.get("location");
            String prefix = (String) t.getOrDefault("prefix", location);
            if (prefix == null) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, file + ": a [[registry]] needs a prefix or a location");
            }
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> ms = (List<Map<String, Object>>) t.get("mirror");
            List<Mirror> mirrors = ms.stream().map(m -> new Mirror((String) m.get("location"), Boolean.TRUE.equals(m.get("insecure")))).toList();
            registries.add(new Registry(prefix, location == null ? prefix : location, Boolean.TRUE.equals(t.get("insecure")),
                    Boolean.TRUE.equals(t.get("blocked")), mirrors));
        }
        return new RegistriesConf(search, registries);
    }

    /**
     * The {@code [[registry]]} whose prefix matches {@code repository} ({@code host/path}) the
     * longest, as podman picks it; null when none does.
     */
    public Registry match(String repository) {
        Registry best = null;
        for (Registry r : registries) {
            boolean matches = repository.equals(r.prefix()) || repository.startsWith(r.prefix() + "/");
            if (matches && (best == null || r.prefix().length() > best.prefix().length())) {
                best = r;
            }
        }
        return best;
    }

    private static String stripComment(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '#' && !quoted) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static Object value(String v, String where) {
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        if (v.startsWith("[") && v.endsWith("]")) {
            List<String> items = new ArrayList<>();
            for (String item : v.substring(1, v.length() - 1).split(",")) {
                if (!item.isBlank()) {
                    items.add(unquote(item.strip()));
                }
            }
            return items;
        }
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return unquote(v);
        }
        throw new BerthException(BerthException.Kind.INVALID_INPUT, where + ": cannot read the value " + v + " (a string, true/false or a list of strings)");
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object v, String where, String key) {
        if (v instanceof List<?> l) {
            return (List<String>) l;
        }
        throw new BerthException(BerthException.Kind.INVALID_INPUT, where + ": " + key + " must be a list of strings");
    }

    private static String unquote(String s) {
        return s.length() >= 2 && (s.startsWith("\"") || s.startsWith("'")) ? s.substring(1, s.length() - 1) : s;
    }
}
