package io.github.e2ekit.e2e.ledger;

/**
 * An entry whose life the ledger follows ({@link EntryState}). The accessors are not bean getters on purpose:
 * the JSON document holds the public field {@code state} only.
 */
public abstract class LedgerEntry {
    public EntryState state;

    /** A new entry starts {@code INTENDED}: recorded before the thing it names is made. */
    protected LedgerEntry() {
        this(EntryState.INTENDED);
    }

    protected LedgerEntry(EntryState initial) {
        this.state = initial;
    }

    public EntryState state() {
        return state;
    }

    public void state(EntryState state) {
        this.state = state;
    }
}
