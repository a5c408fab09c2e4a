package io.github.e2ekit.e2e.image;

/** The image under the decided tag is not the one this run built from these sources. */
public class StaleImageException extends RuntimeException {
    public StaleImageException(String message) {
        super(message);
    }
}
