package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the kubelet remembers about one pod, as a real kubelet keeps it in the container runtime: when it was first
 * seen, its IP, when each container started, the events already sent, the simulated log, and the containers a real
 * {@link PodRuntime} runs. Dropped when the pod is gone.
 */
final class PodState {
    final Instant firstSeen = Instant.now();
    final String podIp;
    final Map<String, Instant> started = new ConcurrentHashMap<>();
    final Set<String> eventsSent = ConcurrentHashMap.newKeySet();
    /** Appended by the kubelet's loop, read by followed logs on their own threads. */
    final StringBuffer log = new StringBuffer();
    /** Set once the pod runtime was asked to start something for this pod. */
    volatile PodRuntime.PodRef ref;
    /** Containers run by a real pod runtime, by name. */
    final Map<String, RealContainer> containers = new ConcurrentHashMap<>();

    PodState(String podIp) {
        this.podIp = podIp;
    }

    /** The pod as the pod runtime knows it, made the first time the runtime is asked to run one of its containers. */
    PodRuntime.PodRef runtimeRef(JsonNode pod, String node) {
        if (ref == null) {
            ref = new PodRuntime.PodRef(
                    Json.text(pod, "metadata", "namespace"),
                    Json.text(pod, "metadata", "name"),
                    Json.text(pod, "metadata", "uid"),
                    node);
        }
        return ref;
    }
}
