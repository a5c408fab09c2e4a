package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.teardown.Reaper;
import io.github.e2ekit.e2e.teardown.TeardownReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** The {@code reap} goal: what crashed runs left behind and whose TTL has passed, found by the plugin's labels. */
public final class Reap {
    private final Run run;

    public Reap(Run run) {
        this.run = run;
    }

    /** @param cluster the kind cluster whose nodes are searched, or null (none) */
    public void goal(String cluster, boolean dryRun) {
        Path kubeconfig = run.config().cluster().kubeconfig();
        KubeApi kube = kubeconfig != null && Files.isRegularFile(kubeconfig) ? KubeApi.connect(kubeconfig) : null;
        TeardownReport report = new Reaper(run.engine(), kube, Instant.now()).reap(cluster, dryRun);
        String verb = dryRun ? "would remove " : "removed ";
        report.removed().forEach(r -> run.log().info("reap: " + verb + r));
        run.log()
                .info("reap: " + verb + report.removed().size() + " expired thing(s)"
                        + (kube == null ? " (no kubeconfig: namespaces and cluster objects not searched)" : ""));
        if (!report.failures().isEmpty()) {
            report.failures().forEach(f -> run.log().error("reap: could not remove " + f));
            throw new GoalFailure("reap could not remove " + report.failures().size() + " thing(s): "
                    + report.failures().get(0));
        }
    }
}
