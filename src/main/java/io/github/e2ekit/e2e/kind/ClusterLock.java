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
    /** Longer than a cluster's creation may take (kind waits 5 minutes for the control plane by default). */
    static final Duration MAX_WAIT = Duration.ofMinutes(15);

    private ClusterLock() {}

    /** Where cluster user lists live: the user's cache, as the shared-work locks. */
    public static Path defaultDirectory() {
        return SharedWork.defaultDirectory(System.getenv(), System.getProperty("user.home"));
    }

    /**
     * Runs {@code work} on cluster {@code name} while no other caller works on it; {@code onWait} is told once who
     * holds it when this call has to wait.
     */
    public static <T> T exclusively(SharedWork locks, String name, Consumer<String> onWait, Supplier<T> work) {
        WorkKey key = WorkKey.of("kind cluster '" + name + "'", List.of("kind-cluster", name));
        try {
            return locks.exclusively(key, "work on kind cluster '" + name + "'", MAX_WAIT, onWait, work);
        } catch (WorkWaitTimeoutException e) {
            throw new ClusterException(e.getMessage(), e);
        }
    }
}
