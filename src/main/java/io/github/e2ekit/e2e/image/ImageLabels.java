package io.github.e2ekit.e2e.image;

/** Labels the plugin puts on what it creates; teardown and reap rely on them. */
public final class ImageLabels {
    public static final String SOURCE_DIGEST = "io.github.e2ekit.source-digest";
    public static final String SERVICE = "io.github.e2ekit.service";
    public static final String RUN = "io.github.e2ekit.run";
    public static final String IMAGE_ID = "io.github.e2ekit.image";
    public static final String REVISION = "org.opencontainers.image.revision";
    public static final String EXPIRES = "e2ekit.io/expires";

    private ImageLabels() {}
}
