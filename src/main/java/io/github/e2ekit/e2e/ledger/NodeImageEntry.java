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
}
