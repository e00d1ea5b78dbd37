package dev.berth.cli;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The part of Go's templates podman users write in {@code --format}: text with actions
 * {@code {{.Field}}} and {@code {{.A.B}}} (map keys, as podman's field names), {@code {{.}}},
 * {@code {{json .X}}}, {@code {{upper .X}}}, {@code {{lower .X}}}, {@code {{join .X "SEP"}}},
 * {@code {{index .X "KEY"}}}; {@code \t} and {@code \n} as escapes; a leading {@code table}
 * aligns the columns (split at tabs) under a header of the fields' names. Values print as Go
 * prints them: lists {@code [a b]}, maps {@code map[k:v]}, a missing key {@code <no value>}.
 */
final class Template {
    /** A piece of the template: literal text, or an action's words. */
    private record Part(String text, List<String> words) {}

    private final List<Part> parts;
    private final boolean table;

    private Template(List<Part> parts, boolean table) {
        this.parts = parts;
        this.table = table;
    }

    /** Whether {@code --format}'s value is a template rather than {@code text} or {@code json}. */
    static boolean isTemplate(String format) {
        return format.contains("{{") || format.equals("table") || format.startsWith("table ");
    }

    static Template parse(String format) {
        String text = format.replace("\\t", "\t").replace("\\n", "\n");
        boolean table = text.equals("table") || text.startsWith("table ");
        if (table) {
            text = text.substring(5).stripLeading();
        }
        List<Part> parts = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int open = text.indexOf("{{", at);
            if (open < 0) {
                parts.add(new Part(text.substring(at), null));
                break;
            }
            if (open > at) {
                parts.add(new Part(text.substring(at, open), null));
            }
            int close = text.indexOf("}}", open);
            if (close < 0) {
                throw invalid(format, "an action opened with {{ is never closed");
            }
            parts.add(new Part(null, words(format, text.substring(open + 2, close).strip())));
            at = close + 2;
        }
        Template t = new Template(parts, table);
        t.parts.stream().filter(p -> p.words() != null).forEach(p -> t.check(format, p.words()));
        return t;
    }

    boolean table() {
        return table;
    }

    /** The header a table shows: each action's field as {@code headers} names it, else its name in capitals ({@code {{.Names}}} → NAMES). */
    String header(Map<String, String> headers) {
        StringBuilder s = new StringBuilder();
        for (Part p : parts) {
            if (p.words() == null) {
                s.append(p.text());
            } else {
                String field = p.words().stream().filter(w -> w.startsWith(".")).reduce((a, b) -> b).orElse(".");
                String name = field.substring(field.lastIndexOf('.') + 1);
                s.append(headers.getOrDefault(name, name.toUpperCase(java.util.Locale.ROOT)));
            }
        }
        return s.toString();
    }

    String render(Object model) {
        StringBuilder s = new StringBuilder();
        for (Part p : parts) {
            s.append(p.words() == null ? p.text() : show(evaluate(p.words(), model)));
        }
        return s.toString();
    }

    /** Each model rendered as a line, aligned under a header when it is a table. */
    String lines(List<?> models) {
        return lines(models, Map.of());
    }

    /** As {@link #lines(List)}, a table's header naming fields as {@code headers} does (podman's: ID → CONTAINER ID…). */
    String lines(List<?> models, Map<String, String> headers) {
        List<String> rendered = models.stream().map(this::render).toList();
        if (!table) {
            return rendered.stream().map(l -> l + "\n").collect(Collectors.joining());
        }
        List<String> header = List.of(header(headers).split("\t", -1));
        List<List<String>> rows = new ArrayList<>();
        for (String line : rendered) {
            List<String> cells = new ArrayList<>(List.of(line.split("\t", -1)));
            while (cells.size() < header.size()) {
                cells.add("");
            }
            rows.add(cells.subList(0, header.size()));
        }
        return Tables.render(header, rows);
    }

    private static final List<String> FUNCTIONS = List.of("json", "upper", "lower", "join", "index");

    private void check(String format, List<String> words) {
        String first = words.get(0);
        if (words.size() == 1 && first.startsWith(".")) {
            return;
        }
        if (!FUNCTIONS.contains(first)) {
            throw invalid(format, "{{" + String.join(" ", words) + "}} is not an action berth knows");
        }
        int args = first.equals("join") || first.equals("index") ? 2 : 1;
        if (words.size() != args + 1 || !words.get(1).startsWith(".") || args == 2 && !words.get(2).startsWith("\"")) {
            throw invalid(format, first + " takes " + (args == 1 ? "a field ({{" + first + " .X}})" : "a field and a quoted string ({{" + first + " .X \"…\"}})"));
        }
    }

    private static Object evaluate(List<String> words, Object model) {
        return switch (words.get(0)) {
            case "json" -> Json.write(field(words.get(1), model));
            case "upper" -> show(field(words.get(1), model)).toUpperCase(java.util.Locale.ROOT);
            case "lower" -> show(field(words.get(1), model)).toLowerCase(java.util.Locale.ROOT);
            case "join" -> field(words.get(1), model) instanceof List<?> l
                    ? l.stream().map(Template::show).collect(Collectors.joining(unquote(words.get(2)))) : show(field(words.get(1), model));
            case "index" -> field(words.get(1), model) instanceof Map<?, ?> m ? m.get(unquote(words.get(2))) : null;
            default -> field(words.get(0), model);
        };
    }

    /** The value at a path such as {@code .State.Pid}; {@code .} is the model itself. */
    private static Object field(String path, Object model) {
        Object value = model;
        for (String key : path.substring(1).split("\\.")) {
            if (key.isEmpty()) {
                continue;
            }
            if (!(value instanceof Map<?, ?> m)) {
                return null;
            }
            if (!m.containsKey(key)) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "template: no field " + key + " here; there are "
                        + m.keySet().stream().map(Object::toString).collect(Collectors.joining(", ")));
            }
            value = m.get(key);
        }
        return value;
    }

    /** A value as Go's templates print it. */
    static String show(Object value) {
        if (value == null) {
            return "<no value>";
        }
        if (value instanceof List<?> l) {
            return l.stream().map(Template::show).collect(Collectors.joining(" ", "[", "]"));
        }
        if (value instanceof Map<?, ?> m) {
            return m.entrySet().stream().sorted(Map.Entry.comparingByKey((a, b) -> a.toString().compareTo(b.toString())))
                    .map(e -> e.getKey() + ":" + show(e.getValue())).collect(Collectors.joining(" ", "map[", "]"));
        }
        return value.toString();
    }

    private static List<String> words(String format, String action) {
        List<String> words = new ArrayList<>();
        int at = 0;
        while (at < action.length()) {
            char c = action.charAt(at);
            if (c == ' ') {
                at++;
            } else if (c == '"') {
                int end = action.indexOf('"', at + 1);
                if (end < 0) {
                    throw invalid(format, "a string is never closed in {{" + action + "}}");
                }
                words.add(action.substring(at, end + 1));
                at = end + 1;
            } else {
                int end = action.indexOf(' ', at);
                end = end < 0 ? action.length() : end;
                words.add(action.substring(at, end));
                at = end;
            }
        }
        if (words.isEmpty()) {
            throw invalid(format, "an action is empty: {{}}");
        }
        return words;
    }

    private static String unquote(String quoted) {
        return quoted.substring(1, quoted.length() - 1);
    }

    private static BerthException invalid(String format, String why) {
        return new BerthException(BerthException.Kind.INVALID_INPUT, "--format " + format + ": " + why
                + " (berth's templates: {{.Field}}, {{.A.B}}, {{json .X}}, {{upper .X}}, {{lower .X}}, {{join .X \"SEP\"}}, {{index .X \"KEY\"}}, table)");
    }
}
