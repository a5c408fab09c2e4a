package io.github.e2ekit.e2e.image;

import java.util.Locale;

/**
 * Which builder builds an image. {@code AUTO}: BuildKit when the Dockerfile needs it ({@link DockerfileFeatures}),
 * else the engine API's classic builder. {@code CLASSIC}: the engine API always. {@code BUILDKIT}: BuildKit always.
 * On Podman every choice is Podman's own builder (buildah), which reads BuildKit's {@code RUN --mount} itself.
 */
public enum BuilderChoice {
    AUTO,
    CLASSIC,
    BUILDKIT;

    /** From the {@code builder} parameter; {@code null} for a value that is none of these. */
    public static BuilderChoice parse(String value) {
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
