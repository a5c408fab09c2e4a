package io.github.e2ekit.e2e.testbed.kube;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A parsed API request path: {@code /api/v1[/namespaces/{ns}]/{plural}[/{name}[/{sub}]]} or the same under
 * {@code /apis/{group}/{version}}. Null fields are absent.
 */
record ResourcePath(
        String group,
        String version,
        String namespace,
        String plural,
        String name,
        String subresource,
        Map<String, String> query,
        String rawPath) {

    /** Splits path and query; returns null when the path is not a resource path. */
    static ResourcePath parse(String fullPath) {
        String path = fullPath;
        Map<String, String> query = new LinkedHashMap<>();
        int q = path.indexOf('?');
        if (q >= 0) {
            for (String kv : path.substring(q + 1).split("&")) {
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                query.put(k, v);
            }
            path = path.substring(0, q);
        }
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String[] s = path.substring(1).split("/");
        int i;
        String group;
        String version;
        if (s.length >= 3 && s[0].equals("api")) {
            group = "";
            version = s[1];
            i = 2;
        } else if (s.length >= 4 && s[0].equals("apis")) {
            group = s[1];
            version = s[2];
            i = 3;
        } else {
            return null;
        }
        int rest = s.length - i;
        String namespace = null;
        if (s[i].equals("namespaces") && rest >= 3 && !(rest == 3 && group.isEmpty() && isNamespaceSub(s[i + 2]))) {
            namespace = s[i + 1];
            i += 2;
            rest -= 2;
        }
        String plural = s[i];
        String name = rest >= 2 ? s[i + 1] : null;
        String sub = rest >= 3 ? String.join("/", java.util.Arrays.copyOfRange(s, i + 2, s.length)) : null;
        return new ResourcePath(group, version, namespace, plural, name, sub, query, path);
    }

    private static boolean isNamespaceSub(String s) {
        return s.equals("status") || s.equals("finalize");
    }

    boolean isStatus() {
        return "status".equals(subresource);
    }

    /** The path without query string, for the main resource or its {@code /status}. */
    String pathWithoutQuery() {
        return rawPath;
    }

    String mainPath() {
        return subresource == null ? rawPath : rawPath.substring(0, rawPath.length() - subresource.length() - 1);
    }
}
