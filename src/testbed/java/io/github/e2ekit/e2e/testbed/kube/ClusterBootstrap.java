package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The namespaces and nodes a fresh kind cluster has, and the addresses kind gives its nodes on its Docker network
 * ({@code 172.18.0.2} for the first).
 */
record ClusterBootstrap(FakeApiDispatcher api, NodeImages nodes) {

    /** The namespaces and nodes a fresh kind cluster has. */
    void bootstrap() {
        ResourceType nodeType = api.typeOf("", "v1", "nodes");
        for (String ns : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
            ObjectNode o = Json.obj().put("apiVersion", "v1").put("kind", "Namespace");
            Json.with(o, "metadata").put("name", ns);
            api.internal("POST", "/api/v1/namespaces", o);
        }
        List<String> names = nodes.nodes();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            ObjectNode n = Json.obj().put("apiVersion", "v1").put("kind", "Node");
            ObjectNode labels = Json.with(Json.with(n, "metadata").put("name", name), "labels");
            labels.put("kubernetes.io/hostname", name)
                    .put("kubernetes.io/os", "linux")
                    .put("kubernetes.io/arch", "amd64");
            if (i == 0) {
                labels.put("node-role.kubernetes.io/control-plane", "");
            }
            Json.with(n, "spec").put("podCIDR", "10.244." + i + ".0/24");
            api.internal("POST", "/api/v1/nodes", n);
            ObjectNode stored = (ObjectNode) api.find(nodeType, null, name);
            ObjectNode st = Json.with(stored, "status");
            String now = Json.now();
            st.putArray("conditions")
                    .addObject()
                    .put("type", "Ready")
                    .put("status", "True")
                    .put("reason", "KubeletReady")
                    .put("message", "kubelet is posting ready status")
                    .put("lastHeartbeatTime", now)
                    .put("lastTransitionTime", now);
            ArrayNode addrs = st.putArray("addresses");
            addrs.addObject().put("type", "InternalIP").put("address", nodeIp(name));
            addrs.addObject().put("type", "Hostname").put("address", name);
            st.putObject("nodeInfo")
                    .put("architecture", "amd64")
                    .put("bootID", uuidLike(name + "boot"))
                    .put("containerRuntimeVersion", "containerd://1.7.18")
                    .put("kernelVersion", "6.1.0")
                    .put("kubeProxyVersion", "v1.31.0")
                    .put("kubeletVersion", "v1.31.0")
                    .put("machineID", uuidLike(name + "machine").replace("-", ""))
                    .put("operatingSystem", "linux")
                    .put("osImage", "Debian GNU/Linux 12 (bookworm)")
                    .put("systemUUID", uuidLike(name + "system"));
            st.put("phase", "Running");
            api.internal("PUT", "/api/v1/nodes/" + name + "/status", stored);
        }
    }

    String nodeIp(String node) {
        int idx = Math.max(0, nodes.nodes().indexOf(node));
        return "172.18.0." + (idx + 2);
    }

    private static String uuidLike(String seed) {
        String h = FakeControllers.sha256(seed);
        return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20)
                + "-" + h.substring(20, 32);
    }
}
