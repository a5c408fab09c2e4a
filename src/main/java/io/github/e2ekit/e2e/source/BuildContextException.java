package io.github.e2ekit.e2e.source;

import java.io.IOException;

/**
 * A build context cannot be read: the context directory or the Dockerfile is missing, a file cannot be read,
 * a file changed while it was being read, or the ignore file has a malformed pattern.
 */
public class BuildContextException extends IOException {
    private static final long serialVersionUID = 1L;

    public BuildContextException(String message) {
        super(message);
    }

    public BuildContextException(String message, Throwable cause) {
        super(message, cause);
    }
}
