package io.github.e2ekit.e2e.testbed;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.testbed.kube.FakeKubernetes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A cluster that behaves like kind where it matters: kind-like node containers with real
 * containerd, and a fake Kubernetes API whose kubelet sees those nodes' images and runs pods'
 * containers as real processes from those images inside the nodes ({@link NodeProcessRuntime}),
 * reachable through the API's {@code pods/portforward}.
 */
public final class TestBed implements AutoCloseable {
    private final KindLikeCluster nodes;
    private final FakeKubernetes kubernetes;
    private final Path kubeconfig;

    private TestBed(KindLikeCluster nodes, FakeKubernetes kubernetes, Path kubeconfig) {
        this.nodes = nodes;
        this.kubernetes = kubernetes;
        this.kubeconfig = kubeconfig;
    }

    /** Starts {@code workers + 1} nodes and the fake API; writes its kubeconfig to {@code kubeconfig}. */
    public static TestBed start(Engine engine, String cluster, int workers, Path kubeconfig) {
        KindLikeCluster nodes = KindLikeCluster.start(engine, cluster, workers);
        FakeKubernetes kubernetes = null;
        try {
            kubernetes = new FakeKubernetes(new ContainerdNodeImages(nodes), new NodeProcessRuntime(nodes));
            kubernetes.writeKubeconfig(kubeconfig, cluster);
            return new TestBed(nodes, kubernetes, kubeconfig);
        } catch (IOException | RuntimeException e) {
            if (kubernetes != null) {
                kubernetes.close();
            }
            nodes.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    public KindLikeCluster nodes() {
        return nodes;
    }

    public FakeKubernetes kubernetes() {
        return kubernetes;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public String clusterName() {
        return nodes.name();
    }

    @Override
    public void close() {
        try {
            kubernetes.close();
        } finally {
            nodes.close();
        }
    }
}
