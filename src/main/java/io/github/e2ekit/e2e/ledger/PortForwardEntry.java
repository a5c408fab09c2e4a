package io.github.e2ekit.e2e.ledger;

/** A port-forward opened for an endpoint. */
public final class PortForwardEntry extends LedgerEntry {
    public String endpoint;
    public String namespace;
    public String pod;
    public int localPort;
    public int remotePort;

    /** For the JSON reader. */
    public PortForwardEntry() {}

    /** A port-forward that is open ({@code CREATED}: recorded once open, as it ends with the JVM). */
    PortForwardEntry(String endpoint, String namespace, String pod, int localPort, int remotePort) {
        super(EntryState.CREATED);
        this.endpoint = endpoint;
        this.namespace = namespace;
        this.pod = pod;
        this.localPort = localPort;
        this.remotePort = remotePort;
    }
}
