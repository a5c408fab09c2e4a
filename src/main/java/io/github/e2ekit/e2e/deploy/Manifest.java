package io.github.e2ekit.e2e.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One rendered Kubernetes object, as a plain JSON-like map, with where it came from. */
public final class Manifest {
    private final Map<String, Object> object;
    private final String source;

    public Manifest(Map<String, Object> object, String source) {
        this.object = object;
        this.source = source;
    }

    public Map<String, Object> object() {
        return object;
    }

    public String source() {
        return source;
    }

    public String apiVersion() {
        return (String) object.get("apiVersion");
    }

    public String kind() {
        return (String) object.get("kind");
    }

    public String group() {
        String v = apiVersion();
        int slash = v.indexOf('/');
        return slash < 0 ? "" : v.substring(0, slash);
    }

    public String version() {
        String v = apiVersion();
        int slash = v.indexOf('/');
        return slash < 0 ? v : v.substring(slash + 1);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> metadata() {
        return (Map<String, Object>) object.computeIfAbsent("metadata", k -> new LinkedHashMap<>());
    }

    public String name() {
        return (String) metadata().get("name");
    }

    public String namespace() {
        return (String) metadata().get("namespace");
    }

    public void namespace(String ns) {
        metadata().put("namespace", ns);
    }

    /** {@code Deployment/data-storage} for messages. */
    public String describe() {
        return kind() + "/" + name();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        Map<String, Object> created = new LinkedHashMap<>();
        parent.put(key, created);
        return created;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> mapOrNull(Object parent, String... path) {
        Object cur = parent;
        for (String p : path) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = m.get(p);
        }
        return cur instanceof Map<?, ?> ? (Map<String, Object>) cur : null;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object v = parent == null ? null : parent.get(key);
        return v instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }
}
