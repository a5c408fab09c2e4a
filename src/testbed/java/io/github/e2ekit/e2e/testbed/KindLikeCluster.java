package io.github.e2ekit.e2e.testbed;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.Ulimit;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineKind;
import io.github.e2ekit.e2e.kind.ExecResult;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.NodeExec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Node containers that look like a kind cluster to the plugin: kind's names and labels, and a
 * real containerd with ctr inside, so image loading is exercised exactly as on kind.
 */
public final class KindLikeCluster implements AutoCloseable {
    public static final String TESTBED_CLUSTER_LABEL = "io.github.e2ekit.testbed.cluster";

    private final Engine engine;
    private final String name;
    private final List<KindNode> nodes = new ArrayList<>();
    private String containerdTmpfs;

    private KindLikeCluster(Engine engine, String name) {
        this.engine = engine;
        this.name = name;
    }

    /** Starts a control plane and {@code workers} workers, and waits until containerd answers in each. */
    public static KindLikeCluster start(Engine engine, String name, int workers) {
        return start(engine, name, workers, null);
    }

    /**
     * A one-node cluster whose containerd keeps its content and snapshots on a tmpfs of {@code size} (e.g.
     * {@code 4m}) instead of a volume: a node whose disk is full.
     */
    public static KindLikeCluster startWithSmallDisk(Engine engine, String name, String size) {
        return start(engine, name, 0, size);
    }

    private static KindLikeCluster start(Engine engine, String name, int workers, String containerdTmpfs) {
        String image = NodeImage.ensure(engine);
        removeLeftovers(engine, name);
        KindLikeCluster cluster = new KindLikeCluster(engine, name);
        cluster.containerdTmpfs = containerdTmpfs;
        try {
            cluster.startNode(image, name + "-control-plane", "control-plane");
            for (int i = 1; i <= workers; i++) {
                cluster.startNode(image, name + "-worker" + (i == 1 ? "" : String.valueOf(i)), "worker");
            }
            for (KindNode n : cluster.nodes) {
                cluster.awaitContainerd(n);
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The test bed's node containers of cluster {@code name}, running or not. */
    public static List<Container> nodeContainers(Engine engine, String name) {
        return engine.client()
                .listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(TESTBED_CLUSTER_LABEL, name))
                .exec();
    }

    /** Removes test-bed nodes of the same name that a killed test run left behind (only test-bed ones). */
    private static void removeLeftovers(Engine engine, String name) {
        for (var c : nodeContainers(engine, name)) {
            engine.client()
                    .removeContainerCmd(c.getId())
                    .withForce(true)
                    .withRemoveVolumes(true)
                    .exec();
        }
    }

    private void startNode(String image, String nodeName, String role) {
        DockerClient docker = engine.client();
        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withCapAdd(Capability.ALL)
                .withCapDrop(Capability.SYS_RESOURCE)
                .withSecurityOpts(List.of("seccomp=unconfined"))
                .withTmpFs(
                        containerdTmpfs == null
                                ? Map.of("/run", "rw", "/tmp", "rw")
                                : Map.of(
                                        "/run",
                                        "rw",
                                        "/tmp",
                                        "rw",
                                        "/var/lib/containerd",
                                        "rw,size=" + containerdTmpfs));
        if (containerdTmpfs == null) {
            host = host.withMounts(
                    List.of(new Mount().withType(MountType.VOLUME).withTarget("/var/lib/containerd")));
        }
        if (engine.kind() == EngineKind.PODMAN) {
            host = host.withUlimits(List.of(new Ulimit("nofile", 1024L, 1024L), new Ulimit("nproc", 1024L, 1024L)));
        }
        String id = docker.createContainerCmd(image)
                .withName(nodeName)
                .withHostName(nodeName)
                .withLabels(
                        Map.of(KindNode.CLUSTER_LABEL, name, KindNode.ROLE_LABEL, role, TESTBED_CLUSTER_LABEL, name))
                .withHostConfig(host)
                .exec()
                .getId();
        nodes.add(new KindNode(nodeName, role, id));
        docker.startContainerCmd(id).exec();
    }

    private void awaitContainerd(KindNode node) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        ExecResult last = null;
        while (System.nanoTime() < deadline) {
            last = NodeExec.run(engine, node.containerId(), "ctr", "version");
            if (last.ok()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException(
                "containerd did not start in node " + node.name() + ": " + (last == null ? "" : last.failureText()));
    }

    /** Starts a node container again (after it was killed) and waits until its containerd answers. */
    public void restart(KindNode node) {
        engine.client().startContainerCmd(node.containerId()).exec();
        awaitContainerd(node);
    }

    public String name() {
        return name;
    }

    public List<KindNode> nodes() {
        return List.copyOf(nodes);
    }

    public Engine engine() {
        return engine;
    }

    /** Runs {@code ctr -n k8s.io <args>} in a node and returns its output, failing on a non-zero exit. */
    public String ctr(KindNode node, String... args) {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "ctr";
        cmd[1] = "--namespace=k8s.io";
        System.arraycopy(args, 0, cmd, 2, args.length);
        ExecResult r = NodeExec.run(engine, node.containerId(), cmd);
        if (!r.ok()) {
            throw new IllegalStateException("ctr failed in " + node.name() + ": " + r.failureText());
        }
        return r.stdout();
    }

    /** Image references in a node, as {@code ctr images ls -q} lists them. */
    public List<String> imageRefs(KindNode node) {
        return ctr(node, "images", "ls", "-q").lines().filter(l -> !l.isBlank()).toList();
    }

    /** Removes the node containers and their volumes. */
    @Override
    public void close() {
        for (KindNode n : nodes) {
            try {
                engine.client()
                        .removeContainerCmd(n.containerId())
                        .withForce(true)
                        .withRemoveVolumes(true)
                        .exec();
            } catch (RuntimeException e) {
                System.err.println("test bed: could not remove node " + n.name() + ": " + e.getMessage());
            }
        }
        nodes.clear();
    }
}
