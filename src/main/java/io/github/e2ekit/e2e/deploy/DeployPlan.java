package io.github.e2ekit.e2e.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What to deploy: stages of manifest paths, applied in order, each ready before the next, within {@code timeout};
 * {@code heal} bounds how long states that may heal ({@code CrashLoopBackOff}, {@code CreateContainerConfigError})
 * are waited out.
 */
public record DeployPlan(String namespace, List<List<Path>> stages, Duration timeout, HealPolicy heal) {
    public DeployPlan(String namespace, List<List<Path>> stages, Duration timeout) {
        this(namespace, stages, timeout, HealPolicy.DEFAULT);
    }
}
