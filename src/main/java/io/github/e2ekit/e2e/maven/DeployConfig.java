package io.github.e2ekit.e2e.maven;

import java.util.List;

/** {@code <deploy>}: stages applied in order, each ready before the next, within {@code timeout}. */
public class DeployConfig {
    List<StageConfig> stages;
    String timeout = "5m";

    /** {@code <stage>}: manifest files or directories. */
    public static class StageConfig {
        List<String> manifests;
    }
}
