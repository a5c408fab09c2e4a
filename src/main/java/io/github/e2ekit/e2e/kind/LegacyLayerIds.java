package io.github.e2ekit.e2e.kind;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
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
    private LegacyLayerIds() {}

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

    private static final JsonFactory JSON = new JsonFactory();

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
            if (m.name.equals("parent") && m.value.length() > 2 && m.value.startsWith("\"") && !m.value.contains(":")) {
                base.add(new Member(m.name, "\"sha256:" + m.value.substring(1)));
            } else {
                base.add(m);
            }
        }
        List<Member> withoutOs = base.stream().filter(m -> !m.name.equals("os")).toList();
        List<List<Member>> variants = withoutOs.size() == base.size() ? List.of(base) : List.of(base, withoutOs);
        for (int i = 0; i < chainIds.size(); i++) {
            for (List<Member> variant : variants) {
                List<Member> all = new ArrayList<>(variant);
                all.add(new Member("layer_id", "\"" + chainIds.get(i) + "\""));
                all.sort(Comparator.comparing(m -> m.name));
                if (sha256(object(all)).equals(dirHex)) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** One member of a JSON object: its name, and its value as the engine wrote it. */
    record Member(String name, String value) {}

    /**
     * The members of a top-level JSON object, each value kept exactly as written (the hash covers
     * those bytes, so re-encoding a value could change them). Jackson's parser finds the boundaries.
     */
    static List<Member> members(String json) {
        List<Member> out = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                int start = (int) p.currentTokenLocation().getCharOffset();
                p.skipChildren();
                p.finishToken(); // a scalar's text is read lazily; its end is known only once read
                int end = (int) p.currentLocation().getCharOffset();
                String value = json.substring(start, end);
                if (value.chars().anyMatch(Character::isWhitespace) && !value.startsWith("\"")) {
                    return null; // not compact as the engine writes it: cannot reproduce the hash
                }
                out.add(new Member(name, value));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The object Go would write for these members: compact, in this order, values as given. */
    private static String object(List<Member> members) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            for (Member m : members) {
                g.writeFieldName(m.name);
                g.writeRawValue(m.value);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
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
