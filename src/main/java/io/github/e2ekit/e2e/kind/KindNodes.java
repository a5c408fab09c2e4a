package io.github.e2ekit.e2e.kind;

import io.github.e2ekit.e2e.image.ContainerSummary;
import io.github.e2ekit.e2e.image.Engine;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/** Finds kind node containers through the engine, by kind's own labels. */
public final class KindNodes {
    private KindNodes() {}

    /** The running nodes of {@code cluster}, control plane first, without external load balancers. */
    public static List<KindNode> list(Engine engine, String cluster) {
        List<ContainerSummary> containers = engine.containersLabelled(KindNode.CLUSTER_LABEL, cluster, false);
        return containers.stream()
                .map(c -> new KindNode(c.name(), c.labels().getOrDefault(KindNode.ROLE_LABEL, ""), c.id()))
                .filter(n -> !"external-load-balancer".equals(n.role()))
                .sorted(Comparator.comparing((KindNode n) -> !n.isControlPlane())
                        .thenComparing(KindNode::name))
                .toList();
    }

    /** Names of every kind cluster that has a node container on this engine, sorted. */
    public static List<String> clusters(Engine engine) {
        TreeSet<String> names = new TreeSet<>();
        for (ContainerSummary c : engine.containersWithLabel(KindNode.CLUSTER_LABEL)) {
            names.add(Objects.requireNonNullElse(c.labels().get(KindNode.CLUSTER_LABEL), "?"));
        }
        return List.copyOf(names);
    }

    /** The host port a node publishes for {@code containerPort}/tcp (kind extraPortMappings), or null. */
    public static Integer hostPort(Engine engine, List<KindNode> nodes, int containerPort) {
        for (KindNode n : nodes) {
            Optional<Integer> port = engine.publishedPort(n.containerId(), containerPort);
            if (port.isPresent()) {
                return port.get();
            }
        }
        return null;
    }
}
