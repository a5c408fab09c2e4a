package io.github.e2ekit.e2e.ledger;

/** A Kubernetes object this run applied (or the namespace it created). */
public final class ObjectEntry implements LedgerEntry {
    public String apiVersion;
    public String kind;
    public String namespace;
    public String name;
    public String uid;
    /** True when the object existed before and this run only patched it. */
    public boolean patched;

    public EntryState state = EntryState.INTENDED;

    @Override
    public EntryState state() {
        return state;
    }

    @Override
    public void state(EntryState state) {
        this.state = state;
    }
}
