package io.github.e2ekit.e2e.teardown;

import io.github.e2ekit.e2e.deploy.Deletions;
import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.deploy.LabelValues;
import io.github.e2ekit.e2e.deploy.ManifestRenderer;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.ObjectEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes the Kubernetes objects this run created: each object outside its own namespace, then its namespace,
 * then cluster-scoped objects, each by UID precondition. Deletion is asynchronous on a real API server
 * (finalizers, a namespace stays Terminating until emptied), so every deletion is waited for, bounded, and
 * marked removed in the ledger only once the object is gone; one that is still there is reported with what
 * holds it and stays recorded, so a later teardown or reap tries again. Objects that existed before and were
 * only patched are never deleted; nor is a namespace this run did not create. An entry still INTENDED (its create
 * failed without a clear answer, so it may or may not exist) is deleted only when the object carries this run's
 * label, by its UID; one that is absent is marked removed, one that is someone else's is left alone.
 */
final class ObjectRemoval {
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
    private final KubeApi api;
    private final Ledger ledger;
    private final Duration wait;

    ObjectRemoval(KubeApi api, Ledger ledger) {
        this(api, ledger, DEFAULT_WAIT);
    }

    ObjectRemoval(KubeApi api, Ledger ledger, Duration wait) {
        this.api = api;
        this.ledger = ledger;
        this.wait = wait;
    }

    void run(TeardownReport report) {
        List<ObjectEntry> live = ledger.read(d ->
                d.objects.stream().filter(o -> o.state.live() && !o.patched).toList());
        List<ObjectEntry> namespaces =
                live.stream().filter(o -> "Namespace".equals(o.kind)).toList();
        List<String> ownNamespaces = namespaces.stream().map(o -> o.name).toList();
        // objects inside a namespace this run created go with it
        removeAll(
                live.stream()
                        .filter(o -> o.namespace != null && !ownNamespaces.contains(o.namespace))
                        .toList(),
                report);
        for (ObjectEntry ns : namespaces) {
            if (removeAll(List.of(ns), report)) {
                ledger.update(d -> d.objects.stream()
                        .filter(o -> ns.name.equals(o.namespace) && o.state.live())
                        .forEach(o -> o.state = EntryState.REMOVED));
            }
        }
        removeAll(
                live.stream()
                        .filter(o -> o.namespace == null && !"Namespace".equals(o.kind))
                        .toList(),
                report);
    }

    /**
     * Finds out whether an INTENDED entry's object exists and is this run's; true when it is (its UID now recorded,
     * to be deleted), false when there is nothing to delete (marked removed) or it is not ours (marked reused).
     */
    private boolean resolveIntended(Deletions deletions, ObjectEntry o, String run, TeardownReport report) {
        var live = deletions.read(o.apiVersion, o.kind, o.namespace, o.name);
        if (live == null) {
            ledger.update(d -> o.state = EntryState.REMOVED);
            return false;
        }
        var labels = live.getMetadata().getLabels();
        if (labels == null || !run.equals(labels.get(ManifestRenderer.RUN))) {
            ledger.update(d -> o.state = EntryState.REUSED);
            report.kept(o.kind + "/" + o.name + (o.namespace == null ? "" : " in " + o.namespace)
                    + " (exists, but not made by this run)");
            return false;
        }
        String uid = live.getMetadata().getUid();
        ledger.update(d -> o.uid = uid);
        return true;
    }

    /** Deletes all, then waits for each; true when all of them are gone. */
    private boolean removeAll(List<ObjectEntry> entries, TeardownReport report) {
        Deletions deletions = new Deletions(api);
        List<ObjectEntry> sent = new ArrayList<>();
        boolean allGone = true;
        String run = LabelValues.value(ledger.read(d -> d.run));
        for (ObjectEntry o : entries) {
            String what = o.kind + "/" + o.name + (o.namespace == null ? "" : " in " + o.namespace);
            try {
                if (o.uid == null && o.state == EntryState.INTENDED && !resolveIntended(deletions, o, run, report)) {
                    allGone &= o.state == EntryState.REMOVED;
                    continue;
                }
                switch (deletions.delete(o.apiVersion, o.kind, o.namespace, o.name, o.uid, "Background")) {
                    case ACCEPTED -> sent.add(o);
                    case ALREADY_GONE -> ledger.update(d -> o.state = EntryState.REMOVED);
                    case NOT_OURS -> { // the UID differs: someone else's object now carries the name
                        ledger.update(d -> o.state = EntryState.REUSED);
                        report.kept(what + " (replaced by another object since; not ours)");
                        allGone = false;
                    }
                }
            } catch (RuntimeException e) {
                report.failed(what + ": " + e.getMessage());
                allGone = false;
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (ObjectEntry o : sent) {
            String what = o.kind + "/" + o.name + (o.namespace == null ? "" : " in " + o.namespace);
            try {
                Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0));
                String stuck = deletions.awaitGone(o.apiVersion, o.kind, o.namespace, o.name, o.uid, left, wait);
                if (stuck == null) {
                    ledger.update(d -> o.state = EntryState.REMOVED);
                    report.removed(what);
                } else {
                    report.failed(stuck);
                    allGone = false;
                }
            } catch (RuntimeException e) {
                report.failed(what + ": " + e.getMessage());
                allGone = false;
            }
        }
        return allGone;
    }
}
