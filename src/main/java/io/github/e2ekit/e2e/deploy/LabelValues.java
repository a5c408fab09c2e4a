package io.github.e2ekit.e2e.deploy;

import io.github.e2ekit.e2e.work.Sha256;
import java.util.regex.Pattern;

/**
 * Makes whatever the user's names are (artifactIds, image ids) valid where the API server is strict: label
 * values and the name part of label/annotation keys are at most 63 characters of {@code [A-Za-z0-9._-]} that
 * start and end alphanumeric (apimachinery {@code pkg/util/validation/validation.go} IsValidLabelValue,
 * IsQualifiedName). A valid value is kept as it is; any other is cleaned, shortened, and given a hash of the
 * original so two different names never end up equal.
 */
public final class LabelValues {
    static final int MAX = 63;
    private static final Pattern VALID = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final int HASH = 10;

    private LabelValues() {}

    /** A valid label value for {@code raw}: itself when valid, else cleaned, at most 63, plus a hash. */
    public static String value(String raw) {
        if (raw == null) {
            return "";
        }
        return fit(raw, MAX);
    }

    /**
     * A valid key {@code prefix/namePrefix<raw>}: the name part (after the {@code /}) is at most 63; a raw part
     * that does not fit or is not valid is cleaned, shortened and hashed.
     */
    public static String key(String prefix, String namePrefix, String raw) {
        String name = namePrefix + raw;
        if (name.length() <= MAX && VALID.matcher(name).matches() && !name.isEmpty()) {
            return prefix + "/" + name;
        }
        return prefix + "/" + namePrefix + fit(raw, MAX - namePrefix.length());
    }

    private static String fit(String raw, int max) {
        if (raw.length() <= max && VALID.matcher(raw).matches()) {
            return raw;
        }
        String hash = Sha256.hex(raw).substring(0, HASH);
        String clean = raw.replaceAll("[^A-Za-z0-9._-]", "-");
        int keep = Math.max(0, max - HASH - 1);
        if (clean.length() > keep) {
            clean = clean.substring(0, keep);
        }
        clean = clean.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
        return clean.isEmpty() ? hash : clean + "-" + hash;
    }
}
