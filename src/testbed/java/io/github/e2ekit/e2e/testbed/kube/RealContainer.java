package io.github.e2ekit.e2e.testbed.kube;

import java.time.Duration;
import java.time.Instant;

/** One container run by a real {@link PodRuntime}: its process history and readiness. */
final class RealContainer {
    boolean running;
    boolean finished;
    Instant startedAt;
    int restarts;
    Integer lastExit;
    Instant lastStartedAt;
    Instant lastFinishedAt;
    Instant nextStart = Instant.EPOCH;
    String startError;
    String startErrorReason;
    volatile int run;
    boolean pendingRestart;
    Duration backoff = Duration.ZERO;
    final KubeletProbes.State probe = new KubeletProbes.State();
}
