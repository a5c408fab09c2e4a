package io.github.e2ekit.e2e.ledger;

/**
 * Kubernetes objects (and the namespace) the run applies: recorded before the create, then
 * {@link Recorded#confirm created} with the UID, {@link Recorded#reused found} (patched or left as found: never
 * removed) or {@link Recorded#forget forgotten} when the API server refused it.
 */
public final class ObjectRecords extends EntryRecords<ObjectEntry> {
    ObjectRecords(Ledger ledger) {
        super(ledger, d -> d.objects);
    }

    public Recorded<ObjectEntry> intend(String apiVersion, String kind, String namespace, String name) {
        return add(new ObjectEntry(apiVersion, kind, namespace, name));
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
}
