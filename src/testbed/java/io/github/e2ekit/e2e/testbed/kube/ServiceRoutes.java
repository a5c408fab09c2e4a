package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Which ready pods stand behind each Service port, the way the EndpointSlice controller lists them and
 * kube-proxy reads them: pods of the Service's namespace whose labels match its selector, that are Ready and not
 * being deleted, with the target port resolved (a number, or the name of a container port).
 */
final class ServiceRoutes {
    private ServiceRoutes() {}

    static List<PodRuntime.ServiceRoute> of(List<JsonNode> services, List<JsonNode> pods) {
        List<PodRuntime.ServiceRoute> out = new ArrayList<>();
        for (JsonNode svc : services) {
            String ns = Json.text(svc, "metadata", "namespace");
            String name = Json.text(svc, "metadata", "name");
            JsonNode spec = svc.path("spec");
            String clusterIp = Json.text(spec, "clusterIP");
            JsonNode selector = spec.path("selector");
            // kubernetes pkg/controller/endpointslice (via endpointslice staging reconciler): Services without a
            // selector get no managed endpoints; headless Services (clusterIP None) have no cluster IP to route
            if (clusterIp == null
                    || clusterIp.equals("None")
                    || clusterIp.isEmpty()
                    || !selector.isObject()
                    || selector.isEmpty()) {
                continue;
            }
            for (JsonNode port : spec.path("ports")) {
                if (!"TCP".equals(port.path("protocol").asText("TCP"))) {
                    continue;
                }
                int servicePort = port.path("port").asInt();
                List<PodRuntime.Endpoint> endpoints = new ArrayList<>();
                for (JsonNode pod : pods) {
                    if (!ns.equals(Json.text(pod, "metadata", "namespace")) || !matches(selector, pod) || !ready(pod)) {
                        continue;
                    }
                    int target = targetPort(port, pod);
                    String node = Json.text(pod, "spec", "nodeName");
                    if (target > 0 && node != null) {
                        endpoints.add(new PodRuntime.Endpoint(
                                new PodRuntime.PodRef(
                                        ns,
                                        Json.text(pod, "metadata", "name"),
                                        Json.text(pod, "metadata", "uid"),
                                        node),
                                target));
                    }
                }
                out.add(new PodRuntime.ServiceRoute(ns, name, clusterIp, servicePort, endpoints));
            }
        }
        return out;
    }

    private static boolean matches(JsonNode selector, JsonNode pod) {
        JsonNode labels = pod.path("metadata").path("labels");
        for (Iterator<Map.Entry<String, JsonNode>> it = selector.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    /**
     * kubernetes pkg/controller/util/endpoint/controller_utils.go ShouldPodBeInEndpoints (a terminal or deleted pod
     * is not an endpoint) and pkg/api/v1/pod/util.go IsPodReady (only Ready pods receive traffic;
     * publishNotReadyAddresses is not imitated).
     */
    static boolean ready(JsonNode pod) {
        if (pod.path("metadata").hasNonNull("deletionTimestamp")) {
            return false;
        }
        String phase = pod.path("status").path("phase").asText();
        if (phase.equals("Succeeded") || phase.equals("Failed")) {
            return false;
        }
        for (JsonNode c : pod.path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asText())) {
                return "True".equals(c.path("status").asText());
            }
        }
        return false;
    }

    /**
     * kubernetes pkg/api/v1/pod/util.go FindPort: a numeric targetPort as it is, a named one is the container port
     * of that name; no targetPort means the Service's port. 0 when the name is not found.
     */
    static int targetPort(JsonNode servicePort, JsonNode pod) {
        JsonNode t = servicePort.path("targetPort");
        if (t.isMissingNode() || t.isNull()) {
            return servicePort.path("port").asInt();
        }
        if (t.isInt() || t.asText().matches("\\d+")) {
            return t.asInt(Integer.parseInt(t.asText("0")));
        }
        for (JsonNode c : pod.path("spec").path("containers")) {
            for (JsonNode p : c.path("ports")) {
                if (t.asText().equals(p.path("name").asText())
                        && "TCP".equals(p.path("protocol").asText("TCP"))) {
                    return p.path("containerPort").asInt();
                }
            }
        }
        return 0;
    }
}
