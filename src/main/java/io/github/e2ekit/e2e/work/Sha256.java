package io.github.e2ekit.e2e.work;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, which every Java runtime has (Java SE requires it), in the forms the plugin's keys and hashes use. */
public final class Sha256 {
    private Sha256() {}

    /** A new digest to feed in parts. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-256", e);
        }
    }

    /** The 64 lower-case hex characters of the SHA-256 of {@code text}'s UTF-8 bytes. */
    public static String hex(String text) {
        return hex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Lower-case hex of a digest's bytes. */
    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
