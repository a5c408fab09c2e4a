package io.github.e2ekit.e2e.ledger;

/** One image decided by Phase 0 and (maybe) built: the thread a reader follows from tag to teardown. */
public final class ImageEntry extends LedgerEntry {
    public String id;
    public String reference;
    public String tag;
    public String digest;
    public String git;
    /** The engine's image ID once built (or found up to date). */
    public String imageId;

    /** Set when Phase 0 decided the tag; the build sets {@link #state}. */
    public boolean built;

    public String expires;

    /** For the JSON reader. */
    public ImageEntry() {}

    /** Phase 0's decision for image {@code id} ({@code INTENDED}: before the build). */
    ImageEntry(String id, String reference, String tag, String digest, String git, String expires) {
        this.id = id;
        this.reference = reference;
        this.tag = tag;
        this.digest = digest;
        this.git = git;
        this.expires = expires;
    }
}
