package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.kind.KindClusters;
import io.github.e2ekit.e2e.teardown.ClusterDeletion;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The cluster as every goal sees it, resolved once from {@code <cluster>}, {@code <kindExecutable>} and
 * {@code <kubeconfig>}: load creates or reuses it, teardown (also the one after a failure or interrupt) leaves it.
 *
 * @param kubeconfig the kubeconfig the user gave, or null (load derives one into the work directory)
 */
public record ClusterSettings(
        String name,
        KindClusters.Create create,
        ClusterDeletion delete,
        Path config,
        String nodeImage,
        Duration createTimeout,
        String kindExecutable,
        Path kubeconfig) {
    public static final String DEFAULT_CREATE_TIMEOUT = "10m";

    /** The POM's values, checked: {@code name} overrides {@code configuredName}; blanks mean the defaults. */
    public static ClusterSettings of(
            String service,
            String name,
            String configuredName,
            String create,
            String delete,
            Path config,
            String nodeImage,
            String createTimeout,
            String kindExecutable,
            Path kubeconfig)
            throws ConfigException {
        String resolved = name != null && !name.isBlank()
                ? name.trim()
                : configuredName != null && !configuredName.isBlank() ? configuredName.trim() : service + "-e2e";
        return new ClusterSettings(
                resolved,
                Choice.parse("cluster/create", create, KindClusters.Create.IF_MISSING, KindClusters.Create.class),
                Choice.parse("cluster/delete", delete, ClusterDeletion.IF_CREATED, ClusterDeletion.class),
                config,
                nodeImage == null || nodeImage.isBlank() ? null : nodeImage.trim(),
                Durations.parse(
                        "cluster/createTimeout",
                        createTimeout == null || createTimeout.isBlank() ? DEFAULT_CREATE_TIMEOUT : createTimeout),
                kindExecutable == null || kindExecutable.isBlank() ? "kind" : kindExecutable.trim(),
                kubeconfig);
    }
}
