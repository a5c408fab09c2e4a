package io.github.e2ekit.e2e.testbed;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.kind.ExecResult;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.NodeExec;
import java.util.List;

/**
 * kind's documented local-registry set-up, done on a {@link KindLikeCluster} the way a user follows
 * https://kind.sigs.k8s.io/docs/user/local-registry/ (kind {@code site/static/examples/kind-with-registry.sh}):
 *
 * <ol>
 * <li>step 1, a registry published on the host's loopback: here {@link LocalRegistry} (127.0.0.1:&lt;port&gt;);</li>
 * <li>step 2, containerd's {@code config_path = "/etc/containerd/certs.d"}: the default of containerd 2 on Linux
 * ({@code plugins/cri/images/plugin.go}) and so of kind node images from v0.27.0, which this test bed's nodes
 * imitate — nothing to do;</li>
 * <li>step 3, on every node {@code /etc/containerd/certs.d/<host:port>/hosts.toml} with
 * {@code [host."http://kind-registry:5000"]} ({@link #writeHostsToml});</li>
 * <li>step 4, {@code docker network connect kind kind-registry}: the registry container becomes reachable from
 * the nodes under its name on the {@code kind} network ({@link #connect}).</li>
 * </ol>
 *
 * <p>The test bed's nodes run with {@code --network none} (this machine has no bridge), so step 4 cannot be a
 * real network: the test bed keeps its stand-in for the {@code kind} network's name service in each node, a file
 * {@code /run/testbed/kind-network/<name:port>} holding the host address that name reaches. Only the test bed's
 * kubelet reads it ({@link NodeRegistryPull}); a node without it cannot resolve the name, as a node whose registry
 * was never connected to the {@code kind} network cannot.
 */
public final class KindLocalRegistry {
    /** The registry container's name and port in kind's script. */
    public static final String NAME = "kind-registry";

    public static final int PORT = 5000;
    /** Where the test bed keeps its stand-in for the kind network's names (tmpfs: gone with the node). */
    public static final String NETWORK_DIR = "/run/testbed/kind-network";

    private KindLocalRegistry() {}

    /** Steps 3 and 4 for {@code registry}: the nodes pull {@code registry.host()} through {@code kind-registry:5000}. */
    public static void setUp(KindLikeCluster cluster, LocalRegistry registry) {
        setUp(cluster.engine(), cluster.nodes(), registry.host());
    }

    /**
     * Steps 3 and 4 on the nodes of a running test bed (an IT's prebuild finds them with {@code KindNodes.list}),
     * for a registry listening on the host at {@code registryHost}.
     */
    public static void setUp(Engine engine, List<KindNode> nodes, String registryHost) {
        connect(engine, nodes, NAME + ":" + PORT, registryHost);
        writeHostsToml(engine, nodes, registryHost, "[host.\"http://" + NAME + ":" + PORT + "\"]\n");
    }

    /** Undoes {@link #setUp} (the nodes stay usable for other registries). */
    public static void tearDown(Engine engine, List<KindNode> nodes, String registryHost) {
        for (KindNode n : nodes) {
            run(
                    engine,
                    n,
                    "rm",
                    "-rf",
                    "/etc/containerd/certs.d/" + registryHost,
                    NETWORK_DIR + "/" + NAME + ":" + PORT);
        }
    }

    /** kind's step 3: {@code hosts.toml} for {@code registryHost} on every node, with {@code content}. */
    public static void writeHostsToml(Engine engine, List<KindNode> nodes, String registryHost, String content) {
        String dir = "/etc/containerd/certs.d/" + registryHost;
        for (KindNode n : nodes) {
            run(engine, n, "sh", "-c", "mkdir -p \"$1\" && printf '%s' \"$2\" > \"$1/hosts.toml\"", "sh", dir, content);
        }
    }

    /**
     * kind's step 4 in the test bed: {@code nameAndPort} (e.g. {@code kind-registry:5000}) on the kind network
     * reaches {@code hostAddress} (e.g. {@code 127.0.0.1:41234}, where the registry listens on the host).
     */
    public static void connect(Engine engine, List<KindNode> nodes, String nameAndPort, String hostAddress) {
        for (KindNode n : nodes) {
            run(
                    engine,
                    n,
                    "sh",
                    "-c",
                    "mkdir -p \"$1\" && printf '%s' \"$3\" > \"$1/$2\"",
                    "sh",
                    NETWORK_DIR,
                    nameAndPort,
                    hostAddress);
        }
    }

    private static void run(Engine engine, KindNode n, String... cmd) {
        ExecResult r = NodeExec.run(engine, n.containerId(), cmd);
        if (!r.ok()) {
            throw new IllegalStateException(
                    "kind local registry set-up failed in " + n.name() + ": " + r.failureText());
        }
    }
}
