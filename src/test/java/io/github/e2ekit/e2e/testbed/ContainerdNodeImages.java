package io.github.e2ekit.e2e.testbed;

import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.model.AuthConfig;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.ImageLoader;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.NodeImageStore;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.testbed.kube.CriImage;
import io.github.e2ekit.e2e.testbed.kube.NodeImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What the simulated kubelet sees: the images in the kind-like nodes' real containerd, read with
 * ctr (briefly cached, as the kubelet's controllers poll often).
 *
 * <p>Pulls, as a kubelet would, only from registries on 127.0.0.1 (the nodes have no network, and the
 * test bed sends traffic nowhere else): the host's engine pulls the reference (by digest when the spec
 * pins one), the plugin's own loader puts it into the node, and the node names it exactly as the pod spec
 * does. Credentials, when the registry wants them: {@code -De2e.testbed.pullCredentials=user:password}.
 */
public final class ContainerdNodeImages implements NodeImages {
    private static final long TTL_NANOS = 300_000_000L;
    private final KindLikeCluster cluster;
    private final Map<String, Snapshot> cache = new ConcurrentHashMap<>();
    private final Set<String> pulled = ConcurrentHashMap.newKeySet();

    private record Snapshot(long at, Map<String, String> ids) {
    }

    public ContainerdNodeImages(KindLikeCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public List<String> nodes() {
        return cluster.nodes().stream().map(KindNode::name).toList();
    }

    private KindNode node(String name) {
        return cluster.nodes().stream().filter(k -> k.name().equals(name)).findFirst().orElse(null);
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
        return names(node).flatMap(ids -> Optional.ofNullable(ids.get(NodeImages.normalize(imageRef)))
                .map(id -> CriImage.of(id, ids.entrySet().stream().filter(e -> e.getValue().equals(id))
                        .map(Map.Entry::getKey).toList())));
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
        int at = imageRef.indexOf('@');
        ImageReference named;
        try {
            named = ImageReference.parse(at < 0 ? imageRef : imageRef.substring(0, at));
        } catch (IllegalArgumentException e) {
            return false;
        }
        String host = named.registryHost();
        if (n == null || host == null || !(host.startsWith("127.0.0.1:") || host.equals("127.0.0.1"))) {
            return false; // the test bed sends traffic to loopback only
        }
        Engine engine = cluster.engine();
        String source = at < 0 ? named.toString() : named.repository() + imageRef.substring(at);
        try {
            var pull = engine.client().pullImageCmd(source);
            String credentials = System.getProperty("e2e.testbed.pullCredentials");
            if (credentials != null && credentials.contains(":")) {
                pull = pull.withAuthConfig(new AuthConfig().withRegistryAddress(host)
                        .withUsername(credentials.substring(0, credentials.indexOf(':')))
                        .withPassword(credentials.substring(credentials.indexOf(':') + 1)));
            }
            if (!pull.exec(new PullImageResultCallback()).awaitCompletion(2, TimeUnit.MINUTES)) {
                return false;
            }
            String id = engine.client().inspectImageCmd(source).exec().getId();
            // the loader needs a name: a test-bed-only tag, gone from the engine and the node afterwards
            ImageReference temp = ImageReference.of(named.repository(), "testbed-pull-" + id.substring(7, 19));
            engine.client().tagImageCmd(id, temp.repository(), temp.tag()).exec();
            Path ledgerDir = Files.createTempDirectory("testbed-pull");
            try {
                new ImageLoader(engine, Ledger.start(ledgerDir.resolve("ledger.json"), "testbed", "pull"), cluster.name())
                        .load(List.of(n), temp, id);
                NodeImageStore store = new NodeImageStore(engine, n);
                store.tag(engine.nodeName(temp), NodeImages.normalize(imageRef));
                store.remove(List.of(engine.nodeName(temp)));
            } finally {
                engine.client().removeImageCmd(temp.toString()).exec();
                if (at >= 0) {
                    engine.client().removeImageCmd(source).exec(); // the digest name the pull added
                }
                NodeImage.deleteTree(ledgerDir);
            }
            cache.remove(node);
            pulled.add(key);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            System.err.println("test bed: pulling " + imageRef + " onto " + node + " failed: " + e.getMessage());
            return false;
        }
    }
}
