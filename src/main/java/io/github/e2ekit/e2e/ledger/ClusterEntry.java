package io.github.e2ekit.e2e.ledger;

import java.util.List;

/** The kind cluster, and whether this run created it. */
public final class ClusterEntry extends LedgerEntry {
    public String name;
    public String kubeconfig;
    public String provider;
    /** The cluster's node names, as the load found them (absent in ledgers of earlier versions). */
    public List<String> nodes;

    /** A cluster starts {@code REUSED}: only one this run creates becomes {@code INTENDED}. */
    public ClusterEntry() {
        super(EntryState.REUSED);
    }
}
