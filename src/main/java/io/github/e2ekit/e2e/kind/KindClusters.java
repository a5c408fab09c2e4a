package io.github.e2ekit.e2e.kind;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.work.SharedWork;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** Finds, creates (once, under a lock) and deletes kind clusters as the {@code <cluster>} settings say. */
public final class KindClusters {
    public enum Create {
        IF_MISSING,
        NEVER,
        RECREATE
    }

    /** The cluster's nodes, and whether this call created the cluster. */
    public record Ensured(List<KindNode> nodes, boolean created) {}

    private final Engine engine;
    private final KindCli kind;
    private final SharedWork locks;
    private final Consumer<String> onWait;

    /** {@code locks}: where callers creating the same cluster take turns; {@code onWait}: told whom a call waits for. */
    public KindClusters(Engine engine, KindCli kind, SharedWork locks, Consumer<String> onWait) {
        this.engine = engine;
        this.kind = kind;
        this.locks = locks;
        this.onWait = onWait;
    }

    public Ensured ensure(String name, Create create, Path config, String nodeImage, Path kubeconfig) {
        List<KindNode> nodes = KindNodes.list(engine, name);
        if (!nodes.isEmpty() && create != Create.RECREATE) {
            return new Ensured(nodes, false);
        }
        if (nodes.isEmpty() && create == Create.NEVER) {
            List<String> existing = KindNodes.clusters(engine);
            throw new ClusterException(
                    "no kind cluster '" + name + "' on " + engine.kind().displayName()
                            + " (existing: " + (existing.isEmpty() ? "none" : String.join(", ", existing)) + "); set"
                            + " <cluster><name> to one of them, or <cluster><create>ifMissing</create>");
        }
        return ClusterLock.exclusively(locks, name, ClusterLock.maxWait(kind), onWait, () -> {
            List<KindNode> now = KindNodes.list(engine, name);
            if (!now.isEmpty() && create == Create.RECREATE) {
                kind.delete(name, kubeconfig);
                now = List.of();
            }
            if (!now.isEmpty()) {
                return new Ensured(now, false); // another module created it while we waited
            }
            kind.create(name, config, nodeImage, kubeconfig, "5m");
            now = KindNodes.list(engine, name);
            if (now.isEmpty()) {
                throw new ClusterException("kind created cluster '" + name + "', but "
                        + engine.kind().displayName()
                        + " shows no node of it: kind and the plugin use different engines");
            }
            return new Ensured(now, true);
        });
    }
}
