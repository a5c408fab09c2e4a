package io.github.e2ekit.e2e.maven;

import java.util.List;

/**
 * {@code <deploy>}: stages applied in order, each ready before the next, within {@code timeout}; a pod in
 * {@code CrashLoopBackOff} fails the deploy once restarted {@code healRestarts} times, one in a state that may
 * heal ({@code CrashLoopBackOff}, {@code CreateContainerConfigError}) after {@code healGrace} (properties
 * {@code e2e.deploy.healRestarts}, {@code e2e.deploy.healGrace} override both).
 */
public class DeployConfig {
    List<StageConfig> stages;
    String timeout = "5m";
    String healGrace;
    Integer healRestarts;

    /** {@code <stage>}: manifest files or directories. */
    public static class StageConfig {
        List<String> manifests;
    }
}
