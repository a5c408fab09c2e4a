package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.NodeDigests;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.KindNodes;
import io.github.e2ekit.e2e.kind.NodeCommandException;
import io.github.e2ekit.e2e.kind.NodeContent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link NodeDigests} for a kind cluster: a pod's {@code spec.nodeName} is the name of its node container,
 * whose containerd content store says which config a digest names ({@link NodeContent}).
 */
public final class KindNodeDigests implements NodeDigests {
    private final Engine engine;
    private final String cluster;
    private List<KindNode> nodes;

    public KindNodeDigests(Engine engine, String cluster) {
        this.engine = engine;
        this.cluster = cluster;
    }

    /** For nodes already listed (no second listing). */
    public KindNodeDigests(Engine engine, String cluster, List<KindNode> nodes) {
        this(engine, cluster);
        this.nodes = List.copyOf(nodes);
    }

    @Override
    public Map<String, Resolution> resolve(String nodeName, Set<String> digests) {
        Map<String, Resolution> out = new LinkedHashMap<>();
        if (nodes == null) {
            nodes = KindNodes.list(engine, cluster);
        }
        KindNode node = nodes.stream()
                .filter(n -> n.name().equals(nodeName))
                .findFirst()
                .orElse(null);
        if (node == null) {
            digests.forEach(d -> out.put(
                    d,
                    Resolution.unresolved("kind cluster '" + cluster + "' has no node container named " + nodeName)));
            return out;
        }
        try {
            new NodeContent(engine, node)
                    .configs(digests)
                    .forEach((d, c) -> out.put(
                            d,
                            c.digest() != null ? Resolution.config(c.digest()) : Resolution.unresolved(c.problem())));
        } catch (NodeCommandException e) {
            digests.forEach(d -> out.put(d, Resolution.unresolved(e.getMessage())));
        }
        return out;
    }
}
