package io.github.e2ekit.e2e.testbed.kube;

import java.io.IOException;
import java.util.Optional;

/**
 * A runtime that runs nothing: the kubelet simulates containers ({@link PodRuntime#none()}). Probes pass, nothing
 * exits, and a connection to a pod's port fails, since no process listens; {@link LoopbackPodRuntime} connects
 * instead.
 */
class SimulatedPodRuntime implements PodRuntime {

    @Override
    public boolean runsProcesses() {
        return false;
    }

    @Override
    public void start(PodRef pod, ContainerSpec container, String imageRef) {}

    @Override
    public Optional<Integer> exitCode(PodRef pod, String container) {
        return Optional.empty();
    }

    @Override
    public boolean probe(PodRef pod, String container, Probe probe) {
        return true;
    }

    @Override
    public void stopPod(PodRef pod) {}

    @Override
    public Connection connect(PodRef pod, int port) throws IOException {
        throw new IOException("this fake cluster runs no container processes (its node images are in memory), "
                + "so nothing listens on port " + port);
    }

    @Override
    public void close() {}
}
