package io.github.e2ekit.e2e.kind;

/** The cluster is missing, cannot be created, or kind is not installed; the message says how to fix it. */
public class ClusterException extends RuntimeException {
    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
