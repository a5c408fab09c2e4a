package io.github.e2ekit.e2e.ledger;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One entry recorded in the ledger before its action, and the named transitions that follow the action: each
 * writes the ledger atomically before returning, so a crash at any point leaves a ledger teardown can trust.
 * <ul>
 * <li>{@link #confirm} — the action created it: this run's to remove ({@link EntryState#CREATED});</li>
 * <li>{@link #reused} — it existed already: never this run's to remove ({@link EntryState#REUSED});</li>
 * <li>{@link #removed} — teardown removed it ({@link EntryState#REMOVED});</li>
 * <li>{@link #forget} — the action was refused and nothing exists: the entry goes.</li>
 * </ul>
 */
public final class Recorded<E extends LedgerEntry> {
    private final Ledger ledger;
    private final E entry;
    private final Function<LedgerData, List<E>> list;

    Recorded(Ledger ledger, E entry, Function<LedgerData, List<E>> list) {
        this.ledger = ledger;
        this.entry = entry;
        this.list = list;
    }

    /** A value of the entry, read under the ledger's lock. */
    public <T> T read(Function<E, T> reader) {
        return ledger.read(d -> reader.apply(entry));
    }

    public Recorded<E> confirm() {
        return to(EntryState.CREATED, e -> {});
    }

    /** Created, with what the action answered (a UID, the names an import added, …). */
    public Recorded<E> confirm(Consumer<E> details) {
        return to(EntryState.CREATED, details);
    }

    public Recorded<E> reused() {
        return to(EntryState.REUSED, e -> {});
    }

    /** Existed already, with what was found (its UID, …). */
    public Recorded<E> reused(Consumer<E> details) {
        return to(EntryState.REUSED, details);
    }

    public Recorded<E> removed() {
        return to(EntryState.REMOVED, e -> {});
    }

    /** A detail learnt later, without a change of state (e.g. the digest a registry answered to a push). */
    public Recorded<E> note(Consumer<E> details) {
        ledger.update(d -> details.accept(entry));
        return this;
    }

    /** The action was refused and created nothing: the entry is dropped. */
    public void forget() {
        if (list == null) {
            throw new IllegalStateException("this entry cannot be forgotten");
        }
        ledger.update(d -> list.apply(d).remove(entry));
    }

    private Recorded<E> to(EntryState state, Consumer<E> details) {
        ledger.update(d -> {
            details.accept(entry);
            entry.state(state);
        });
        return this;
    }
}
