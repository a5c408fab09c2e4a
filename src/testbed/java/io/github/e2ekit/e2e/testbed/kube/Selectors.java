package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Label and field selectors as the API server evaluates them for lists and watches.
 *
 * <p>Labels: kubernetes {@code staging/src/k8s.io/apimachinery/pkg/labels/selector.go} ({@code Parse}): terms
 * joined by commas, each {@code k}, {@code !k}, {@code k=v}, {@code k==v}, {@code k!=v}, {@code k in (a,b)},
 * {@code k notin (a,b)}; {@code !=} and {@code notin} also match objects without the label.
 *
 * <p>Fields: {@code staging/src/k8s.io/apimachinery/pkg/fields/selector.go} ({@code ParseSelector}): terms
 * {@code path=v}, {@code path==v}, {@code path!=v}. A real server only knows a few paths per kind
 * ({@code metadata.name}, {@code metadata.namespace} for every kind, {@code status.phase} for pods, ...); here any
 * dotted path of the object is read, like the fake's list answers.
 */
final class Selectors {
    private Selectors() {}

    /** A predicate on objects for {@code labelSelector} (null or blank: everything). */
    static Predicate<JsonNode> labels(String selector) {
        if (selector == null || selector.isBlank()) {
            return o -> true;
        }
        List<Predicate<JsonNode>> terms = new ArrayList<>();
        for (String term : splitTerms(selector)) {
            terms.add(labelTerm(term.trim()));
        }
        return o -> terms.stream().allMatch(t -> t.test(o));
    }

    /** A predicate on objects for {@code fieldSelector} (null or blank: everything). */
    static Predicate<JsonNode> fields(String selector) {
        if (selector == null || selector.isBlank()) {
            return o -> true;
        }
        List<Predicate<JsonNode>> terms = new ArrayList<>();
        for (String raw : selector.split(",")) {
            String term = raw.trim();
            if (term.isEmpty()) {
                continue;
            }
            boolean negate = term.contains("!=");
            String[] kv = negate ? term.split("!=", 2) : term.split("==?", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("invalid field selector: '" + term + "'");
            }
            String[] path = kv[0].trim().split("\\.");
            String want = kv[1].trim();
            terms.add(o -> {
                JsonNode c = o;
                for (String p : path) {
                    c = c == null ? null : c.get(p);
                }
                String actual = c == null || c.isNull() ? "" : c.asText();
                return actual.equals(want) != negate;
            });
        }
        return o -> terms.stream().allMatch(t -> t.test(o));
    }

    private static List<String> splitTerms(String selector) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char ch = selector.charAt(i);
            if (ch == '(') {
                depth++;
            } else if (ch == ')') {
                depth--;
            } else if (ch == ',' && depth == 0) {
                out.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        out.add(selector.substring(start));
        out.removeIf(String::isBlank);
        return out;
    }

    private static Predicate<JsonNode> labelTerm(String term) {
        String[] words = term.split("\\s+", 3);
        if (words.length >= 2 && (words[1].equals("in") || words[1].equals("notin"))) {
            String key = words[0];
            String rest =
                    term.substring(term.indexOf(words[1]) + words[1].length()).trim();
            if (!rest.startsWith("(") || !rest.endsWith(")")) {
                throw new IllegalArgumentException("unable to parse requirement: " + term);
            }
            Set<String> values = Set.of(
                    java.util.Arrays.stream(rest.substring(1, rest.length() - 1).split(","))
                            .map(String::trim)
                            .filter(s -> !s.isEmpty())
                            .distinct()
                            .toArray(String[]::new));
            boolean in = words[1].equals("in");
            return o -> {
                String v = label(o, key);
                return in ? v != null && values.contains(v) : v == null || !values.contains(v);
            };
        }
        if (term.startsWith("!")) {
            String key = term.substring(1).trim();
            return o -> label(o, key) == null;
        }
        int ne = term.indexOf("!=");
        if (ne > 0) {
            String key = term.substring(0, ne).trim();
            String want = term.substring(ne + 2).trim();
            return o -> !want.equals(label(o, key));
        }
        int eq = term.indexOf('=');
        if (eq > 0) {
            String key = term.substring(0, eq).trim();
            String want =
                    term.substring(term.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
            return o -> want.equals(label(o, key));
        }
        String key = term.trim();
        return o -> label(o, key) != null;
    }

    private static String label(JsonNode o, String key) {
        JsonNode v = o == null ? null : o.path("metadata").path("labels").get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
