package io.github.e2ekit.e2e.kind;

import io.github.e2ekit.e2e.work.Sha256;
import io.github.e2ekit.e2e.work.WorkKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a load into kind nodes is keyed by, so that loads sending the same layers into the same nodes at the same time
 * (four services loading DataStorage, two CI jobs) send them once: the engine, the nodes (container IDs) and the
 * layer stack up to the lowest layer some node lacks, named by its ChainID. A second load waits, reads the nodes'
 * content stores again and sends only what is still missing (usually nothing but the image's own config).
 *
 * <p>ChainID, as the OCI image spec defines it (opencontainers/image-spec config.md, "Layer ChainID"): the bottom
 * layer's ChainID is its DiffID; above it {@code ChainID(n) = SHA256hex(ChainID(n-1) + " " + DiffID(n))} (Docker names
 * its layer store by it: {@code /var/lib/docker/image/overlay2/layerdb/sha256/<chainID>}).
 */
public final class LayerSendKey {
    private LayerSendKey() {}

    /** The ChainIDs of {@code diffIds} (bottom first), each {@code sha256:}-prefixed. */
    public static List<String> chainIds(List<String> diffIds) {
        List<String> out = new ArrayList<>(diffIds.size());
        String chain = null;
        for (String diffId : diffIds) {
            chain = chain == null ? diffId : "sha256:" + Sha256.hex(chain + " " + diffId);
            out.add(chain);
        }
        return out;
    }

    /**
     * The key for sending {@code diffIds} into {@code nodes}, whose content stores hold {@code held} (blob digests per
     * node container ID); {@code null} when every node holds every layer (nothing to send, nothing to wait for).
     */
    public static WorkKey lowestMissing(
            String engineEndpoint, List<KindNode> nodes, List<String> diffIds, Map<String, Set<String>> held) {
        List<String> chains = chainIds(diffIds);
        for (int i = 0; i < diffIds.size(); i++) {
            String d = diffIds.get(i);
            if (nodes.stream()
                    .anyMatch(n -> !held.getOrDefault(n.containerId(), Set.of()).contains(d))) {
                List<String> parts = new ArrayList<>(List.of("layer send/v1", engineEndpoint, chains.get(i)));
                nodes.stream()
                        .map(KindNode::containerId)
                        .sorted(Comparator.naturalOrder())
                        .forEach(parts::add);
                return WorkKey.of(
                        "sending layers up to " + chains.get(i).substring(0, 19) + " into "
                                + String.join(
                                        ", ",
                                        nodes.stream()
                                                .map(KindNode::name)
                                                .sorted()
                                                .toList()),
                        parts);
            }
        }
        return null;
    }
}
