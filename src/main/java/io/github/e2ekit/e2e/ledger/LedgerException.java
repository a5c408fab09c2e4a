package io.github.e2ekit.e2e.ledger;

/** The ledger cannot be read or is inconsistent. */
public class LedgerException extends RuntimeException {
    public LedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
