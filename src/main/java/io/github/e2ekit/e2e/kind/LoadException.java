package io.github.e2ekit.e2e.kind;

/** Loading an image into the cluster failed; the message names the image, the node and what was found. */
public class LoadException extends RuntimeException {
    public LoadException(String message) {
        super(message);
    }

    public LoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
