package io.github.e2ekit.e2e.ledger;

import java.util.Optional;

/** The images of the run: decided by Phase 0 before anything is built, then built or found up to date. */
public final class ImageRecords extends EntryRecords<ImageEntry> {
    ImageRecords(Ledger ledger) {
        super(ledger, d -> d.images);
    }

    /** Phase 0 decided {@code id}'s tag: recorded before the build, replacing an earlier decision for {@code id}. */
    public Recorded<ImageEntry> intend(
            String id, String reference, String tag, String digest, String git, String expires) {
        return ledger.add(
                d -> d.images,
                new ImageEntry(id, reference, tag, digest, git, expires),
                d -> d.images.removeIf(x -> id.equals(x.id)));
    }

    /** The build made {@code imageId} for {@code id}: this run's to remove. */
    public void built(String id, String imageId) {
        find(id).ifPresent(r -> r.confirm(e -> {
            e.imageId = imageId;
            e.built = true;
        }));
    }

    /** {@code id} was up to date ({@code imageId} existed already): never this run's to remove. */
    public void upToDate(String id, String imageId) {
        find(id).ifPresent(r -> r.reused(e -> {
            e.imageId = imageId;
            e.built = false;
        }));
    }

    public Optional<Recorded<ImageEntry>> find(String id) {
        return ledger.find(d -> d.images, e -> id.equals(e.id));
    }
}
