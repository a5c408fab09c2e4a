package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.DeployException;
import io.github.e2ekit.e2e.deploy.DeployPlan;
import io.github.e2ekit.e2e.deploy.Deployer;
import io.github.e2ekit.e2e.deploy.Diagnostics;
import io.github.e2ekit.e2e.deploy.EndpointSpec;
import io.github.e2ekit.e2e.deploy.FreshnessCheck;
import io.github.e2ekit.e2e.deploy.ImageBinding;
import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.deploy.ManifestRenderer;
import io.github.e2ekit.e2e.deploy.NodeDigests;
import io.github.e2ekit.e2e.deploy.PodLogFollower;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.KindNodes;
import io.github.e2ekit.e2e.kind.NodeImageStore;
import io.github.e2ekit.e2e.tag.TagDecision;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code deploy} goal: applies the manifests with this run's images, waits until ready (failing fast), proves
 * that the pods run the images this run built, and opens the endpoints for the integration tests.
 */
public final class Deploy {
    private final Run run;

    public Deploy(Run run) {
        this.run = run;
    }

    public void goal(DeploySettings settings) throws ConfigException {
        List<TagDecision> decided = Tags.decide(run);
        RunConfiguration config = run.config();
        RunLog log = run.log();
        String cluster = run.ledger().read(d -> d.cluster == null ? null : d.cluster.name);
        Reuse reuse = config.reuse() ? Reuse.of(run, KubeApi.connect(kubeconfig()), cluster) : null;
        String ns = settings.namespace(config.service(), reuse != null ? reuse.namespaceSeed() : run.id());
        List<EndpointSpec> endpointSpecs = settings.endpointSpecs(ns);
        DeployPlan plan = settings.plan(config.basedir(), ns);
        if (reuse != null
                && settings.namespace() != null
                && !settings.namespace().isBlank()) {
            reuse.refuseForeignNamespace(ns);
        }
        Path kube = kubeconfig();
        String expires = config.expiry().toString();
        List<ImageBinding> bindings = ImageBindings.delivered(run, decided);
        ManifestRenderer renderer = Render.renderer(run, settings, bindings, ns, expires);
        KubeApi api = KubeApi.connect(kube);
        Map<String, String> labels = ManifestRenderer.runLabels(run.id(), config.service());
        run.export("e2e.namespace", ns);
        List<KindNode> nodes = cluster == null ? List.of() : KindNodes.list(run.engine(), cluster);
        Path diagnostics = config.workDirectory().resolve("diagnostics");
        NodeDigests digests = cluster == null ? NodeDigests.NONE : new KindNodeDigests(run.engine(), cluster, nodes);
        Supplier<Deployer.Result> apply = () -> new Deployer(api, run.ledger(), log::info)
                .resolvingOn(digests)
                .intoKeptNamespace(reuse != null)
                .deploy(plan, renderer, bindings, labels, Map.of(ManifestRenderer.EXPIRES, expires), diagnostics);
        Deployer.Result result =
                reuse == null ? apply.get() : reuse.deploy(plan, renderer, bindings, digests, expires, apply);
        proveFreshness(result.fresh(), nodes);
        if (settings.podLogs()) {
            followPodLogs(kube, ns);
        }
        try {
            new Endpoints(run).open(api, endpointSpecs, nodes);
        } catch (DeployException e) {
            Path where = new Diagnostics(api).collect(diagnostics, ns, result.applied());
            throw new DeployException(e.parameter(), e.getMessage() + " — diagnostics: " + where);
        }
    }

    /** One line per image: sources → image → nodes holding it → pods running it. */
    private void proveFreshness(List<FreshnessCheck.Fresh> fresh, List<KindNode> nodes) {
        Engine engine = run.engine();
        // each node's image list is read once, whatever the number of images
        List<Map<String, String>> nodeImages = nodes.stream()
                .map(n -> new NodeImageStore(engine, n).imageIds())
                .toList();
        for (FreshnessCheck.Fresh f : fresh) {
            String head =
                    f.image().id() + ": sources sha256:" + f.image().digest().substring(0, 12) + "… → image "
                            + Build.shortId(f.image().imageId()) + "… → ";
            if (f.image().pulled()) {
                run.log()
                        .info(head + "pushed " + f.image().reference() + " → " + f.pods() + "/" + f.pods() + " pods ✔");
                continue;
            }
            String nodeRef = engine.nodeName(ImageReference.parse(f.image().reference()));
            long holding = nodeImages.stream()
                    .filter(ids ->
                            Engine.sameImageId(ids.get(nodeRef), f.image().imageId()))
                    .count();
            run.log().info(head + holding + "/" + nodes.size() + " nodes → " + f.pods() + "/" + f.pods() + " pods ✔");
        }
    }

    /** Follows every pod's logs into {@code target/e2e/logs/<namespace>/} until teardown. */
    private void followPodLogs(Path kube, String ns) {
        Path dir = run.config().workDirectory().resolve("logs").resolve(ns);
        run.keep(PodLogFollower.start(KubeApi.streaming(kube), ns, dir, Duration.ofSeconds(1)));
        run.log()
                .info("pod logs of namespace " + ns + " → " + dir + File.separator
                        + "<pod>.<container>.log (followed until teardown)");
    }

    /**
     * The kubeconfig this run's load recorded (derived, or the {@code <kubeconfig>} it was given), else
     * {@code <kubeconfig>} (registry mode), else the one an earlier load derived.
     */
    private Path kubeconfig() throws ConfigException {
        String recorded = run.ledger().read(d -> d.cluster == null ? null : d.cluster.kubeconfig);
        if (recorded != null) {
            return Path.of(recorded);
        }
        if (run.config().cluster().kubeconfig() != null) {
            return run.config().cluster().kubeconfig();
        }
        Path derived = run.config().workDirectory().resolve("kubeconfig");
        if (Files.exists(derived)) {
            return derived;
        }
        throw new ConfigException(
                "kubeconfig",
                "no kubeconfig: run 'load' first (it derives one for a kind cluster),"
                        + " or set <kubeconfig> (needed with <load><mode>registry</mode>; the file is only read)");
    }
}
