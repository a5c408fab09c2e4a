package io.github.e2ekit.e2e.ledger;

/** A port-forward opened for an endpoint. */
public final class PortForwardEntry implements LedgerEntry {
    public String endpoint;
    public String namespace;
    public String pod;
    public int localPort;
    public int remotePort;
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
