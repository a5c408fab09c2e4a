package io.github.e2ekit.e2e.testbed;

import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.NodeImageStore;
import io.github.e2ekit.e2e.testbed.kube.NodeImages;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the simulated kubelet sees: the images in the kind-like nodes' real containerd, read with
 * ctr (briefly cached, as the kubelet's controllers poll often).
 */
public final class ContainerdNodeImages implements NodeImages {
    private static final long TTL_NANOS = 300_000_000L;
    private final KindLikeCluster cluster;
    private final Map<String, Snapshot> cache = new ConcurrentHashMap<>();

    private record Snapshot(long at, Map<String, String> ids) {
    }

    public ContainerdNodeImages(KindLikeCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public List<String> nodes() {
        return cluster.nodes().stream().map(KindNode::name).toList();
    }

    @Override
    public Optional<String> imageId(String node, String imageRef) {
        KindNode n = cluster.nodes().stream().filter(k -> k.name().equals(node)).findFirst().orElse(null);
        if (n == null) {
            return Optional.empty();
        }
        Snapshot s = cache.get(node);
        if (s == null || System.nanoTime() - s.at() > TTL_NANOS) {
            s = new Snapshot(System.nanoTime(), new NodeImageStore(cluster.engine(), n).imageIds());
            cache.put(node, s);
        }
        return Optional.ofNullable(s.ids().get(NodeImages.normalize(imageRef)));
    }
}
