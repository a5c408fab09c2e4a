package io.github.e2ekit.e2e.maven;

import java.io.File;

/** {@code <secrets><secret>}: a BuildKit build secret ({@code RUN --mount=type=secret,id=…}) from a file or an environment variable. */
public class SecretConfig {
    /** The id the Dockerfile mounts. */
    String id;
    /** A file holding the secret. */
    File file;
    /** An environment variable holding the secret. */
    String env;
}
