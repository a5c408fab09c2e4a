package io.github.e2ekit.e2e.testbed;

import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.NodeImageStore;
import io.github.e2ekit.e2e.testbed.kube.CriImage;
import io.github.e2ekit.e2e.testbed.kube.NodeImages;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the simulated kubelet sees: the images in the kind-like nodes' real containerd, read with
 * ctr (briefly cached, as the kubelet's controllers poll often).
 *
 * <p>Pulls as a kind node's containerd would ({@link NodeRegistryPull}): a reference on loopback (127.0.0.1,
 * localhost, ::1) succeeds only through a certs.d {@code hosts.toml} in the node naming a mirror on the node's
 * network ({@link KindLocalRegistry}, kind's local-registry set-up); otherwise it fails with containerd's
 * {@code connection refused}, the message {@link #pullFailure} reports. Other registries are never contacted (the
 * test bed sends no traffic off this machine). Credentials, standing in for the kubelet's registry credentials
 * (kind: a {@code config.json} mounted at {@code /var/lib/kubelet/config.json}), when the registry wants them:
 * {@code -De2e.testbed.pullCredentials=user:password}.
 */
public final class ContainerdNodeImages implements NodeImages {
    private static final long TTL_NANOS = 300_000_000L;
    private final KindLikeCluster cluster;
    private final Map<String, Snapshot> cache = new ConcurrentHashMap<>();
    private final Set<String> pulled = ConcurrentHashMap.newKeySet();
    private final Map<String, String> failures = new ConcurrentHashMap<>();

    private record Snapshot(long at, Map<String, String> ids) {}

    public ContainerdNodeImages(KindLikeCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public List<String> nodes() {
        return cluster.nodes().stream().map(KindNode::name).toList();
    }

    private KindNode node(String name) {
        return cluster.nodes().stream()
                .filter(k -> k.name().equals(name))
                .findFirst()
                .orElse(null);
    }

    @Override
    public Optional<String> imageId(String node, String imageRef) {
        return names(node).map(ids -> ids.get(NodeImages.normalize(imageRef)));
    }

    /**
     * Every name in the node's {@code k8s.io} namespace that resolves to the same config as {@code imageRef}
     * (the node platform's config for an index), as containerd's CRI image store collects them.
     */
    @Override
    public Optional<CriImage> criImage(String node, String imageRef) {
        return names(node)
                .flatMap(ids -> Optional.ofNullable(ids.get(NodeImages.normalize(imageRef)))
                        .map(id -> CriImage.of(
                                id,
                                ids.entrySet().stream()
                                        .filter(e -> e.getValue().equals(id))
                                        .map(Map.Entry::getKey)
                                        .toList())));
    }

    /** The node's names mapped to config digests; empty when there is no such node. */
    private Optional<Map<String, String>> names(String node) {
        KindNode n = node(node);
        if (n == null) {
            return Optional.empty();
        }
        Snapshot s = cache.get(node);
        if (s == null || System.nanoTime() - s.at() > TTL_NANOS) {
            s = new Snapshot(System.nanoTime(), new NodeImageStore(cluster.engine(), n).imageIds());
            cache.put(node, s);
        }
        return Optional.of(s.ids());
    }

    @Override
    public synchronized boolean pull(String node, String imageRef) {
        String key = node + " " + imageRef;
        if (pulled.contains(key)) {
            return true;
        }
        KindNode n = node(node);
        ImageReference named;
        try {
            int at = imageRef.indexOf('@');
            named = ImageReference.parse(at < 0 ? imageRef : imageRef.substring(0, at));
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (n == null || !NodeRegistryPull.isLoopback(named.registryHost())) {
            return false; // the test bed sends no traffic off loopback: like a kind node without registry access
        }
        String credentials = System.getProperty("e2e.testbed.pullCredentials");
        NodeRegistryPull.Result r = new NodeRegistryPull(
                        cluster.engine(), n, credentials != null && credentials.contains(":") ? credentials : null)
                .pull(imageRef);
        cache.remove(node);
        if (!r.pulled()) {
            failures.put(key, r.error());
            return false;
        }
        failures.remove(key);
        pulled.add(key);
        return true;
    }

    @Override
    public Optional<String> pullFailure(String node, String imageRef) {
        return Optional.ofNullable(failures.get(node + " " + imageRef));
    }
}
