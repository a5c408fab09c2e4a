package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.ImageBinding;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageLabels;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.ClusterLock;
import io.github.e2ekit.e2e.kind.ClusterUsers;
import io.github.e2ekit.e2e.kind.ImageLoader;
import io.github.e2ekit.e2e.kind.KindCli;
import io.github.e2ekit.e2e.kind.KindClusters;
import io.github.e2ekit.e2e.kind.KindKubeconfig;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.LoadResult;
import io.github.e2ekit.e2e.ledger.ClusterEntry;
import io.github.e2ekit.e2e.ledger.ClusterRecord;
import io.github.e2ekit.e2e.ledger.Recorded;
import io.github.e2ekit.e2e.tag.TagDecision;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Delivery into every node of the kind cluster (created or reused as {@code <cluster>} says): wraps {@link ImageLoader}. */
public final class KindDelivery implements Delivery {
    private final Run run;
    private final List<String> preload;

    KindDelivery(Run run, List<String> preload) {
        this.run = run;
        this.preload = preload;
    }

    @Override
    public List<ImageBinding> deliver(List<TagDecision> decided) throws ConfigException {
        List<ImageReference> preloads = preloads();
        Engine engine = run.engine();
        RunLog log = run.log();
        ClusterSettings cluster = run.config().cluster();
        String name = cluster.name();
        Path derived = run.config().workDirectory().resolve("kubeconfig");
        Path kubeconfigOut = cluster.kubeconfig() != null ? cluster.kubeconfig() : derived;
        KindCli kind = new KindCli(
                cluster.kindExecutable(), engine, line -> log.info("kind: " + line), cluster.createTimeout());
        KindClusters clusters = new KindClusters(
                engine,
                kind,
                Runs.sharedWork(),
                holder -> log.info("waiting for " + holder + ", which works on cluster '" + name + "'"));
        Recorded<ClusterEntry> recorded = run.ledger()
                .cluster()
                .intend(name, engine.kind().kindProvider(), cluster.create() != KindClusters.Create.NEVER);
        KindClusters.Ensured ensured =
                clusters.ensure(name, cluster.create(), cluster.config(), cluster.nodeImage(), kubeconfigOut);
        ClusterRecord.ready(
                recorded,
                ensured.created(),
                kubeconfigOut.toString(),
                ensured.nodes().stream().map(KindNode::name).toList());
        ClusterLock.exclusively(Runs.sharedWork(), name, ClusterLock.maxWait(kind), holder -> {}, () -> {
            new ClusterUsers(ClusterLock.defaultDirectory(), name).join(run.id());
            return null;
        });
        if (cluster.kubeconfig() == null && !ensured.created()) {
            KindKubeconfig.derive(engine, name, ensured.nodes(), derived, run.files());
        }
        run.export("e2e.kubeconfig", kubeconfigOut.toString());
        run.export("e2e.cluster", name);
        List<KindNode> nodes = ensured.nodes();
        log.info("cluster '" + name + "': " + nodes.size() + " node(s)"
                + (ensured.created() ? " (created by this run)" : ""));
        ImageLoader loader = new ImageLoader(engine, run.ledger(), name)
                .withNodeLabels(Map.of(
                        ImageLabels.EXPIRES, run.config().expiry().toString(),
                        ImageLabels.RUN, run.id()))
                .withSharedWork(Runs.sharedWork())
                .withImportsInFlight(run.importsInFlight())
                .withProgress(log::info);
        for (TagDecision t : decided) {
            String builtId =
                    run.ledger().read(d -> d.image(t.id()).map(e -> e.imageId).orElse(null));
            LoadResult r = loader.load(nodes, t.reference(), builtId);
            log.info(t.id() + ": " + r.summary());
        }
        for (int i = 0; i < preloads.size(); i++) {
            LoadResult r = loader.load(nodes, preloads.get(i), null);
            log.info("preload " + preload.get(i) + ": " + r.summary());
        }
        return ImageBindings.planned(run, decided);
    }

    private List<ImageReference> preloads() throws ConfigException {
        try {
            return preload.stream().map(ImageReference::parse).toList();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("preload", e.getMessage());
        }
    }
}
