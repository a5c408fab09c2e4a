package io.github.e2ekit.e2e.deploy;

/**
 * A call to the API server that failed after {@link KubeRetry}'s retries, or was refused: the message is one line
 * naming the verb, the object, the server and its answer; {@link #code()} is the HTTP status (0: no answer).
 */
public final class KubeApiException extends DeployException {
    private final int code;
    private boolean unsent;

    KubeApiException(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Whether the request is known not to have reached the server (no connection could be made). */
    public boolean unsent() {
        return unsent;
    }

    KubeApiException unsentIf(boolean neverConnected) {
        this.unsent = neverConnected;
        return this;
    }

    /** Whether the server may have done what was asked: it answered 429/5xx or its answer was lost. */
    public boolean mayHaveBeenDone() {
        return !unsent && KubeApi.transientCode(code);
    }
}
