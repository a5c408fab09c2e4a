package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.AppliedObject;
import io.github.e2ekit.e2e.deploy.Diagnostics;
import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.deploy.PodLogFollower;
import io.github.e2ekit.e2e.kind.KindCli;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.ObjectEntry;
import io.github.e2ekit.e2e.ledger.Recorded;
import io.github.e2ekit.e2e.report.RunReports;
import io.github.e2ekit.e2e.teardown.FailsafeSummary;
import io.github.e2ekit.e2e.teardown.RemoveImages;
import io.github.e2ekit.e2e.teardown.Teardown;
import io.github.e2ekit.e2e.teardown.TeardownReport;
import io.github.e2ekit.e2e.work.InFlight;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The teardown goal's code, also run after a failed goal and at JVM exit after an interrupt: one configuration
 * (the cluster's {@code <delete>}, {@code <kindExecutable>}, {@code <kubeconfig>}) for all three.
 */
public final class RunTeardown {
    private final Run run;

    public RunTeardown(Run run) {
        this.run = run;
    }

    /** The {@code teardown} goal's own settings. */
    public record Settings(RemoveImages removeImages, boolean failOnError, Path failsafeSummary) {
        public static Settings of(String removeImages, boolean failOnError, Path failsafeSummary)
                throws ConfigException {
            return new Settings(
                    Choice.parse("removeImages", removeImages, RemoveImages.ALL_BUT_NEWEST, RemoveImages.class),
                    failOnError,
                    failsafeSummary);
        }
    }

    /** The teardown goal: every ledger of the module (this run's and earlier runs' left behind). */
    public void goal(Settings settings) {
        RunLog log = run.log();
        RunConfiguration config = run.config();
        // the tests are over: the followed logs are complete (files flushed) before anything is removed
        for (PodLogFollower f : run.stopPodLogs()) {
            log.info("pod logs (" + f.files().size() + " file(s)) are in " + f.directory());
        }
        if (config.reuse() && ReuseHandOver.keep(run, log)) {
            return; // <reuse>: the environment stays for the next run ('mvn e2e:down' removes it)
        }
        List<Path> ledgers = ledgers(config.workDirectory());
        if (ledgers.isEmpty()) {
            log.info("teardown: no ledger in " + config.workDirectory() + ", nothing to remove");
            return;
        }
        boolean failed = FailsafeSummary.testsFailed(settings.failsafeSummary()) || run.failed();
        List<String> failures = new ArrayList<>();
        int removed = 0;
        for (Path file : ledgers) {
            // this build's own ledger through the run's instance: a second copy in memory would leave the run's
            // stale (an exit-time teardown would remove again, and write the old states back)
            Ledger own = run.startedLedger();
            Ledger ledger = own != null && file.equals(own.file()) ? own : Ledger.open(file, run.files());
            if (!ledger.read(d -> d.hasLiveEntries())) {
                continue;
            }
            if (failed) {
                collectDiagnostics(ledger);
                if (config.keepOnFailure()) {
                    keepAndExplain(ledger);
                    continue;
                }
            }
            TeardownReport report = remove(ledger, settings.removeImages(), log);
            removed += report.removed().size();
            failures.addAll(report.failures());
            if (failures.isEmpty() && !file.equals(config.ledgerFile())) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    log.debug(String.valueOf(e));
                }
            }
        }
        log.info("teardown removed " + removed + " thing(s)"
                + (failures.isEmpty() ? "" : ", " + failures.size() + " failed"));
        if (!failures.isEmpty()) {
            failures.forEach(f -> log.error("could not remove " + f));
            String msg = "teardown could not remove " + failures.size() + " thing(s): " + failures.get(0)
                    + (failures.size() > 1 ? " (and more, listed above)" : "")
                    + "; run 'mvn e2e:teardown' again, or set <failOnTeardownError>false</failOnTeardownError>";
            if (settings.failOnError()) {
                throw new GoalFailure(msg);
            }
            log.warn(msg);
        }
    }

    /** After a failed goal: everything this run's ledger holds, images included (no cache left behind). */
    void afterFailure(RunLog out) {
        synchronized (run.teardownLock) {
            Ledger ledger = run.startedLedger();
            if (ledger == null || !ledger.read(d -> d.hasLiveEntries())) {
                return;
            }
            if (run.engineUnreachable()) {
                withoutEngine(ledger, out);
                return;
            }
            try {
                TeardownReport report = remove(ledger, RemoveImages.ALL, out);
                report.failures()
                        .forEach(
                                r -> out.warn("could not remove " + r + "; run 'mvn e2e:teardown' or" + " 'e2e:reap'"));
            } catch (RuntimeException | LinkageError e) {
                out.warn("teardown failed: " + e + "; run 'mvn e2e:teardown' or 'e2e:reap'");
            }
        }
    }

    /**
     * No engine (the failed goal said why): images only intended were never built, so they are forgotten without a
     * word; whatever else is left is said once, with how to remove it.
     */
    private void withoutEngine(Ledger ledger, RunLog out) {
        forgetNeverBuilt(ledger);
        if (ledger.read(d -> d.hasLiveEntries())) {
            out.warn("no engine to remove what run " + run.startedId() + " created: run 'mvn e2e:teardown' in "
                    + run.config().basedir() + " once the engine is back");
        }
    }

    /** Forgets the images only intended (no build produced them): for a failed tag goal, or with no engine. */
    static void forgetNeverBuilt(Ledger ledger) {
        ledger.images().live().stream()
                .filter(r -> r.read(e -> e.state == EntryState.INTENDED && e.imageId == null))
                .forEach(Recorded::forget);
    }

    /**
     * At JVM exit after an interrupt or a failed goal: as {@link #afterFailure}, bounded to 30 s, on stderr; after an
     * interrupt, {@code report.json} then says so, with what the removal left (see {@link RunReports#interrupted});
     * {@code during}: the goal the interrupt came in (null: between goals).
     */
    void atExit(boolean interrupted, String during, RunLog err) {
        Ledger ledger = run.startedLedger();
        if (ledger == null) {
            return;
        }
        try {
            removeAtExit(interrupted, ledger, err);
        } finally {
            if (interrupted) {
                String why = new RunReports(run.config().workDirectory(), Clock.systemUTC(), run.files())
                        .interrupted(during, run.lastGoal(), run.goalTime());
                if (why != null) {
                    err.warn(why);
                }
            }
        }
    }

    private void removeAtExit(boolean interrupted, Ledger ledger, RunLog err) {
        boolean keep = run.config().keepOnFailure();
        if (!interrupted && run.engineUnreachable()) {
            return; // the failed goal's teardown said what is left and how to remove it
        }
        if (keep || !ledger.read(d -> d.hasLiveEntries())) {
            if (keep) {
                err.warn("keepOnFailure: run " + run.startedId() + " is kept; remove it with 'mvn e2e:teardown' in "
                        + run.config().basedir());
            }
            return;
        }
        err.warn("build " + (interrupted ? "interrupted" : "failed") + ": removing what run " + run.startedId()
                + " created (30 s at most)");
        Thread worker = new Thread(
                () -> {
                    awaitImports(err);
                    afterFailure(err);
                },
                "e2e-teardown-at-exit");
        worker.start();
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A node import under way when the build was interrupted ends in the node even without this process once its
     * archive is complete: removing the node image before it ends would leave the image it adds (unlabelled, so not
     * even {@code reap} would find it). Waits for it, 20 of the 30 s at most; an import still running then is cut off
     * with the process, and so adds nothing unless its archive was already complete.
     */
    private void awaitImports(RunLog err) {
        InFlight imports = run.importsInFlight();
        if (imports.close() == 0) { // and none begins now
            return;
        }
        err.warn("waiting for the node import under way to end before removing (20 s at most)");
        try {
            if (!imports.awaitNone(Duration.ofSeconds(20))) {
                err.warn("the node import is still running; removing now");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * At JVM exit after a build in which no e2e goal failed but teardown did not run last — e.g. Maven could not
     * configure a later goal (text where a number belongs, in that goal's own {@code <execution>}), so it never
     * started — while the ledger still holds what the run created: one line saying how to remove it. (Nothing is
     * removed: a build that ends after {@code deploy} may mean to keep its environment.)
     */
    void leftAtExit(RunLog err) {
        Ledger ledger = run.startedLedger();
        if (ledger == null
                || run.failed()
                || "teardown".equals(run.lastGoal())
                || !ledger.read(d -> d.hasLiveEntries())) {
            return;
        }
        err.warn("run " + run.startedId() + " still holds what it created (last e2e goal: " + run.lastGoal()
                + "; ledger " + run.config().ledgerFile() + "): remove it with 'mvn e2e:teardown' in "
                + run.config().basedir());
    }

    /**
     * Removes what {@code ledger} holds with this run's configuration, reporting each thing through {@code out}. One
     * removal at a time per run: an interrupt during the teardown goal starts the exit-time teardown beside it, which
     * then waits and finds nothing left (instead of removing the same things twice, one of them failing).
     */
    private TeardownReport remove(Ledger ledger, RemoveImages images, RunLog out) {
        synchronized (run.teardownLock) {
            return removeNow(ledger, images, out);
        }
    }

    private TeardownReport removeNow(Ledger ledger, RemoveImages images, RunLog out) {
        int closed = run.closeForwards();
        if (closed > 0) {
            out.info("closed " + closed + " port-forward(s)");
        }
        run.stopPodLogs().forEach(f -> out.info("pod logs are in " + f.directory()));
        ClusterSettings cluster = run.config().cluster();
        TeardownReport report = new Teardown(run.engine(), ledger)
                .withLocks(Runs.sharedWork())
                .run(kubeApi(ledger), images, cluster.delete(), new KindCli(cluster.kindExecutable(), run.engine()));
        report.removed().forEach(r -> out.info("removed " + r));
        report.kept().forEach(r -> out.info("kept " + r));
        return report;
    }

    /** The ledger's recorded kubeconfig (what load derived or was given), else {@code <kubeconfig>}; null: none. */
    private KubeApi kubeApi(Ledger ledger) {
        Path recorded = ledger.read(
                d -> d.cluster == null || d.cluster.kubeconfig == null ? null : Path.of(d.cluster.kubeconfig));
        Path path = recorded != null && Files.isRegularFile(recorded)
                ? recorded
                : run.config().cluster().kubeconfig();
        return path != null && Files.isRegularFile(path) ? KubeApi.connect(path) : null;
    }

    private void collectDiagnostics(Ledger ledger) {
        KubeApi api = kubeApi(ledger);
        if (api == null) {
            return;
        }
        List<ObjectEntry> objects = ledger.read(d -> List.copyOf(d.objects));
        Path dir = run.config().workDirectory().resolve("diagnostics");
        objects.stream()
                .filter(o -> "Namespace".equals(o.kind))
                .map(o -> o.name)
                .distinct()
                .forEach(ns -> {
                    List<AppliedObject> workloads = objects.stream()
                            .filter(o -> ns.equals(o.namespace))
                            .map(o -> AppliedObject.recorded(
                                    o.apiVersion, o.kind, o.namespace, o.name, o.uid, !o.patched, "ledger"))
                            .toList();
                    Path where = new Diagnostics(api).collect(dir, ns, workloads);
                    run.log().warn("the integration tests failed; diagnostics of namespace " + ns + " are in " + where);
                });
    }

    private void keepAndExplain(Ledger ledger) {
        RunLog log = run.log();
        String cluster = ledger.read(d -> d.cluster == null ? "?" : d.cluster.name);
        String ns = ledger.read(d -> d.objects.stream()
                .filter(o -> "Namespace".equals(o.kind))
                .map(o -> o.name)
                .findFirst()
                .orElse("-"));
        log.warn("keepOnFailure: everything of run " + ledger.read(d -> d.run) + " is kept (cluster " + cluster
                + ", namespace " + ns + "). Remove it later with:");
        log.warn("  mvn e2e:teardown -f " + run.config().basedir().resolve("pom.xml"));
        log.warn("  or, from anywhere: mvn " + "io.github.e2ekit:e2e-maven-plugin:reap -De2e.cluster.name=" + cluster
                + " (after the TTL)");
    }

    private static List<Path> ledgers(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("ledger(-[0-9a-f]+)?\\.json"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
