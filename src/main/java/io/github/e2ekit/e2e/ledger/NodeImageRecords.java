package io.github.e2ekit.e2e.ledger;

/** References put into the nodes' containerd: recorded before the import or re-tag, confirmed after. */
public final class NodeImageRecords extends EntryRecords<NodeImageEntry> {
    NodeImageRecords(Ledger ledger) {
        super(ledger, d -> d.nodeImages);
    }

    /**
     * {@code reference} is about to be put into {@code node} ({@code action}: {@code imported} or
     * {@code retagged}); confirm with the side references the import added.
     */
    public Recorded<NodeImageEntry> intend(
            String cluster, String node, String reference, String imageId, String action) {
        return add(new NodeImageEntry(cluster, node, reference, imageId, action, EntryState.INTENDED));
    }

    /**
     * {@code node} already held {@code reference} as {@code imageId}: recorded (never removed) so the run report
     * knows what every node holds.
     */
    public Recorded<NodeImageEntry> present(String cluster, String node, String reference, String imageId) {
        return add(new NodeImageEntry(cluster, node, reference, imageId, PRESENT, EntryState.REUSED));
    }

    /** The action of an entry {@link #present} recorded. */
    public static final String PRESENT = "present";
}
