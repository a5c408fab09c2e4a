package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.deploy.AppliedObject;
import io.github.e2ekit.e2e.deploy.Diagnostics;
import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.deploy.Manifest;
import io.github.e2ekit.e2e.deploy.PodLogFollower;
import io.github.e2ekit.e2e.kind.KindCli;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.ObjectEntry;
import io.github.e2ekit.e2e.teardown.ClusterDeletion;
import io.github.e2ekit.e2e.teardown.FailsafeSummary;
import io.github.e2ekit.e2e.teardown.RemoveImages;
import io.github.e2ekit.e2e.teardown.Teardown;
import io.github.e2ekit.e2e.teardown.TeardownReport;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Removes exactly what this run (and earlier runs of this module that left something behind)
 * recorded in the ledger. Works in a new Maven invocation from the ledger alone.
 */
@Mojo(name = "teardown", defaultPhase = LifecyclePhase.POST_INTEGRATION_TEST, threadSafe = true)
public class TeardownMojo extends AbstractE2eMojo {
    /** {@code allButNewest} (default), {@code all} or {@code none}: local images this run built. */
    @Parameter(property = "e2e.removeImages", defaultValue = "allButNewest")
    String removeImages;

    /** Fail the build when something could not be removed. */
    @Parameter(property = "e2e.failOnTeardownError", defaultValue = "true")
    boolean failOnTeardownError;

    /** The kind cluster settings; {@code <delete>} decides whether a cluster this run created is deleted. */
    @Parameter
    ClusterConfig cluster;

    /** The kind executable. */
    @Parameter(property = "e2e.kindExecutable", defaultValue = "kind")
    String kindExecutable;

    /** Failsafe's summary file, read to tell whether the integration tests failed. */
    @Parameter(property = "e2e.failsafeSummary",
            defaultValue = "${project.build.directory}/failsafe-reports/failsafe-summary.xml")
    File failsafeSummary;

    /** Kubeconfig; default: the one recorded in the ledger. */
    @Parameter(property = "e2e.kubeconfig")
    File kubeconfig;

    /** Skips this goal. */
    @Parameter(property = "e2e.skip.teardown", defaultValue = "false")
    boolean skipTeardown;

    @Override
    protected String goal() {
        return "teardown";
    }

    @Override
    protected boolean skipGoal() {
        return skipTeardown;
    }

    RemoveImages removeImagesMode() throws ConfigException {
        return switch (removeImages.trim().toLowerCase(Locale.ROOT)) {
            case "allbutnewest" -> RemoveImages.ALL_BUT_NEWEST;
            case "all" -> RemoveImages.ALL;
            case "none" -> RemoveImages.NONE;
            default -> throw new ConfigException("removeImages", "'" + removeImages
                    + "' is not one of allButNewest, all, none");
        };
    }

    ClusterDeletion clusterDeletion() throws ConfigException {
        String d = cluster == null || cluster.delete == null ? "ifCreated" : cluster.delete.trim();
        return switch (d.toLowerCase(Locale.ROOT)) {
            case "ifcreated" -> ClusterDeletion.IF_CREATED;
            case "always" -> ClusterDeletion.ALWAYS;
            case "never" -> ClusterDeletion.NEVER;
            default -> throw new ConfigException("cluster/delete", "'" + d + "' is not one of ifCreated, always, never");
        };
    }

    @Override
    protected void run() throws ConfigException, MojoFailureException {
        RemoveImages mode = removeImagesMode();
        ClusterDeletion deleteCluster = clusterDeletion();
        // the tests are over: the followed logs are complete (files flushed) before anything is removed
        for (PodLogFollower f : PodLogs.stopAll(project.getBasedir().getAbsolutePath())) {
            getLog().info("e2e: pod logs (" + f.files().size() + " file(s)) are in " + f.directory());
        }
        List<Path> ledgers = ledgers();
        if (ledgers.isEmpty()) {
            getLog().info("e2e: teardown: no ledger in " + workDirectory + ", nothing to remove");
            return;
        }
        boolean failed = FailsafeSummary.testsFailed(failsafeSummary == null ? null : failsafeSummary.toPath())
                || project.getContextValue(RunState.KEY) instanceof RunState s && s.failed;
        List<String> failures = new ArrayList<>();
        int removed = 0;
        for (Path file : ledgers) {
            Ledger ledger = Ledger.open(file);
            if (!ledger.read(d -> d.hasLiveEntries())) {
                continue;
            }
            if (failed) {
                collectDiagnostics(ledger);
                if (keepOnFailure) {
                    keepAndExplain(ledger);
                    continue;
                }
            }
            int closed = PortForwards.closeAll(project.getBasedir().getAbsolutePath());
            if (closed > 0) {
                getLog().info("e2e: closed " + closed + " port-forward(s)");
            }
            TeardownReport report = new Teardown(engine(), ledger)
                    .run(kubeApi(ledger), mode, deleteCluster, new KindCli(kindExecutable, engine()));
            report.removed().forEach(r -> getLog().info("e2e: removed " + r));
            report.kept().forEach(r -> getLog().info("e2e: kept " + r));
            removed += report.removed().size();
            failures.addAll(report.failures());
            if (failures.isEmpty() && !file.equals(ledgerFile())) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    getLog().debug(e);
                }
            }
        }
        getLog().info("e2e: teardown removed " + removed + " thing(s)" + (failures.isEmpty() ? "" : ", "
                + failures.size() + " failed"));
        if (!failures.isEmpty()) {
            failures.forEach(f -> getLog().error("e2e: could not remove " + f));
            String msg = "teardown could not remove " + failures.size() + " thing(s): " + failures.get(0)
                    + (failures.size() > 1 ? " (and more, listed above)" : "")
                    + "; run 'mvn e2e:teardown' again, or set <failOnTeardownError>false</failOnTeardownError>";
            if (failOnTeardownError) {
                throw new MojoFailureException(msg);
            }
            getLog().warn(msg);
        }
    }

    private void collectDiagnostics(Ledger ledger) {
        KubeApi api = kubeApi(ledger);
        if (api == null) {
            return;
        }
        List<ObjectEntry> objects = ledger.read(d -> List.copyOf(d.objects));
        Path dir = workDirectory.toPath().resolve("diagnostics");
        objects.stream().filter(o -> "Namespace".equals(o.kind)).map(o -> o.name).distinct().forEach(ns -> {
            List<AppliedObject> workloads = objects.stream()
                    .filter(o -> ns.equals(o.namespace))
                    .map(o -> new AppliedObject(o.apiVersion, o.kind, o.namespace, o.name,
                            o.uid, !o.patched, new Manifest(
                                    new LinkedHashMap<>(Map.of("apiVersion", o.apiVersion, "kind", o.kind)),
                                    "ledger")))
                    .toList();
            Path where = new Diagnostics(api).collect(dir, ns, workloads);
            getLog().warn("e2e: the integration tests failed; diagnostics of namespace " + ns + " are in " + where);
        });
    }

    private void keepAndExplain(Ledger ledger) {
        String cluster = ledger.read(d -> d.cluster == null ? "?" : d.cluster.name);
        String ns = ledger.read(d -> d.objects.stream().filter(o -> "Namespace".equals(o.kind)).map(o -> o.name)
                .findFirst().orElse("-"));
        getLog().warn("e2e: keepOnFailure: everything of run " + ledger.read(d -> d.run) + " is kept (cluster " + cluster
                + ", namespace " + ns + "). Remove it later with:");
        getLog().warn("e2e:   mvn e2e:teardown -f " + project.getFile());
        getLog().warn("e2e:   or, from anywhere: mvn " + "io.github.e2ekit:e2e-maven-plugin:reap -De2e.cluster.name="
                + cluster + " (after the TTL)");
    }

    private KubeApi kubeApi(Ledger ledger) {
        Path path = kubeconfig != null ? kubeconfig.toPath()
                : ledger.read(d -> d.cluster == null || d.cluster.kubeconfig == null ? null : Path.of(d.cluster.kubeconfig));
        if (path == null || !Files.isRegularFile(path)) {
            return null;
        }
        return KubeApi.connect(path);
    }

    private List<Path> ledgers() {
        Path dir = workDirectory.toPath();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("ledger(-[0-9a-f]+)?\\.json")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
