package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.teardown.Reaper;
import io.github.e2ekit.e2e.teardown.TeardownReport;
import java.io.File;
import java.time.Instant;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Removes what crashed runs left behind (CI runners killed with {@code kill -9}): plugin-labelled
 * namespaces, cluster-scoped objects, node images and local images whose TTL has passed. Needs no
 * project and touches nothing without the plugin's labels.
 */
@Mojo(name = "reap", requiresProject = false, threadSafe = true)
public class ReapMojo extends AbstractE2eMojo {
    /** Only list what would be removed. */
    @Parameter(property = "e2e.reap.dryRun", defaultValue = "false")
    boolean dryRun;

    /** The kind cluster whose nodes are searched for expired images. */
    @Parameter(property = "e2e.cluster.name")
    String clusterName;

    /** Kubeconfig of the cluster whose namespaces and objects are searched; none: skip the cluster API. */
    @Parameter(property = "e2e.kubeconfig")
    File kubeconfig;

    @Override
    protected String goal() {
        return "reap";
    }

    @Override
    protected void run() throws MojoFailureException {
        KubeApi kube = kubeconfig != null && kubeconfig.isFile() ? KubeApi.connect(kubeconfig.toPath()) : null;
        TeardownReport report = new Reaper(engine(), kube, Instant.now()).reap(clusterName, dryRun);
        String verb = dryRun ? "would remove " : "removed ";
        report.removed().forEach(r -> getLog().info("e2e: reap: " + verb + r));
        getLog().info("e2e: reap: " + verb + report.removed().size() + " expired thing(s)"
                + (kube == null ? " (no kubeconfig: namespaces and cluster objects not searched)" : ""));
        if (!report.failures().isEmpty()) {
            report.failures().forEach(f -> getLog().error("e2e: reap: could not remove " + f));
            throw new MojoFailureException("reap could not remove " + report.failures().size() + " thing(s): "
                    + report.failures().get(0));
        }
    }
}
