package io.github.e2ekit.e2e.image;

import java.nio.file.Path;

/**
 * A build secret ({@code RUN --mount=type=secret,id=<id>}): the content of {@code file}, or of the environment
 * variable {@code env}. Only the id and where it comes from are ever shown; the value never.
 */
public record BuildSecret(String id, Path file, String env) {
    public String describe() {
        return "secret '" + id + "' (" + (file != null ? "file " + file : "environment variable " + env) + ")";
    }
}
