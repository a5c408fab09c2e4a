package io.github.e2ekit.e2e.kind;

import io.github.e2ekit.e2e.work.SharedWork;
import io.github.e2ekit.e2e.work.WorkKey;
import io.github.e2ekit.e2e.work.WorkWaitTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Work on one kind cluster's existence and users done one caller at a time — creating it once for parallel module
 * builds ({@code mvn -T 4}) that share it, joining and leaving its user list, deleting it — within this JVM and
 * across JVMs, through the user's {@link SharedWork} locks (a holder that dies releases it).
 */
public final class ClusterLock {
    /** How much longer than a cluster's creation may take a caller waits for the holder. */
    static final Duration MARGIN = Duration.ofMinutes(5);

    /** Without a KindCli to ask: the default creation timeout and the margin. */
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(15);

    private ClusterLock() {}

    /** Where cluster user lists live: the user's cache, as the shared-work locks. */
    public static Path defaultDirectory() {
        return SharedWork.defaultDirectory(System.getenv(), System.getProperty("user.home"));
    }

    /** How long a caller waits for another one working on the cluster: longer than a creation may take. */
    public static Duration maxWait(KindCli kind) {
        return kind == null ? DEFAULT_WAIT : kind.createTimeout().plus(MARGIN);
    }

    /**
     * Runs {@code work} on cluster {@code name} while no other caller works on it, waiting at most {@code maxWait};
     * {@code onWait} is told once who holds it when this call has to wait.
     */
    public static <T> T exclusively(
            SharedWork locks, String name, Duration maxWait, Consumer<String> onWait, Supplier<T> work) {
        WorkKey key = WorkKey.of("kind cluster '" + name + "'", List.of("kind-cluster", name));
        try {
            return locks.exclusively(key, "work on kind cluster '" + name + "'", maxWait, onWait, work);
        } catch (WorkWaitTimeoutException e) {
            throw new ClusterException(e.getMessage(), e);
        }
    }
}
