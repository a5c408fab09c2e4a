package io.github.e2ekit.e2e.image;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An image reference {@code repository:tag}, validated with Docker's grammar, with the
 * name normalisation both engines apply ({@code busybox} is {@code docker.io/library/busybox}).
 */
public record ImageReference(String repository, String tag) {
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    /** A valid {@code repository} with a valid {@code tag}, or none ({@code null}); see {@link #parse} and {@link #of}. */
    public ImageReference {
        validateRepository(repository, repository);
        if (tag != null && !isValidTag(tag)) {
            throw new IllegalArgumentException("'" + tag + "' is not a valid tag");
        }
    }

    /** Parses {@code repository[:tag]}; a missing tag stays {@code null}. Digests are not accepted here. */
    public static ImageReference parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty image reference");
        }
        String s = text.trim();
        if (s.contains("@")) {
            throw new IllegalArgumentException("'" + s + "' carries a digest; give a repository (and tag) only");
        }
        int slash = s.lastIndexOf('/');
        int colon = s.lastIndexOf(':');
        String repo = s;
        String tag = null;
        if (colon > slash) {
            repo = s.substring(0, colon);
            tag = s.substring(colon + 1);
        }
        validateRepository(repo, s);
        if (tag != null && !isValidTag(tag)) {
            throw new IllegalArgumentException("'" + tag + "' in '" + s + "' is not a valid tag"
                    + " (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')");
        }
        return new ImageReference(repo, tag);
    }

    public static ImageReference of(String repository, String tag) {
        validateRepository(repository, repository);
        if (!isValidTag(tag)) {
            throw new IllegalArgumentException("'" + tag + "' is not a valid tag");
        }
        return new ImageReference(repository, tag);
    }

    public static boolean isValidTag(String tag) {
        return tag != null && TAG.matcher(tag).matches();
    }

    private static void validateRepository(String repo, String whole) {
        if (repo.isEmpty() || repo.length() > 255) {
            throw new IllegalArgumentException("'" + whole + "' has no valid repository name");
        }
        String[] parts = repo.split("/", -1);
        int first = 0;
        if (parts.length > 1 && looksLikeDomain(parts[0])) {
            if (!DOMAIN.matcher(parts[0]).matches()) {
                throw new IllegalArgumentException(
                        "'" + parts[0] + "' in '" + whole + "' is not a valid registry host");
            }
            first = 1;
        }
        for (int i = first; i < parts.length; i++) {
            if (!COMPONENT.matcher(parts[i]).matches()) {
                throw new IllegalArgumentException("'" + whole + "' is not a valid image name: '" + parts[i]
                        + "' must be lower-case letters and digits, separated by '.', '_', '__' or '-'");
            }
        }
    }

    private static boolean looksLikeDomain(String first) {
        return first.contains(".")
                || first.contains(":")
                || first.equals("localhost")
                || !first.equals(first.toLowerCase(Locale.ROOT));
    }

    /** The registry host this reference names, or {@code null} for Docker Hub's implicit one. */
    public String registryHost() {
        int slash = repository.indexOf('/');
        return slash > 0 && looksLikeDomain(repository.substring(0, slash)) ? repository.substring(0, slash) : null;
    }

    /** The repository without its registry host: {@code localhost/e2e/app} is {@code e2e/app}. */
    public String path() {
        String host = registryHost();
        return host == null ? repository : repository.substring(host.length() + 1);
    }

    public ImageReference withTag(String newTag) {
        return of(repository, newTag);
    }

    /** Repository with Docker's defaults made explicit: {@code docker.io/library/busybox}. */
    public String normalizedRepository() {
        return normalizeRepository(repository);
    }

    public static String normalizeRepository(String repository) {
        int slash = repository.indexOf('/');
        if (slash < 0) {
            return "docker.io/library/" + repository;
        }
        String first = repository.substring(0, slash);
        if (looksLikeDomain(first)) {
            return first.equals("index.docker.io") ? "docker.io" + repository.substring(slash) : repository;
        }
        return "docker.io/" + repository;
    }

    /** The fully qualified form containerd uses: {@code docker.io/library/busybox:1.36}. */
    public String normalized() {
        return normalizedRepository() + ":" + (tag == null ? "latest" : tag);
    }

    /** Whether two repository names denote the same repository once defaults are applied. */
    public static boolean sameRepository(String a, String b) {
        return normalizeRepository(a).equals(normalizeRepository(b));
    }

    @Override
    public String toString() {
        return tag == null ? repository : repository + ":" + tag;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageReference other
                && normalizedRepository().equals(other.normalizedRepository())
                && Objects.equals(tag, other.tag);
    }

    @Override
    public int hashCode() {
        return Objects.hash(normalizedRepository(), tag);
    }
}
