package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.kind.KindCli;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.teardown.ClusterDeletion;
import io.github.e2ekit.e2e.teardown.RemoveImages;
import io.github.e2ekit.e2e.teardown.Teardown;
import io.github.e2ekit.e2e.teardown.TeardownReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code <reuse>} at teardown: the run's ledger goes to the kept environment's directory (nothing is removed but the
 * port-forwards), and the images of earlier runs that the environment no longer runs are removed.
 */
final class ReuseHandOver {
    private ReuseHandOver() {}

    /** Keeps the environment this run's deploy recorded; false when there is none (deploy did not finish). */
    static boolean keep(Run run, RunLog log) {
        Ledger ledger = run.startedLedger() != null
                ? run.startedLedger()
                : Ledger.open(run.config().ledgerFile(), run.files());
        String hash = ledger.read(d -> d.keptFor == null ? d.environmentKey : null);
        if (hash == null) {
            return false;
        }
        ReuseStore store = Reuse.store(run);
        Path dir = store.directory(hash);
        ReuseRecord record = store.record(dir);
        if (record == null) {
            return false;
        }
        run.closeForwards();
        Path to = dir.resolve("ledger-" + ledger.read(d -> d.run) + ".json");
        ledger.handOver(to);
        log.info("reuse: environment kept (namespace " + record.namespace + " on cluster " + record.cluster + ", "
                + record.images.size() + " image(s)); remove it with 'mvn e2e:down'");
        removeOlderImages(run, store, dir, to, Set.copyOf(record.images.values()), log);
        return true;
    }

    /**
     * Earlier runs' ledgers that hold neither the environment's objects nor an image it runs: their images (local
     * and in the nodes) are removed, and the ledger goes once nothing of it is left.
     */
    private static void removeOlderImages(
            Run run, ReuseStore store, Path dir, Path current, Set<String> running, RunLog log) {
        for (Path file : store.ledgers(dir)) {
            if (file.equals(current)) {
                continue;
            }
            Ledger old = Ledger.open(file, run.files());
            boolean holdsObjects = old.read(d -> d.objects.stream().anyMatch(o -> o.state.live() && !o.patched));
            boolean holdsRunning = old.read(d -> d.images.stream().anyMatch(i -> running.contains(i.imageId))
                    || d.nodeImages.stream().anyMatch(n -> running.contains(n.imageId)));
            if (holdsObjects || holdsRunning) {
                continue;
            }
            if (old.read(d -> d.hasLiveEntries())) {
                TeardownReport report = new Teardown(run.engine(), old)
                        .withLocks(Runs.sharedWork())
                        .run(
                                null,
                                RemoveImages.ALL,
                                ClusterDeletion.NEVER,
                                new KindCli(run.config().cluster().kindExecutable(), run.engine()));
                report.removed().forEach(r -> log.info("removed " + r + " (an older image of the kept environment)"));
                report.failures().forEach(f -> log.warn("could not remove " + f + "; 'mvn e2e:down' retries"));
            }
            if (!old.read(d -> d.hasLiveEntries())) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    log.debug(String.valueOf(e));
                }
            }
        }
    }
}
