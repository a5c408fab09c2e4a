package io.github.e2ekit.e2e.kind;

import com.github.dockerjava.api.model.Container;
import io.github.e2ekit.e2e.image.Engine;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/** Finds kind node containers through the engine, by kind's own labels. */
public final class KindNodes {
    private KindNodes() {
    }

    /** The running nodes of {@code cluster}, control plane first, without external load balancers. */
    public static List<KindNode> list(Engine engine, String cluster) {
        List<Container> containers = engine.client().listContainersCmd()
                .withLabelFilter(Map.of(KindNode.CLUSTER_LABEL, cluster))
                .withShowAll(false)
                .exec();
        return containers.stream()
                .map(c -> new KindNode(nameOf(c), c.getLabels().getOrDefault(KindNode.ROLE_LABEL, ""), c.getId()))
                .filter(n -> !"external-load-balancer".equals(n.role()))
                .sorted(Comparator.comparing((KindNode n) -> !n.isControlPlane()).thenComparing(KindNode::name))
                .toList();
    }

    /** Names of every kind cluster that has a node container on this engine, sorted. */
    public static List<String> clusters(Engine engine) {
        TreeSet<String> names = new TreeSet<>();
        for (Container c : engine.client().listContainersCmd().withShowAll(true)
                .withLabelFilter(List.of(KindNode.CLUSTER_LABEL)).exec()) {
            names.add(Objects.requireNonNullElse(c.getLabels().get(KindNode.CLUSTER_LABEL), "?"));
        }
        return List.copyOf(names);
    }

    /** The host port a node publishes for {@code containerPort}/tcp (kind extraPortMappings), or null. */
    public static Integer hostPort(Engine engine, List<KindNode> nodes, int containerPort) {
        for (KindNode n : nodes) {
            var ports = engine.client().inspectContainerCmd(n.containerId()).exec().getNetworkSettings().getPorts();
            var binding = ports == null ? null : ports.getBindings().get(
                    com.github.dockerjava.api.model.ExposedPort.tcp(containerPort));
            if (binding != null && binding.length > 0 && binding[0].getHostPortSpec() != null) {
                return Integer.parseInt(binding[0].getHostPortSpec());
            }
        }
        return null;
    }

    private static String nameOf(Container c) {
        String[] names = c.getNames();
        if (names == null || names.length == 0) {
            return c.getId().substring(0, 12);
        }
        String n = names[0];
        return n.startsWith("/") ? n.substring(1) : n;
    }
}
