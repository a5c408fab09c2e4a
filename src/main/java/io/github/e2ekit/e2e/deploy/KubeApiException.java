package io.github.e2ekit.e2e.deploy;

/**
 * A call to the API server that failed after {@link KubeRetry}'s retries, or was refused: the message is one line
 * naming the verb, the object, the server and its answer; {@link #code()} is the HTTP status (0: no answer).
 */
public final class KubeApiException extends DeployException {
    private final int code;

    KubeApiException(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
