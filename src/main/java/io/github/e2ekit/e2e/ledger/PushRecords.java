package io.github.e2ekit.e2e.ledger;

/**
 * Pushes to a registry: the local tag a push needs is recorded before it is made and confirmed after; a name
 * that already pointed at the image is recorded as {@link EntryState#REUSED} (never removed); the digest the
 * registry answered is {@link #pushed noted} once the push succeeded.
 */
public final class PushRecords extends EntryRecords<PushEntry> {
    PushRecords(Ledger ledger) {
        super(ledger, d -> d.pushes);
    }

    /** The local tag {@code reference} is about to be made for the push; confirm once tagged. */
    public Recorded<PushEntry> intend(String id, String registry, String reference, String imageId) {
        return add(new PushEntry(id, registry, reference, imageId, EntryState.INTENDED));
    }

    /** {@code reference} already named the image: pushed as it is, never removed. */
    public Recorded<PushEntry> reuse(String id, String registry, String reference, String imageId) {
        return add(new PushEntry(id, registry, reference, imageId, EntryState.REUSED));
    }

    /** The registry took the push and answered {@code digest}. */
    public static void pushed(Recorded<PushEntry> r, String digest) {
        r.note(e -> e.digest = digest);
    }
}
