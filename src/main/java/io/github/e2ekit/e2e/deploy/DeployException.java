package io.github.e2ekit.e2e.deploy;

/** Deploying failed; the message names the object or file, the reason and where diagnostics went. */
public class DeployException extends RuntimeException {
    private final String parameter;

    public DeployException(String message) {
        this(null, message);
    }

    /** A failure caused by configuration; {@code parameter} names the POM element to fix. */
    public DeployException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    public DeployException(String message, Throwable cause) {
        super(message, cause);
        this.parameter = null;
    }

    public String parameter() {
        return parameter;
    }
}
