package io.github.e2ekit.e2e.ledger;

import java.util.List;

/** References put into the nodes' containerd: recorded before the import or re-tag, confirmed after. */
public final class NodeImageRecords {
    private final Ledger ledger;

    NodeImageRecords(Ledger ledger) {
        this.ledger = ledger;
    }

    /**
     * {@code reference} is about to be put into {@code node} ({@code action}: {@code imported} or
     * {@code retagged}); confirm with the side references the import added.
     */
    public Recorded<NodeImageEntry> intend(
            String cluster, String node, String reference, String imageId, String action) {
        return ledger.add(
                d -> d.nodeImages, entry(cluster, node, reference, imageId, action, EntryState.INTENDED), d -> {});
    }

    /**
     * {@code node} already held {@code reference} as {@code imageId}: recorded (never removed) so the run report
     * knows what every node holds.
     */
    public Recorded<NodeImageEntry> present(String cluster, String node, String reference, String imageId) {
        return ledger.add(
                d -> d.nodeImages, entry(cluster, node, reference, imageId, PRESENT, EntryState.REUSED), d -> {});
    }

    /** The action of an entry {@link #present} recorded. */
    public static final String PRESENT = "present";

    public List<Recorded<NodeImageEntry>> live() {
        return ledger.live(d -> d.nodeImages);
    }

    private static NodeImageEntry entry(
            String cluster, String node, String reference, String imageId, String action, EntryState state) {
        NodeImageEntry e = new NodeImageEntry();
        e.cluster = cluster;
        e.node = node;
        e.reference = reference;
        e.imageId = imageId;
        e.action = action;
        e.state = state;
        return e;
    }
}
