package io.github.e2ekit.e2e.work;

/** The thread was interrupted while it waited for shared work; its interrupt flag is set again. */
public final class WorkInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WorkInterruptedException(String message, InterruptedException cause) {
        super(message, cause);
    }
}
