package io.github.e2ekit.e2e.deploy;

import java.time.Duration;

/**
 * How long a pod may stay in a state that can heal by itself before the deploy fails on it:
 * {@code CrashLoopBackOff} (an app that exits while a dependency in the same stage is still starting) fails once
 * its container restarted {@code restarts} times and crashed again, or after {@code grace}, whichever comes first;
 * {@code CreateContainerConfigError} (a ConfigMap or Secret not there yet) fails after {@code grace}. The
 * defaults fail a real crash loop after its second restart — about 10 s on a real kubelet, whose restart
 * back-off is 10 s, 20 s, 40 s … — and a missing ConfigMap after 15 s.
 */
public record HealPolicy(Duration grace, int restarts) {
    public static final HealPolicy DEFAULT = new HealPolicy(Duration.ofSeconds(15), 2);

    public HealPolicy {
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("grace must be zero or positive");
        }
        if (restarts < 0) {
            throw new IllegalArgumentException("restarts must be zero or positive");
        }
    }
}
