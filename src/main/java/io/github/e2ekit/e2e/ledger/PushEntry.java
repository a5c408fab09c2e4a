package io.github.e2ekit.e2e.ledger;

/**
 * An image this run pushed to a registry ({@code load.mode=registry}). {@link #state} is that of the
 * local tag the push needed ({@code <registry>/<name>:<tag>}), which teardown removes; the pushed
 * manifest stays in the registry, whose own retention removes it.
 */
public final class PushEntry extends LedgerEntry {
    /** The image id of the configuration ({@code datastorage}). */
    public String id;

    public String registry;
    /** {@code <registry>/<name>:<tag>}. */
    public String reference;
    /** The engine's image ID that was pushed. */
    public String imageId;
    /** The manifest digest the registry answered; set once the push succeeded. */
    public String digest;

    /** For the JSON reader. */
    public PushEntry() {}

    PushEntry(String id, String registry, String reference, String imageId, EntryState state) {
        super(state);
        this.id = id;
        this.registry = registry;
        this.reference = reference;
        this.imageId = imageId;
    }

    /** What manifests get: {@code <registry>/<name>:<tag>@sha256:…}. */
    public String pinned() {
        return digest == null ? null : reference + "@" + digest;
    }
}
