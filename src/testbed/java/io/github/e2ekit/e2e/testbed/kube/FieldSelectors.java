package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * List requests' {@code fieldSelector}: terms {@code a.b=v}, {@code a.b==v} and {@code a.b!=v}, all of which must
 * hold.
 */
final class FieldSelectors {
    private FieldSelectors() {}

    static boolean matches(JsonNode item, String selector) {
        for (String term : selector.split(",")) {
            boolean negate = term.contains("!=");
            String[] kv = negate ? term.split("!=", 2) : term.split("==?", 2);
            if (kv.length != 2) {
                continue;
            }
            JsonNode c = item;
            for (String p : kv[0].trim().split("\\.")) {
                c = c == null ? null : c.get(p);
            }
            String actual = c == null || c.isNull() ? "" : c.asText();
            if (actual.equals(kv[1].trim()) == negate) {
                return false;
            }
        }
        return true;
    }
}
