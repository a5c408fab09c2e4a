package io.github.e2ekit.e2e.testbed.kube;

import java.time.Duration;

/**
 * The test bed's one time scale. Every duration that Kubernetes fixes or that a manifest gives in seconds — the
 * kubelet's restart back-off (10 s doubling to 5 min), probe {@code periodSeconds}/{@code initialDelaySeconds},
 * {@code terminationGracePeriodSeconds}, the Job controller's pod failure back-off (10 s doubling to 10 min),
 * {@code progressDeadlineSeconds} — is multiplied by {@link #factor()} before the simulated control plane and
 * kubelet wait for it. Only durations are scaled: the order of events is the real one (a crash is followed by
 * its restart, a Job's next attempt by its back-off), never reordered.
 *
 * <p>The factor comes from the system property {@code e2e.testbed.timeScale} of the JVM running the test bed
 * (default {@value #DEFAULT}: ten times faster than a real cluster, so a crash loop shows its second restart
 * after 1 s instead of 10 s). {@code -De2e.testbed.timeScale=1} gives real-time behaviour. The plugin is never
 * told: it must judge what it sees as it would on a real cluster.
 */
public final class TestBedTime {
    /** The default factor. */
    public static final double DEFAULT = 0.1;

    private static final double FACTOR = parse(System.getProperty("e2e.testbed.timeScale"));

    private TestBedTime() {}

    /** The factor every Kubernetes duration is multiplied by in this test bed. */
    public static double factor() {
        return FACTOR;
    }

    /** {@code real} as the test bed waits it. */
    public static Duration scaled(Duration real) {
        return Duration.ofNanos((long) (real.toNanos() * FACTOR));
    }

    /** {@code seconds} (as a manifest or Kubernetes states them) as the test bed waits them. */
    public static Duration seconds(double seconds) {
        return Duration.ofNanos((long) (seconds * 1_000_000_000L * FACTOR));
    }

    static double parse(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT;
        }
        double f = Double.parseDouble(value.trim());
        if (!(f > 0) || f > 10) {
            throw new IllegalArgumentException("e2e.testbed.timeScale must be in (0, 10], was " + value);
        }
        return f;
    }
}
