package io.github.e2ekit.e2e.testbed.kube;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Faults a test asks the kubelet for: images whose containers crash-loop, Jobs (by name or image) whose pods fail,
 * and a delay before a started container turns ready.
 */
final class KubeletFaults {
    private final Set<String> crashImages = ConcurrentHashMap.newKeySet();
    private final Set<String> failingJobs = ConcurrentHashMap.newKeySet();
    private volatile Duration readinessDelay = Duration.ZERO;

    void crashLoop(String imageRef) {
        crashImages.add(NodeImages.normalize(imageRef));
    }

    void readinessDelay(Duration d) {
        readinessDelay = d == null ? Duration.ZERO : d;
    }

    void failJobs(String jobNameOrImage) {
        failingJobs.add(jobNameOrImage);
        failingJobs.add(NodeImages.normalize(jobNameOrImage));
    }

    void clear() {
        crashImages.clear();
        failingJobs.clear();
        readinessDelay = Duration.ZERO;
    }

    /** Whether containers of this image (normalized) crash-loop. */
    boolean crashes(String normalizedImage) {
        return crashImages.contains(normalizedImage);
    }

    /** Whether pods of this Job name or this image (normalized) fail. */
    boolean fails(String jobNameOrNormalizedImage) {
        return failingJobs.contains(jobNameOrNormalizedImage);
    }

    Duration readinessDelay() {
        return readinessDelay;
    }
}
