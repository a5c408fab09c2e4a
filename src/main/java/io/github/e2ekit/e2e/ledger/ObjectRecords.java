package io.github.e2ekit.e2e.ledger;

import java.util.List;

/**
 * Kubernetes objects (and the namespace) the run applies: recorded before the create, then
 * {@link Recorded#confirm created} with the UID, {@link Recorded#reused found} (patched or left as found: never
 * removed) or {@link Recorded#forget forgotten} when the API server refused it.
 */
public final class ObjectRecords {
    private final Ledger ledger;

    ObjectRecords(Ledger ledger) {
        this.ledger = ledger;
    }

    public Recorded<ObjectEntry> intend(String apiVersion, String kind, String namespace, String name) {
        ObjectEntry e = new ObjectEntry();
        e.apiVersion = apiVersion;
        e.kind = kind;
        e.namespace = namespace;
        e.name = name;
        e.state = EntryState.INTENDED;
        return ledger.add(d -> d.objects, e, d -> {});
    }

    /** Created by this run, with the UID the API server gave it. */
    public static void created(Recorded<ObjectEntry> r, String uid) {
        r.confirm(e -> e.uid = uid);
    }

    /** Existed before (this run at most patched it): never removed by this run. */
    public static void existed(Recorded<ObjectEntry> r, String uid) {
        r.reused(e -> {
            if (uid != null) {
                e.uid = uid;
            }
            e.patched = true;
        });
    }

    public List<Recorded<ObjectEntry>> live() {
        return ledger.live(d -> d.objects);
    }
}
