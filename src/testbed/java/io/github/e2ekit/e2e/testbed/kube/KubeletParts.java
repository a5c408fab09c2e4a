package io.github.e2ekit.e2e.testbed.kube;

/**
 * What the kubelet's parts ({@link KubeletContainers}, {@link RealContainers}) share: the controllers' kit (events,
 * node addresses), the nodes' images, the pod runtime, the faults a test asked for and the readiness probes.
 */
record KubeletParts(
        FakeControllers kit, NodeImages nodes, PodRuntime runtime, KubeletFaults faults, KubeletProbes probes) {}
