package io.github.e2ekit.e2e.image;

import java.time.Duration;
import java.util.List;

/**
 * How to build: {@code force} rebuilds an up-to-date image, {@code noCache} also bypasses the build cache;
 * {@code builder} chooses the builder, {@code secrets} are offered to BuildKit, {@code network} is BuildKit's
 * network for {@code RUN} ({@code null}: the engine's default, or {@code host} when the engine has no bridge
 * network), {@code dockerCli} the docker CLI that drives BuildKit ({@code null}: found on the PATH).
 */
public record BuildOptions(
        boolean noCache,
        boolean pull,
        boolean force,
        Duration timeout,
        boolean retryWithoutCache,
        BuilderChoice builder,
        List<BuildSecret> secrets,
        String network,
        String dockerCli) {
    public BuildOptions {
        builder = builder == null ? BuilderChoice.AUTO : builder;
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
    }

    public BuildOptions(boolean noCache, boolean pull, boolean force, Duration timeout, boolean retryWithoutCache) {
        this(noCache, pull, force, timeout, retryWithoutCache, BuilderChoice.AUTO, List.of(), null, null);
    }

    public static BuildOptions defaults() {
        return new BuildOptions(false, false, false, Duration.ofMinutes(15), true);
    }

    public BuildOptions withBuilder(
            BuilderChoice choice, List<BuildSecret> buildSecrets, String buildNetwork, String cli) {
        return new BuildOptions(
                noCache, pull, force, timeout, retryWithoutCache, choice, buildSecrets, buildNetwork, cli);
    }
}
