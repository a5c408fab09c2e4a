package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One container of one pod in one kubelet pass, what its status turn needs: the pod as stored, the node it runs on,
 * the kubelet's state of the pod, the container's spec and the pass's moment.
 */
record ContainerTurn(JsonNode pod, String node, PodState rt, JsonNode c, Instant now) {

    String cname() {
        return c.path("name").asText();
    }

    String image() {
        return c.path("image").asText();
    }

    /** The pod as the pod runtime knows it. */
    PodRuntime.PodRef ref() {
        return rt.runtimeRef(pod, node);
    }

    /** The events' {@code involvedObject.fieldPath}. */
    String field() {
        return "spec.containers{" + cname() + "}";
    }
}
