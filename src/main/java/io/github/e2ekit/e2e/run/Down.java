package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.kind.KindCli;
import io.github.e2ekit.e2e.kind.KindKubeconfig;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.KindNodes;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.teardown.ClusterDeletion;
import io.github.e2ekit.e2e.teardown.RemoveImages;
import io.github.e2ekit.e2e.teardown.Teardown;
import io.github.e2ekit.e2e.teardown.TeardownReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code down} goal: removes the environments {@code <reuse>} kept for this project (service and location) —
 * namespace, objects, node and local images, port-forwards, record — exactly as their ledgers recorded them; the
 * cluster stays.
 */
public final class Down {
    private final Run run;
    private final ReuseStore store;

    public Down(Run run) {
        this(run, Reuse.store(run));
    }

    Down(Run run, ReuseStore store) {
        this.run = run;
        this.store = store;
    }

    public void goal() {
        RunConfiguration config = run.config();
        RunLog log = run.log();
        run.stopPodLogs();
        int closed = run.closeForwards();
        if (closed > 0) {
            log.info("closed " + closed + " port-forward(s)");
        }
        List<Path> kept = store.ofProject(config.service(), config.basedir());
        if (kept.isEmpty()) {
            log.info("down: no kept environment of " + config.service() + " in " + config.basedir());
            return;
        }
        List<String> failures = new ArrayList<>();
        for (Path dir : kept) {
            ReuseRecord record = store.record(dir);
            KubeApi kube = kubeApi(record);
            List<String> failed = new ArrayList<>();
            int removed = 0;
            for (Path file : store.ledgers(dir)) {
                TeardownReport report = new Teardown(run.engine(), Ledger.open(file, run.files()))
                        .withLocks(Runs.sharedWork())
                        .run(
                                kube,
                                RemoveImages.ALL,
                                ClusterDeletion.NEVER,
                                new KindCli(config.cluster().kindExecutable(), run.engine()));
                report.removed().forEach(r -> log.info("removed " + r));
                removed += report.removed().size();
                failed.addAll(report.failures());
            }
            if (failed.isEmpty()) {
                store.remove(dir);
                log.info("down: removed the environment in namespace " + record.namespace + " on cluster "
                        + record.cluster + " (" + removed + " thing(s))");
            }
            failures.addAll(failed);
        }
        if (!failures.isEmpty()) {
            failures.forEach(f -> log.error("could not remove " + f));
            throw new GoalFailure("down could not remove " + failures.size() + " thing(s): " + failures.get(0)
                    + "; the environment stays recorded: run 'mvn e2e:down' again");
        }
    }

    /** The record's kubeconfig, else {@code <kubeconfig>}, else one derived again from the kind cluster; or null. */
    private KubeApi kubeApi(ReuseRecord record) {
        if (record.kubeconfig != null && Files.isRegularFile(Path.of(record.kubeconfig))) {
            return KubeApi.connect(Path.of(record.kubeconfig));
        }
        Path given = run.config().cluster().kubeconfig();
        if (given != null && Files.isRegularFile(given)) {
            return KubeApi.connect(given);
        }
        try {
            List<KindNode> nodes = KindNodes.list(run.engine(), record.cluster);
            if (nodes.isEmpty()) {
                return null;
            }
            Path derived = run.config().workDirectory().resolve("kubeconfig");
            KindKubeconfig.derive(run.engine(), record.cluster, nodes, derived, run.files());
            return KubeApi.connect(derived);
        } catch (RuntimeException e) {
            run.log().debug("cannot derive a kubeconfig for " + record.cluster + ": " + e);
            return null;
        }
    }
}
