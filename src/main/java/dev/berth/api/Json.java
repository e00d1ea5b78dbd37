package dev.berth.api;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * JSON as plain Java values: objects as {@code Map<String, Object>} (key order kept), arrays as
 * {@code List<Object>}, strings, numbers ({@code Long} when integral, else {@code Double}),
 * booleans and null. Enough for OCI and CNI documents and berth's reports, without Jackson's
 * start-up cost.
 */
public final class Json {
    private Json() {}

    public static String write(Object value) {
        StringBuilder s = new StringBuilder();
        write(value, s, null);
        return s.toString();
    }

    /** As podman prints inspect: four spaces per level, {@code "key": value}; empty objects and arrays as {@code {}} and {@code []}. */
    public static String pretty(Object value) {
        StringBuilder s = new StringBuilder();
        write(value, s, "\n");
        return s.toString();
    }

    /** Writes {@code value}; {@code newline} is null for one line, else the line break and indentation of this level. */
    private static void write(Object value, StringBuilder s, String newline) {
        String inner = newline == null ? null : newline + "    ";
        String separator = newline == null ? ":" : ": ";
        if (value == null) {
            s.append("null");
        } else if (value instanceof String str) {
            quote(str, s);
        } else if (value instanceof Number || value instanceof Boolean) {
            s.append(value);
        } else if (value instanceof Map<?, ?> map) {
            s.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                s.append(inner == null ? "" : inner);
                quote(String.valueOf(e.getKey()), s);
                s.append(separator);
                write(e.getValue(), s, inner);
                if (it.hasNext()) {
                    s.append(',');
                }
            }
            s.append(newline == null || map.isEmpty() ? "" : newline).append('}');
        } else if (value instanceof List<?> list) {
            s.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    s.append(',');
                }
                s.append(inner == null ? "" : inner);
                write(list.get(i), s, inner);
            }
            s.append(newline == null || list.isEmpty() ? "" : newline).append(']');
        } else {
            throw new IllegalArgumentException("not JSON: " + value.getClass());
        }
    }

    private static void quote(String str, StringBuilder s) {
        s.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        s.append('"');
    }

    /** Parses one JSON value; throws {@link IllegalArgumentException} naming the offset when it is not JSON. */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.space();
        Object value = p.value(0);
        p.space();
        if (p.pos != text.length()) {
            throw p.error("unexpected content after the value");
        }
        return value;
    }

    /** Parses a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return (Map<String, Object>) v;
    }

    /** The object at {@code key} of {@code map}, or an empty map. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Map<String, Object> map, String key) {
        Object v = map == null ? null : map.get(key);
        return v instanceof Map ? (Map<String, Object>) v : Map.of();
    }

    /** The array at {@code key} of {@code map}, or an empty list. */
    @SuppressWarnings("unchecked")
    public static List<Object> array(Map<String, Object> map, String key) {
        Object v = map == null ? null : map.get(key);
        return v instanceof List ? (List<Object>) v : List.of();
    }

    /** The strings of the array at {@code key}, or an empty list. */
    public static List<String> strings(Map<String, Object> map, String key) {
        return array(map, key).stream().map(String::valueOf).toList();
    }

    /** The string at {@code key}, or null. */
    public static String string(Map<String, Object> map, String key) {
        Object v = map == null ? null : map.get(key);
        return v == null ? null : v.toString();
    }

    private static final class Parser {
        private static final int MAX_DEPTH = 200;
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("invalid JSON at offset " + pos + ": " + what);
        }

        void space() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested too deeply");
            }
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{' -> {
                    pos++;
                    Map<String, Object> map = new java.util.LinkedHashMap<>();
                    space();
                    if (peek('}')) {
                        return map;
                    }
                    do {
                        space();
                        if (pos >= s.length() || s.charAt(pos) != '"') {
                            throw error("expected a string key");
                        }
                        String key = string();
                        space();
                        expect(':');
                        space();
                        map.put(key, value(depth + 1));
                        space();
                    } while (peek(','));
                    expect('}');
                    return map;
                }
                case '[' -> {
                    pos++;
                    List<Object> list = new java.util.ArrayList<>();
                    space();
                    if (peek(']')) {
                        return list;
                    }
                    do {
                        space();
                        list.add(value(depth + 1));
                        space();
                    } while (peek(','));
                    expect(']');
                    return list;
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    if (s.startsWith("true", pos)) {
                        pos += 4;
                        return Boolean.TRUE;
                    } else if (s.startsWith("false", pos)) {
                        pos += 5;
                        return Boolean.FALSE;
                    } else if (s.startsWith("null", pos)) {
                        pos += 4;
                        return null;
                    }
                    return number();
                }
            }
        }

        private boolean peek(char c) {
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
        }

        private Object number() {
            int start = pos;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            String n = s.substring(start, pos);
            if (n.isEmpty()) {
                throw error("unexpected character '" + s.charAt(start) + "'");
            }
            try {
                if (n.indexOf('.') < 0 && n.indexOf('e') < 0 && n.indexOf('E') < 0) {
                    return Long.parseLong(n);
                }
                return Double.parseDouble(n);
            } catch (NumberFormatException e) {
                throw error("bad number " + n);
            }
        }

        private String string() {
            pos++;
            StringBuilder out = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    throw error("unterminated escape");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("bad \\u escape");
                        }
                        out.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }
    }
}
