package io.github.e2ekit.e2e.ledger;

/** The kind cluster, and whether this run created it. */
public final class ClusterEntry {
    public String name;
    public String kubeconfig;
    public String provider;
    public EntryState state = EntryState.REUSED;
}
