package io.github.e2ekit.e2e.ledger;

/**
 * An entry whose life the ledger follows ({@link EntryState}). The accessors are not bean getters on purpose:
 * the JSON document holds the public field {@code state} only.
 */
public interface LedgerEntry {
    EntryState state();

    void state(EntryState state);
}
