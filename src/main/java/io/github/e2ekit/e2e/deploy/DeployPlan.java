package io.github.e2ekit.e2e.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What to deploy: stages of manifest paths, applied in order, each ready before the next. */
public record DeployPlan(String namespace, List<List<Path>> stages, Duration timeout) {
}
