package io.github.e2ekit.e2e.image;

import java.time.Duration;

/** How to build: {@code force} rebuilds an up-to-date image, {@code noCache} also bypasses the build cache. */
public record BuildOptions(boolean noCache, boolean pull, boolean force, Duration timeout, boolean retryWithoutCache) {
    public static BuildOptions defaults() {
        return new BuildOptions(false, false, false, Duration.ofMinutes(15), true);
    }
}
