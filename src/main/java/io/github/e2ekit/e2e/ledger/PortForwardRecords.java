package io.github.e2ekit.e2e.ledger;

/** Port-forwards (in this JVM: recorded once open, as they end with it). */
public final class PortForwardRecords extends EntryRecords<PortForwardEntry> {
    PortForwardRecords(Ledger ledger) {
        super(ledger, d -> d.portForwards);
    }

    public Recorded<PortForwardEntry> opened(
            String endpoint, String namespace, String pod, int localPort, int remotePort) {
        return add(new PortForwardEntry(endpoint, namespace, pod, localPort, remotePort));
    }
}
