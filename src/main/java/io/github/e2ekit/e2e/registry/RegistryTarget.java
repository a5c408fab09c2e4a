package io.github.e2ekit.e2e.registry;

import io.github.e2ekit.e2e.image.ImageReference;

/**
 * Where {@code load.mode=registry} pushes: a registry host ({@code registry.example.com},
 * {@code 127.0.0.1:5000}) and an optional repository prefix ({@code ghcr.io/team}). An image
 * {@code datastorage:ds-1a2b} goes to {@code <host>[/<prefix>]/datastorage:ds-1a2b}; a registry host the
 * local name already carries ({@code localhost/} on Podman) is replaced.
 */
public record RegistryTarget(String host, String prefix) {

    /** Parses the {@code <registry>} parameter; a missing scheme, trailing slashes and case of the host are forgiven. */
    public static RegistryTarget parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("is empty: give the registry host, e.g. registry.example.com:5000");
        }
        String s = text.trim().replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "").replaceAll("/+$", "");
        int slash = s.indexOf('/');
        String host = slash < 0 ? s : s.substring(0, slash);
        String prefix = slash < 0 ? null : s.substring(slash + 1);
        if (!host.contains(".") && !host.contains(":") && !host.equals("localhost")) {
            throw new IllegalArgumentException("'" + text.trim() + "' does not start with a registry host (a name with"
                    + " a dot or a port, or localhost), e.g. registry.example.com or 127.0.0.1:5000");
        }
        try {
            ImageReference.parse(host + "/" + (prefix == null ? "" : prefix + "/") + "probe:t");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text.trim() + "' is not a valid registry: " + e.getMessage());
        }
        return new RegistryTarget(host, prefix);
    }

    /** The reference a local image is pushed as. */
    public ImageReference referenceFor(ImageReference local) {
        return ImageReference.of(host + "/" + (prefix == null ? "" : prefix + "/") + local.path(), local.tag());
    }

    @Override
    public String toString() {
        return prefix == null ? host : host + "/" + prefix;
    }
}
