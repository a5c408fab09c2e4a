package io.github.e2ekit.e2e.maven;

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
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.tag.TagDecision;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/** Puts the exact images of this run into every node of the kind cluster. */
@Mojo(name = "load", defaultPhase = LifecyclePhase.PRE_INTEGRATION_TEST, threadSafe = true)
public class LoadMojo extends AbstractE2eMojo {
    /** The kind cluster: name, create, config, nodeImage, delete. */
    @Parameter
    ClusterConfig cluster;

    /** Cluster name (overrides {@code <cluster><name>}). */
    @Parameter(property = "e2e.cluster.name")
    String clusterName;

    /** Kubeconfig of the cluster; default: derived from the control-plane node into target/e2e/kubeconfig. */
    @Parameter(property = "e2e.kubeconfig")
    File kubeconfig;

    /** The kind executable. */
    @Parameter(property = "e2e.kindExecutable", defaultValue = "kind")
    String kindExecutable;

    /** Images that exist locally (e.g. postgres:16-alpine) to load as well, so pods never pull. */
    @Parameter
    List<String> preload;

    /** Skips this goal. */
    @Parameter(property = "e2e.skip.load", defaultValue = "false")
    boolean skipLoad;

    @Override
    protected String goal() {
        return "load";
    }

    @Override
    protected boolean skipGoal() {
        return skipLoad;
    }

    String clusterName() {
        if (clusterName != null && !clusterName.isBlank()) {
            return clusterName.trim();
        }
        return cluster != null && cluster.name != null && !cluster.name.isBlank() ? cluster.name.trim()
                : service + "-e2e";
    }

    KindClusters.Create createMode() throws ConfigException {
        String c = cluster == null || cluster.create == null ? "ifMissing" : cluster.create.trim();
        return switch (c.toLowerCase(Locale.ROOT)) {
            case "ifmissing" -> KindClusters.Create.IF_MISSING;
            case "never" -> KindClusters.Create.NEVER;
            case "recreate" -> KindClusters.Create.RECREATE;
            default -> throw new ConfigException("cluster/create", "'" + c + "' is not one of ifMissing, never, recreate");
        };
    }

    @Override
    protected void run() throws ConfigException {
        List<TagDecision> decided = decisions();
        RunState state = runState();
        Engine engine = engine();
        String name = clusterName();
        KindClusters.Create create = createMode();
        Path derived = workDirectory.toPath().resolve("kubeconfig");
        Path kubeconfigOut = kubeconfig != null ? kubeconfig.toPath() : derived;
        KindClusters clusters = new KindClusters(engine, new KindCli(kindExecutable, engine.kind()),
                ClusterLock.defaultDirectory());
        state.ledger.update(d -> {
            if (d.cluster == null) {
                d.cluster = new ClusterEntry();
                d.cluster.name = name;
                d.cluster.provider = engine.kind().kindProvider();
                d.cluster.state = create == KindClusters.Create.NEVER ? EntryState.REUSED : EntryState.INTENDED;
            }
        });
        KindClusters.Ensured ensured = clusters.ensure(name, create,
                cluster != null && cluster.config != null ? cluster.config.toPath() : null,
                cluster == null ? null : cluster.nodeImage, kubeconfigOut);
        state.ledger.update(d -> {
            d.cluster.state = ensured.created() ? EntryState.CREATED : EntryState.REUSED;
            d.cluster.kubeconfig = kubeconfigOut.toString();
        });
        try (ClusterLock lock = ClusterLock.acquire(ClusterLock.defaultDirectory(), name)) {
            new ClusterUsers(ClusterLock.defaultDirectory(), name).join(state.run);
        }
        if (kubeconfig == null && !ensured.created()) {
            KindKubeconfig.derive(engine, name, ensured.nodes(), derived);
        }
        project.getProperties().setProperty("e2e.kubeconfig", kubeconfigOut.toString());
        project.getProperties().setProperty("e2e.cluster", name);
        List<KindNode> nodes = ensured.nodes();
        getLog().info("e2e: cluster '" + name + "': " + nodes.size() + " node(s)"
                + (ensured.created() ? " (created by this run)" : ""));
        ImageLoader loader = new ImageLoader(engine, state.ledger, name).withNodeLabels(Map.of(
                ImageLabels.EXPIRES, expiry().toString(),
                ImageLabels.RUN, state.run));
        for (TagDecision t : decided) {
            String builtId = state.ledger.read(d -> d.image(t.id()).map(e -> e.imageId).orElse(null));
            LoadResult r = loader.load(nodes, t.reference(), builtId);
            getLog().info("e2e: " + t.id() + ": " + r.summary());
        }
        if (preload != null) {
            for (String p : preload) {
                ImageReference ref;
                try {
                    ref = ImageReference.parse(p);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("preload", e.getMessage());
                }
                LoadResult r = loader.load(nodes, ref, null);
                getLog().info("e2e: preload " + p + ": " + r.summary());
            }
        }
    }

}
