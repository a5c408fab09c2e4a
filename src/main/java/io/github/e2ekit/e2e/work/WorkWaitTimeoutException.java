package io.github.e2ekit.e2e.work;

/** The wait for shared work that someone else holds took longer than the caller allows. */
public final class WorkWaitTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WorkWaitTimeoutException(String message) {
        super(message);
    }
}
