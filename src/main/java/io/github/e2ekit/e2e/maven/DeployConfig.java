package io.github.e2ekit.e2e.maven;

import java.util.List;
import java.util.Map;

/**
 * {@code <deploy>}: stages applied in order, each ready before the next, within {@code timeout}.
 * <ul>
 * <li>{@code <stages>}: a list of {@code <stage>}, see below (required);</li>
 * <li>{@code <timeout>}: for all stages together, e.g. {@code 90s}, {@code 5m} (default {@code 5m}).</li>
 * <li>{@code <healRestarts>}: a pod in {@code CrashLoopBackOff} fails the deploy once restarted this often
 * (default 2; property {@code e2e.deploy.healRestarts});</li>
 * <li>{@code <healGrace>}: how long a state that may heal ({@code CrashLoopBackOff},
 * {@code CreateContainerConfigError}) is given (default {@code 15s}; property {@code e2e.deploy.healGrace}).</li>
 * </ul>
 */
public class DeployConfig {
    List<StageConfig> stages;
    String timeout;
    String healGrace;
    Integer healRestarts;

    /**
     * {@code <stage>}: what to apply, then wait for.
     * <ul>
     * <li>{@code <manifests>}: {@code <manifest>} paths (relative to the project): a file; a directory of
     * {@code .yaml/.yml/.json} files; a directory holding {@code kustomization.yaml} (a kustomize overlay,
     * rendered by {@code kubectl kustomize}); a directory holding {@code Chart.yaml} (a Helm chart, rendered
     * with its {@code values.yaml}, release name = the service, namespace = the run's);</li>
     * <li>{@code <valuesFiles>}: {@code <valuesFile>} paths given to this stage's Helm charts after their
     * {@code values.yaml} (none by default);</li>
     * <li>{@code <values>}: single values for this stage's Helm charts, as {@code <image.tag>v1</image.tag>}
     * ({@code helm --set}; {@code ${…}} expanded, e.g. {@code ${e2e.tag.app}}; none by default).</li>
     * </ul>
     */
    public static class StageConfig {
        List<String> manifests;
        List<String> valuesFiles;
        Map<String, String> values;
    }
}
