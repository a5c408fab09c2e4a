package io.github.e2ekit.e2e.kind;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Tells which layer of an image a directory of Docker's legacy export ({@code <v1-id>/json},
 * {@code <v1-id>/layer.tar}) holds, before the layer's data is read.
 *
 * <p>The legacy export names each layer directory by a "v1 ID": the SHA-256 of the directory's
 * {@code json} (without {@code id}, with {@code parent} as a digest) plus {@code layer_id}, the
 * layer's chain ID, serialised as Go's {@code encoding/json} serialises a map (members sorted by
 * name, values as written). Intermediate layers were hashed before {@code os} was added to their
 * {@code json}, so that member is tried both ways. Recomputing the ID for every candidate chain ID
 * and comparing it with the directory name identifies the layer exactly (a SHA-256 match), or not
 * at all, in which case the caller must treat the layer as unknown.
 */
final class LegacyLayerIds {
    private LegacyLayerIds() {
    }

    /** The chain IDs of a layer stack: the first diff ID, then sha256(previous chain ID + " " + diff ID). */
    static List<String> chainIds(List<String> diffIds) {
        List<String> out = new ArrayList<>();
        String previous = null;
        for (String diff : diffIds) {
            String chain = previous == null ? diff : "sha256:" + sha256(previous + " " + diff);
            out.add(chain);
            previous = chain;
        }
        return out;
    }

    /**
     * The index (into {@code chainIds}) of the layer whose legacy directory is {@code dirHex} and
     * whose {@code json} is {@code json}; -1 if no chain ID reproduces the directory name.
     */
    static int identify(String dirHex, byte[] json, List<String> chainIds) {
        List<Member> members = members(new String(json, StandardCharsets.UTF_8));
        if (members == null) {
            return -1;
        }
        List<Member> base = new ArrayList<>();
        for (Member m : members) {
            if (m.name.equals("id") || m.name.equals("layer_id")) {
                continue;
            }
            if (m.name.equals("parent")) {
                String value = m.value;
                if (value.length() > 2 && value.startsWith("\"") && !value.contains(":")) {
                    value = "\"sha256:" + value.substring(1);
                }
                base.add(new Member(m.name, m.rawName, value));
            } else {
                base.add(m);
            }
        }
        List<Member> withoutOs = base.stream().filter(m -> !m.name.equals("os")).toList();
        List<List<Member>> variants = withoutOs.size() == base.size() ? List.of(base) : List.of(base, withoutOs);
        for (int i = 0; i < chainIds.size(); i++) {
            for (List<Member> variant : variants) {
                List<Member> all = new ArrayList<>(variant);
                all.add(new Member("layer_id", "\"layer_id\"", "\"" + chainIds.get(i) + "\""));
                all.sort(Comparator.comparing(m -> m.name));
                StringBuilder s = new StringBuilder("{");
                for (Member m : all) {
                    if (s.length() > 1) {
                        s.append(',');
                    }
                    s.append(m.rawName).append(':').append(m.value);
                }
                s.append('}');
                if (sha256(s.toString()).equals(dirHex)) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** One member of a JSON object: its decoded name, its name as written, its value compacted. */
    record Member(String name, String rawName, String value) {
    }

    /** The members of a top-level JSON object, values kept as written (whitespace outside strings dropped). */
    static List<Member> members(String json) {
        int[] p = {skipWs(json, 0)};
        if (p[0] >= json.length() || json.charAt(p[0]) != '{') {
            return null;
        }
        p[0]++;
        List<Member> out = new ArrayList<>();
        try {
            while (true) {
                p[0] = skipWs(json, p[0]);
                char c = json.charAt(p[0]);
                if (c == '}') {
                    return out;
                }
                if (c == ',') {
                    p[0]++;
                    continue;
                }
                if (c != '"') {
                    return null;
                }
                int nameStart = p[0];
                p[0] = skipString(json, p[0]);
                String rawName = json.substring(nameStart, p[0]);
                if (rawName.indexOf('\\') >= 0) {
                    return null; // escaped member names: not produced by the engine, not worth decoding
                }
                p[0] = skipWs(json, p[0]);
                if (json.charAt(p[0]) != ':') {
                    return null;
                }
                p[0] = skipWs(json, p[0] + 1);
                int valueStart = p[0];
                p[0] = skipValue(json, p[0]);
                out.add(new Member(rawName.substring(1, rawName.length() - 1), rawName,
                        compact(json.substring(valueStart, p[0]))));
            }
        } catch (IndexOutOfBoundsException e) {
            return null;
        }
    }

    private static int skipWs(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** From an opening quote to just past the closing one. */
    private static int skipString(String s, int i) {
        i++;
        while (true) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '"') {
                return i + 1;
            } else {
                i++;
            }
        }
    }

    private static int skipValue(String s, int i) {
        char c = s.charAt(i);
        if (c == '"') {
            return skipString(s, i);
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            while (true) {
                char d = s.charAt(i);
                if (d == '"') {
                    i = skipString(s, i);
                    continue;
                }
                if (d == '{' || d == '[') {
                    depth++;
                } else if (d == '}' || d == ']') {
                    depth--;
                    if (depth == 0) {
                        return i + 1;
                    }
                }
                i++;
            }
        }
        while (i < s.length() && ",}] \t\r\n".indexOf(s.charAt(i)) < 0) {
            i++;
        }
        return i;
    }

    private static String compact(String value) {
        StringBuilder out = new StringBuilder(value.length());
        boolean inString = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\') {
                    out.append(value.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                out.append(c);
            } else if (!Character.isWhitespace(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }

    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(digest().digest(data));
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
