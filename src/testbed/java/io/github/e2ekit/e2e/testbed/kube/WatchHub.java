package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * Every change to the fake API server's store, in the order it happened, with the resource version it
 * happened at: what an API server's watch cache holds (kubernetes
 * {@code staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go}). Watches replay the retained history
 * after a given resource version and then follow new changes; a resource version older than the history answers
 * {@code 410 Expired} as the watch cache does ({@code getAllEventsSinceLocked}: "too old resource version").
 *
 * <p>Thread-safe. The dispatcher publishes under its own lock, so changes arrive in resource-version order.
 */
final class WatchHub {
    /** How many changes are kept for watches that start from an older resource version. */
    static final int HISTORY = 2000;

    /**
     * One stored change; {@code before} is null for a creation, {@code after} null for a deletion. Kept as the
     * stored JSON text (parsed on use) so that the history stays small.
     */
    record Change(long resourceVersion, String beforeJson, String afterJson) {
        JsonNode before() {
            return beforeJson == null ? null : Json.parse(beforeJson);
        }

        JsonNode after() {
            return afterJson == null ? null : Json.parse(afterJson);
        }
    }

    /** Receives the changes that follow its subscription. */
    interface Subscriber {
        void changed(Change change);
    }

    private final Deque<Change> history = new ArrayDeque<>();
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final LongSupplier nextResourceVersion;
    private long oldestKept = 0;
    private long lastVersion = 0;

    /** {@code nextResourceVersion} hands out a fresh resource version (for deletions, which the store does not version). */
    WatchHub(LongSupplier nextResourceVersion) {
        this.nextResourceVersion = nextResourceVersion;
    }

    /** Records a change of the store; {@code before}/{@code after} are the stored JSON texts (null when absent). */
    void publish(String before, String after) {
        if (before == null && after == null) {
            return;
        }
        long rv;
        if (after != null) {
            rv = parseVersion(Json.text(Json.parse(after), "metadata", "resourceVersion"));
        } else {
            // etcd gives a deletion its own revision; the store here does not, so take the next one
            rv = nextResourceVersion.getAsLong();
        }
        Change c = new Change(rv, before, after);
        synchronized (this) {
            history.addLast(c);
            lastVersion = Math.max(lastVersion, rv);
            while (history.size() > HISTORY) {
                oldestKept = history.removeFirst().resourceVersion();
            }
            for (Subscriber s : subscribers) {
                s.changed(c);
            }
        }
    }

    /**
     * Subscribes and returns the retained changes after {@code resourceVersion}, atomically: no change is lost or
     * seen twice between the two. Returns null (and does not subscribe) when changes after that version are no
     * longer retained.
     */
    synchronized List<Change> subscribeAfter(long resourceVersion, Subscriber s) {
        if (resourceVersion < oldestKept) {
            return null;
        }
        List<Change> replay = new ArrayList<>();
        for (Change c : history) {
            if (c.resourceVersion() > resourceVersion) {
                replay.add(c);
            }
        }
        subscribers.add(s);
        return replay;
    }

    /** Subscribes to the changes from now on. */
    synchronized void subscribe(Subscriber s) {
        subscribers.add(s);
    }

    void unsubscribe(Subscriber s) {
        subscribers.remove(s);
    }

    /** The resource version of the latest change. */
    synchronized long lastVersion() {
        return lastVersion;
    }

    /** The oldest resource version a watch can still start from. */
    synchronized long oldestKept() {
        return oldestKept;
    }

    int subscriberCount() {
        return subscribers.size();
    }

    static long parseVersion(String rv) {
        if (rv == null || rv.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(rv);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid resource version \"" + rv + "\"");
        }
    }
}
