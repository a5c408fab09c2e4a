package io.github.e2ekit.e2e.work;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;

/**
 * What a piece of shared work is keyed by: the inputs that decide its result (for an image build: the engine, the
 * context digest, the Dockerfile, build args and target). Two callers with equal keys do the same work, so one waits
 * for the other. {@code description} is for people (messages, the lock file); {@code hash} names the lock file.
 */
public record WorkKey(String description, String hash) {
    public WorkKey {
        Objects.requireNonNull(description, "description");
        if (hash == null || !hash.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a work key hash is 64 lower-case hex characters: " + hash);
        }
    }

    /** A key over {@code parts} (order matters; each part length-prefixed, so no two lists collide by joining). */
    public static WorkKey of(String description, List<String> parts) {
        MessageDigest md = Sha256.digest();
        for (String part : parts) {
            byte[] b = String.valueOf(part).getBytes(StandardCharsets.UTF_8);
            md.update((part == null ? "-" : Integer.toString(b.length)).getBytes(StandardCharsets.US_ASCII));
            md.update((byte) ':');
            md.update(b);
        }
        return new WorkKey(description, Sha256.hex(md.digest()));
    }

    @Override
    public String toString() {
        return description + " [" + hash.substring(0, 12) + "]";
    }
}
