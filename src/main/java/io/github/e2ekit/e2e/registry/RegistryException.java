package io.github.e2ekit.e2e.registry;

/** Pushing to the registry failed or its settings are wrong; the message is one line and names no secret. */
public class RegistryException extends RuntimeException {
    public RegistryException(String message) {
        super(message);
    }
}
