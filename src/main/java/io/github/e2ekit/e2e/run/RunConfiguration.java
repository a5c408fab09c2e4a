package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.image.ImageSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What every goal of a module shares, resolved from the parameters declared once in the base mojo. The
 * failure/interrupt teardown uses exactly this (the cluster's {@code <delete>}, {@code <kindExecutable>}).
 *
 * @param images the {@code <images>}, checked only when a goal needs them (teardown and reap do not)
 * @param ttl    as written; checked by {@link #expiry()}
 * @param reuse  {@code <reuse>}: keep the environment for the next run ({@link Reuse})
 */
public record RunConfiguration(
        Path basedir,
        Path workDirectory,
        String service,
        String version,
        Images images,
        String tagTemplate,
        String dockerHost,
        String ttl,
        boolean keepOnFailure,
        ClusterSettings cluster,
        boolean reuse) {

    /** The {@code <images>}, turned into specs (or one clear error) when first needed. */
    @FunctionalInterface
    public interface Images {
        List<ImageSpec> specs() throws ConfigException;
    }

    public Path ledgerFile() {
        return workDirectory.resolve("ledger.json");
    }

    public Duration ttlDuration() throws ConfigException {
        return Durations.parse("ttl", ttl);
    }

    /** When what this run creates now may be reaped. */
    public Instant expiry() throws ConfigException {
        return Instant.now().plus(ttlDuration());
    }
}
