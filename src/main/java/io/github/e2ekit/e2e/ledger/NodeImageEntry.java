package io.github.e2ekit.e2e.ledger;

import java.util.ArrayList;
import java.util.List;

/** A reference this run put into a node's containerd (imported or re-tagged). */
public final class NodeImageEntry extends LedgerEntry {
    public String cluster;
    public String node;
    public String reference;
    public String imageId;
    /** {@code imported} or {@code retagged}. */
    public String action;
    /** Extra references the import created beside {@link #reference} (e.g. ctr's import-date@digest). */
    public List<String> sideReferences = new ArrayList<>();

    /** For the JSON reader. */
    public NodeImageEntry() {}

    NodeImageEntry(String cluster, String node, String reference, String imageId, String action, EntryState state) {
        super(state);
        this.cluster = cluster;
        this.node = node;
        this.reference = reference;
        this.imageId = imageId;
        this.action = action;
    }
}
