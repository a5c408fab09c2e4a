package io.github.e2ekit.e2e.ledger;

/** A port-forward opened for an endpoint. */
public final class PortForwardEntry extends LedgerEntry {
    public String endpoint;
    public String namespace;
    public String pod;
    public int localPort;
    public int remotePort;
}
