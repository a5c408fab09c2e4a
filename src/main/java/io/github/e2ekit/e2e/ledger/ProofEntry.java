package io.github.e2ekit.e2e.ledger;

/**
 * One container's freshness proof: what its kubelet reported, what that resolved to, and the verdict. A fact of
 * the run (nothing to remove), kept for the run report.
 */
public final class ProofEntry {
    /** The configured image id ({@code datastorage}). */
    public String image;

    public String reference;
    public String namespace;
    public String pod;
    public String container;
    public String node;
    /** The container status's {@code imageID}, as the kubelet reported it. */
    public String reported;
    /** The image ID the reported digest resolved to (on the node, or directly when it is the image ID). */
    public String resolved;
    /** The image ID this run built (or found up to date). */
    public String expected;
    /** {@link #FRESH} or {@link #STALE}. */
    public String verdict;
    /** How the verdict was reached: {@code image ID}, {@code pushed digest}, {@code resolved on node}, or why not. */
    public String how;

    public static final String FRESH = "fresh";
    public static final String STALE = "stale";
}
