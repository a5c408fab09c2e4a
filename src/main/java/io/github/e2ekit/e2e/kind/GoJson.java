package io.github.e2ekit.e2e.kind;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON written the way Go's {@code encoding/json} writes it, so digests of what containerd writes match. */
final class GoJson {
    private GoJson() {}

    /**
     * Compact JSON in the given member order, escaping {@code <}, {@code >} and {@code &} as Go's
     * encoder does, so the bytes (and so the digests) equal what containerd writes itself.
     */
    static byte[] write(Object value) {
        try {
            return GO_JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final ObjectMapper GO_JSON =
            new ObjectMapper(new JsonFactory().setCharacterEscapes(new GoEscapes()));

    /** Go's encoding/json escapes HTML-significant characters. */
    private static final class GoEscapes extends CharacterEscapes {
        private final int[] table;

        GoEscapes() {
            table = standardAsciiEscapesForJSON();
            table['<'] = ESCAPE_CUSTOM;
            table['>'] = ESCAPE_CUSTOM;
            table['&'] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return table;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return new SerializedString(String.format("\\u%04x", ch));
        }
    }
}
