package io.github.e2ekit.e2e.maven;

import java.io.File;
import java.util.Map;

/** {@code <image>} in the plugin configuration. */
public class ImageConfig {
    /** Key for properties ({@code e2e.image.<id>}) and manifests. */
    String id;
    /** Repository, without tag: the tag is decided by {@code tag}. */
    String name;
    /** Build context directory. */
    File context;
    /** Dockerfile, relative to the context or absolute; default {@code Dockerfile}. */
    String dockerfile;
    /** Optional target stage. */
    String target;
    /** Build args. */
    Map<String, String> buildArgs;

    public String getId() {
        return id;
    }
}
