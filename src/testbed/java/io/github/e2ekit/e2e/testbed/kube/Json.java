package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** JSON helpers for the fake API server (Jackson 2 tree model). */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    static JsonNode parse(String s) {
        try {
            return s == null || s.isBlank() ? null : MAPPER.readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    static String write(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode obj() {
        return JsonNodeFactory.instance.objectNode();
    }

    static ArrayNode arr() {
        return JsonNodeFactory.instance.arrayNode();
    }

    /** {@code n.with(field)}: the object at field, created when missing or not an object. */
    static ObjectNode with(ObjectNode n, String field) {
        JsonNode c = n.get(field);
        if (c instanceof ObjectNode o) {
            return o;
        }
        ObjectNode o = obj();
        n.set(field, o);
        return o;
    }

    static String text(JsonNode n, String... path) {
        JsonNode c = n;
        for (String p : path) {
            if (c == null) {
                return null;
            }
            c = c.get(p);
        }
        return c == null || c.isNull() ? null : c.asText();
    }

    static List<JsonNode> items(JsonNode list) {
        List<JsonNode> out = new ArrayList<>();
        if (list != null && list.get("items") != null) {
            list.get("items").forEach(out::add);
        }
        return out;
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** RFC 7386 JSON merge patch: objects merge recursively, {@code null} removes, anything else replaces. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            return patch == null ? null : patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : obj();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }

    /**
     * An approximation of strategic merge patch: like {@link #mergePatch} but lists whose elements are all
     * objects with a {@code name} (containers, env, volumes, ports…) merge element-wise by name, and a
     * {@code "$patch": "delete"} element removes the named entry. Other lists are replaced.
     */
    static JsonNode strategicMerge(JsonNode target, JsonNode patch) {
        if (patch == null) {
            return null;
        }
        if (patch.isArray() && target != null && target.isArray() && allNamed(patch) && allNamed(target)) {
            ArrayNode result = ((ArrayNode) target).deepCopy();
            for (JsonNode p : patch) {
                String name = p.get("name").asText();
                int idx = -1;
                for (int i = 0; i < result.size(); i++) {
                    if (name.equals(result.get(i).path("name").asText())) {
                        idx = i;
                    }
                }
                boolean delete = "delete".equals(p.path("$patch").asText());
                if (delete) {
                    if (idx >= 0) {
                        result.remove(idx);
                    }
                } else if (idx >= 0) {
                    result.set(idx, strategicMerge(result.get(idx), p));
                } else {
                    result.add(strategicMerge(null, p));
                }
            }
            return result;
        }
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : obj();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith("$")) {
                continue;
            }
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), strategicMerge(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }

    private static boolean allNamed(JsonNode array) {
        for (JsonNode n : array) {
            if (!n.isObject() || !n.hasNonNull("name")) {
                return false;
            }
        }
        return true;
    }
}
