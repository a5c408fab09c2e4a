package io.github.e2ekit.e2e.registry;

import io.github.e2ekit.e2e.image.RegistryAuth;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Credentials for one registry and where they came from. {@link #toString} and {@link #describe} name
 * the user and the source, never the password or token.
 */
public final class RegistryCredentials {
    private final String username;
    private final String password;
    private final String identityToken;
    private final String source;

    private RegistryCredentials(String username, String password, String identityToken, String source) {
        this.username = username;
        this.password = password;
        this.identityToken = identityToken;
        this.source = source;
    }

    public static RegistryCredentials anonymous() {
        return anonymous("no credentials");
    }

    /** No credentials, with why (e.g. they live in a credential store the plugin does not run). */
    public static RegistryCredentials anonymous(String description) {
        return new RegistryCredentials(null, null, null, description);
    }

    public static RegistryCredentials password(String username, String password, String source) {
        return new RegistryCredentials(username, password, null, source);
    }

    public static RegistryCredentials identityToken(String token, String source) {
        return new RegistryCredentials(null, null, token, source);
    }

    public boolean isAnonymous() {
        return username == null && identityToken == null;
    }

    /** For messages: {@code user 'alice' from settings.xml server '127.0.0.1:5000'}. */
    public String describe() {
        if (isAnonymous()) {
            return source;
        }
        return (username != null ? "user '" + username + "'" : "an identity token") + " from " + source;
    }

    /**
     * Removes every secret this holds from a text (engine messages should never echo one; this makes sure):
     * as given, JSON-escaped, and inside base64 ({@code user:password}, and the JSON of the auth header).
     */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String secret : new String[] {password, identityToken}) {
            if (secret == null || secret.length() < 3) {
                continue;
            }
            String escaped = secret.replace("\\", "\\\\").replace("\"", "\\\"");
            out = out.replace(secret, "****").replace(escaped, "****");
            for (String wrapped : new String[] {
                username + ":" + secret, "\"password\":\"" + escaped + "\"", "\"identitytoken\":\"" + escaped + "\""
            }) {
                out = maskBase64(out, wrapped);
            }
        }
        return out;
    }

    /** Masks the base64 runs (standard or URL alphabet) that would decode to text containing {@code secret}. */
    private static String maskBase64(String text, String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        String out = text;
        // in a longer base64 text, the secret's bytes start at one of three alignments
        for (int shift = 0; shift < 3; shift++) {
            byte[] padded = new byte[shift + bytes.length];
            System.arraycopy(bytes, 0, padded, shift, bytes.length);
            String b64 = Base64.getEncoder().withoutPadding().encodeToString(padded);
            // drop the characters touched by the unknown bytes before it and after it
            int from = shift == 0 ? 0 : (shift * 8 + 5) / 6;
            int to = b64.length() - 2;
            if (to - from < 4) {
                continue;
            }
            String core = b64.substring(from, to);
            out = out.replace(core, "****").replace(core.replace('+', '-').replace('/', '_'), "****");
        }
        return out;
    }

    /** The engine's form; {@code null} when anonymous. */
    RegistryAuth toAuth(String host) {
        if (isAnonymous()) {
            return null;
        }
        if (identityToken != null) {
            return RegistryAuth.identityToken(host, identityToken);
        }
        return RegistryAuth.password(host, username, password);
    }

    @Override
    public String toString() {
        return "RegistryCredentials[" + describe() + "]";
    }
}
