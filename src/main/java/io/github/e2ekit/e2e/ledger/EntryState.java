package io.github.e2ekit.e2e.ledger;

/** Life of a ledger entry: recorded before the action, confirmed after, marked when removed. */
public enum EntryState {
    /** About to be created; may or may not exist. */
    INTENDED,
    /** Created by this run. */
    CREATED,
    /** Existed already (e.g. an up-to-date image); not this run's to remove. */
    REUSED,
    /** Removed by teardown. */
    REMOVED;

    /** Whether teardown still has to look at it. */
    public boolean live() {
        return this == INTENDED || this == CREATED;
    }
}
