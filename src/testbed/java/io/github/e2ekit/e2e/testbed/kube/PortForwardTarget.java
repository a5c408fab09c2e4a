package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.Optional;

/**
 * The pod a {@code pods/{name}/portforward} request is for, whichever protocol it speaks (WebSocket v4, SPDY,
 * SPDY over WebSocket), or the API server's answer when there is none: 405 for other verbs than GET/POST, 404
 * for a missing pod, 400 for a pod without a node. A pod that is not running is forwarded to, and every
 * connection fails on the error stream, as the kubelet answers ({@code notRunning}).
 */
record PortForwardTarget(PodRuntime.PodRef pod, String notRunning, MockResponse error) {

    static PortForwardTarget resolve(FakeApiDispatcher dispatcher, ResourcePath rp, String method) {
        ResourceType type = dispatcher.typeOf("", "v1", "pods");
        if (!method.equals("GET") && !method.equals("POST")) {
            return failed(FakeApiDispatcher.status(
                    405,
                    "MethodNotAllowed",
                    "the server does not allow this method on the requested resource",
                    type,
                    rp.name()));
        }
        JsonNode pod = dispatcher.atomically(() -> dispatcher.find(type, rp.namespace(), rp.name()));
        if (pod == null) {
            return failed(
                    FakeApiDispatcher.status(404, "NotFound", "pods \"" + rp.name() + "\" not found", type, rp.name()));
        }
        String node = Json.text(pod, "spec", "nodeName");
        if (node == null || node.isEmpty()) {
            return failed(FakeApiDispatcher.status(
                    400, "BadRequest", "pod " + rp.name() + " does not have a host assigned", type, rp.name()));
        }
        String phase = Optional.ofNullable(Json.text(pod, "status", "phase")).orElse("Pending");
        String notRunning = phase.equals("Running")
                ? null
                : "unable to do port forwarding: pod is not running (phase " + phase + ")";
        PodRuntime.PodRef ref =
                new PodRuntime.PodRef(rp.namespace(), rp.name(), Json.text(pod, "metadata", "uid"), node);
        return new PortForwardTarget(ref, notRunning, null);
    }

    private static PortForwardTarget failed(MockResponse error) {
        return new PortForwardTarget(null, null, error);
    }
}
