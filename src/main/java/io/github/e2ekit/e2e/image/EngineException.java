package io.github.e2ekit.e2e.image;

/** No engine answered, or the engine refused an operation. The message is meant for the user as is. */
public class EngineException extends RuntimeException {
    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
