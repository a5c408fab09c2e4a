package io.github.e2ekit.e2e.ledger;

import java.util.List;

/** Port-forwards (in this JVM: recorded once open, as they end with it). */
public final class PortForwardRecords {
    private final Ledger ledger;

    PortForwardRecords(Ledger ledger) {
        this.ledger = ledger;
    }

    public Recorded<PortForwardEntry> opened(
            String endpoint, String namespace, String pod, int localPort, int remotePort) {
        PortForwardEntry e = new PortForwardEntry();
        e.endpoint = endpoint;
        e.namespace = namespace;
        e.pod = pod;
        e.localPort = localPort;
        e.remotePort = remotePort;
        e.state = EntryState.CREATED;
        return ledger.add(d -> d.portForwards, e, d -> {});
    }

    public List<Recorded<PortForwardEntry>> live() {
        return ledger.live(d -> d.portForwards);
    }
}
