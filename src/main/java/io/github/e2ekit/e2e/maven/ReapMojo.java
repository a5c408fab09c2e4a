package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.run.Reap;
import io.github.e2ekit.e2e.run.Run;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Removes what crashed runs left behind (CI runners killed with {@code kill -9}): plugin-labelled
 * namespaces, cluster-scoped objects, node images and local images whose TTL has passed. Needs no
 * project and touches nothing without the plugin's labels. {@code e2e.cluster.name} names the kind cluster
 * whose nodes are searched (none: nodes are not searched); {@code e2e.kubeconfig} the cluster whose namespaces
 * and objects are searched (none: the cluster API is not searched).
 */
@Mojo(name = "reap", requiresProject = false, threadSafe = true)
public class ReapMojo extends AbstractE2eMojo {
    /** Only list what would be removed. */
    @Parameter(property = "e2e.reap.dryRun", defaultValue = "false")
    boolean dryRun;

    @Override
    protected void run(Run run) {
        new Reap(run).goal(clusterName == null || clusterName.isBlank() ? null : clusterName.trim(), dryRun);
    }
}
