package io.github.e2ekit.e2e.ledger;

import java.util.List;
import java.util.function.Function;

/** The ledger's entries of one kind: each recorded by {@link #add} (before what it names is made). */
abstract class EntryRecords<E extends LedgerEntry> {
    final Ledger ledger;
    private final Function<LedgerData, List<E>> list;

    EntryRecords(Ledger ledger, Function<LedgerData, List<E>> list) {
        this.ledger = ledger;
        this.list = list;
    }

    /** Records {@code entry} in the state it has. */
    final Recorded<E> add(E entry) {
        return ledger.add(list, entry, d -> {});
    }

    /** What teardown still has to look at. */
    public List<Recorded<E>> live() {
        return ledger.live(list);
    }
}
