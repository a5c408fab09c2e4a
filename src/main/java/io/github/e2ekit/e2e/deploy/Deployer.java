package io.github.e2ekit.e2e.deploy;

import io.github.e2ekit.e2e.ledger.Ledger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Deploys a plan: renders every stage first (bad input fails before anything is created), creates
 * the namespace, applies stage by stage waiting for readiness, then proves freshness. On any
 * failure after the first object was sent, diagnostics are written before the error is thrown.
 */
public final class Deployer {
    private final KubeApi api;
    private final Ledger ledger;
    private final Consumer<String> log;
    private NodeDigests nodes = NodeDigests.NONE;
    private boolean kept;

    public Deployer(KubeApi api, Ledger ledger, Consumer<String> log) {
        this.api = api;
        this.ledger = ledger;
        this.log = log;
    }

    /** Where the freshness check resolves the digests pods report (a kind cluster's nodes); default: nowhere. */
    public Deployer resolvingOn(NodeDigests nodes) {
        this.nodes = nodes;
        return this;
    }

    /**
     * The namespace, when it exists, is the one an earlier run of this environment kept ({@code <reuse>}): said so
     * instead of "not ours".
     */
    public Deployer intoKeptNamespace(boolean kept) {
        this.kept = kept;
        return this;
    }

    /** The outcome: what was applied, and per image how many pods run it. */
    public record Result(List<AppliedObject> applied, List<FreshnessCheck.Fresh> fresh, boolean namespaceCreated) {}

    public Result deploy(
            DeployPlan plan,
            ManifestRenderer renderer,
            List<ImageBinding> images,
            Map<String, String> namespaceLabels,
            Map<String, String> namespaceAnnotations,
            Path diagnosticsDir) {
        List<List<Manifest>> stages = new ArrayList<>();
        for (List<Path> stage : plan.stages()) {
            stages.add(renderer.render(stage));
        }
        boolean created = Namespaces.ensure(api, ledger, plan.namespace(), namespaceLabels, namespaceAnnotations);
        log.accept("namespace " + plan.namespace()
                + (created
                        ? " created"
                        : kept
                                ? " kept from an earlier run (<reuse>)"
                                : " exists (not ours: only our objects in it are removed at teardown)"));
        List<AppliedObject> applied = new ArrayList<>();
        long deadline = System.nanoTime() + plan.timeout().toNanos();
        try {
            Applier applier = new Applier(api, ledger, log);
            ReadinessWait wait = new ReadinessWait(api, log, plan.heal());
            for (int i = 0; i < stages.size(); i++) {
                List<AppliedObject> stage = applier.applyStage(stages.get(i), plan.namespace());
                applied.addAll(stage);
                log.accept("stage " + (i + 1) + "/" + stages.size() + ": applied " + stage.size() + " object(s)");
                Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000_000L));
                wait.await(stage, left);
            }
            List<FreshnessCheck.Fresh> fresh =
                    new FreshnessCheck(api, nodes).recordingProofs(ledger).check(plan.namespace(), images);
            return new Result(applied, fresh, created);
        } catch (DeployException e) {
            Path where = new Diagnostics(api).collect(diagnosticsDir, plan.namespace(), applied);
            throw new DeployException(e.parameter(), e.getMessage() + " — diagnostics: " + where);
        }
    }
}
