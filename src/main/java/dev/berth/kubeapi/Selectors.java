package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Label selectors ({@code app=web,tier!=db,env in (a,b),!legacy}) and field selectors
 * ({@code metadata.name=x,status.phase!=Running}, any dotted path of the object) as the
 * real server reads them, each turned into a predicate on an object.
 */
final class Selectors {
    private Selectors() {}

    /** The objects a label selector matches; null or empty matches all. */
    static Predicate<JsonNode> labels(String selector) {
        if (selector == null || selector.isBlank()) {
            return o -> true;
        }
        List<Predicate<JsonNode>> all = new ArrayList<>();
        for (String term : split(selector)) {
            all.add(labelTerm(term.strip()));
        }
        return o -> all.stream().allMatch(p -> p.test(o));
    }

    private static Predicate<JsonNode> labelTerm(String term) {
        java.util.regex.Matcher set = java.util.regex.Pattern.compile("^(\\S+)\\s+(in|notin)\\s+\\((.*)\\)$").matcher(term);
        if (set.matches()) {
            String key = set.group(1);
            Set<String> values = Set.copyOf(Arrays.stream(set.group(3).split(",")).map(String::strip).toList());
            boolean in = set.group(2).equals("in");
            return o -> {
                JsonNode v = o.path("metadata").path("labels").get(key);
                return in ? v != null && values.contains(v.asText()) : v == null || !values.contains(v.asText());
            };
        }
        if (term.startsWith("!")) {
            String key = term.substring(1).strip();
            return o -> !o.path("metadata").path("labels").has(key);
        }
        String[] kv = pair(term);
        if (kv == null) {
            String key = term;
            validKey(key);
            return o -> o.path("metadata").path("labels").has(key);
        }
        validKey(kv[0]);
        boolean equal = !kv[2].equals("!=");
        return o -> {
            JsonNode v = o.path("metadata").path("labels").get(kv[0]);
            return equal ? v != null && v.asText().equals(kv[1]) : v == null || !v.asText().equals(kv[1]);
        };
    }

    /** The objects a field selector matches; null or empty matches all. */
    static Predicate<JsonNode> fields(String selector) {
        if (selector == null || selector.isBlank()) {
            return o -> true;
        }
        List<Predicate<JsonNode>> all = new ArrayList<>();
        for (String term : split(selector)) {
            String[] kv = pair(term.strip());
            if (kv == null) {
                throw ApiError.badRequest("invalid field selector: " + term + ": expected key=value or key!=value");
            }
            boolean equal = !kv[2].equals("!=");
            String[] path = kv[0].split("\\.");
            all.add(o -> {
                JsonNode v = o;
                for (String p : path) {
                    v = v.path(p);
                }
                String text = v.isMissingNode() || v.isNull() ? "" : v.asText();
                return equal == text.equals(kv[1]);
            });
        }
        return o -> all.stream().allMatch(p -> p.test(o));
    }

    /** {key, value, operator} of {@code k=v}, {@code k==v}, {@code k!=v}; null when there is no operator. */
    private static String[] pair(String term) {
        for (String op : List.of("!=", "==", "=")) {
            int i = term.indexOf(op);
            if (i > 0) {
                return new String[] {term.substring(0, i).strip(), term.substring(i + op.length()).strip(), op};
            }
        }
        return null;
    }

    private static void validKey(String key) {
        if (!key.matches("([a-z0-9A-Z]([-a-z0-9A-Z.]*[a-z0-9A-Z])?/)?[a-z0-9A-Z]([-_.a-z0-9A-Z]*[a-z0-9A-Z])?")) {
            throw ApiError.badRequest("unable to parse requirement: invalid label key \"" + key + "\"");
        }
    }

    /** The terms of a selector: split at commas outside parentheses. */
    private static List<String> split(String selector) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == ',' && depth == 0) {
                terms.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        terms.add(selector.substring(start));
        return terms.stream().filter(t -> !t.isBlank()).toList();
    }
}
