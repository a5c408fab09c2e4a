package io.github.e2ekit.e2e.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Resolves the digests pods report ({@code status.containerStatuses[].imageID}) to image config digests on the
 * node that runs them: on containerd a container reports the image's first repo digest (a manifest or an index
 * digest), not its config digest, so only the node's content store can say which image that is.
 */
@FunctionalInterface
public interface NodeDigests {

    /** What one digest names on a node: its config digest, or why that cannot be said. */
    record Resolution(String configDigest, String problem) {
        public static Resolution config(String digest) {
            return new Resolution(digest, null);
        }

        public static Resolution unresolved(String problem) {
            return new Resolution(null, problem);
        }
    }

    /** Resolves {@code digests} on {@code node}, reading the node once; every digest asked gets an answer. */
    Map<String, Resolution> resolve(String node, Set<String> digests);

    /** No node can be read (a cluster that is not kind, reached only through its API). */
    NodeDigests NONE = (node, digests) -> {
        Map<String, Resolution> out = new LinkedHashMap<>();
        digests.forEach(
                d -> out.put(d, Resolution.unresolved("the cluster's nodes cannot be read (not a kind cluster)")));
        return out;
    };
}
