package io.github.e2ekit.e2e.deploy;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/** Opens endpoints: resolves a Service port to a ready pod and port, forwards to it, checks readiness over HTTP. */
public final class Endpoints {
    private final KubeApi api;

    public Endpoints(KubeApi api) {
        this.api = api;
    }

    /** Opens the forward; the caller owns the returned forwarder and closes it at teardown. */
    public PortForwarder open(EndpointSpec spec) {
        String where = "endpoints/endpoint[" + spec.name() + "]";
        V1Service svc = service(spec, where);
        List<V1ServicePort> ports = svc.getSpec() == null || svc.getSpec().getPorts() == null
                ? List.of()
                : svc.getSpec().getPorts();
        V1ServicePort port = ports.stream()
                .filter(p -> p.getPort() == spec.port())
                .findFirst()
                .orElseThrow(() -> new DeployException(
                        where + "/port",
                        "Service '" + spec.service() + "' has no port " + spec.port() + " (it has "
                                + ports.stream()
                                        .map(p -> String.valueOf(p.getPort()))
                                        .toList() + ")"));
        Map<String, String> selector = svc.getSpec().getSelector();
        if (selector == null || selector.isEmpty()) {
            throw new DeployException(
                    where + "/service", "Service '" + spec.service() + "' has no selector, so no pod to forward to");
        }
        String labelSelector = String.join(
                ",",
                selector.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toList());
        V1Pod pod = awaitReadyPod(api, spec, labelSelector, where);
        int target = targetPort(port, pod);
        return PortForwarder.open(api, spec.namespace(), pod.getMetadata().getName(), target);
    }

    /**
     * For clusters whose NodePorts are mapped to host ports (kind {@code extraPortMappings}): the
     * Service's nodePort, translated to the host port by {@code hostPortOf}; no forward is opened.
     */
    public Endpoint viaNodePort(EndpointSpec spec, IntFunction<Integer> hostPortOf) {
        String where = "endpoints/endpoint[" + spec.name() + "]";
        V1Service svc = service(spec, where);
        V1ServicePort port = svc.getSpec().getPorts().stream()
                .filter(p -> p.getPort() == spec.port())
                .findFirst()
                .orElseThrow(() -> new DeployException(
                        where + "/port", "Service '" + spec.service() + "' has no port " + spec.port()));
        if (port.getNodePort() == null) {
            throw new DeployException(
                    where + "/mode",
                    "Service '" + spec.service() + "' is not of type NodePort;"
                            + " use mode portForward, or make it a NodePort Service");
        }
        Integer host = hostPortOf.apply(port.getNodePort());
        if (host == null) {
            throw new DeployException(
                    where + "/mode",
                    "nodePort " + port.getNodePort() + " of Service '" + spec.service()
                            + "' is not mapped to a host port (kind extraPortMappings); use mode portForward");
        }
        return new Endpoint(spec.name(), "127.0.0.1", host, null);
    }

    private V1Service service(EndpointSpec spec, String where) {
        return api.readService(spec.namespace(), spec.service())
                .orElseThrow(() -> new DeployException(
                        where + "/service",
                        "Service '" + spec.service() + "' not found in namespace " + spec.namespace()));
    }

    /**
     * A ready pod behind the Service, waited for up to 30 s (a pod may have turned unready since the
     * rollout); fails at once, with the reason, when a pod is in a state that never heals.
     */
    private static V1Pod awaitReadyPod(KubeApi api, EndpointSpec spec, String labelSelector, String where) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            List<V1Pod> pods = api.listPods(spec.namespace(), labelSelector);
            for (V1Pod p : pods) {
                if (ready(p)) {
                    return p;
                }
            }
            for (V1Pod p : pods) {
                if (p.getStatus() != null && p.getStatus().getContainerStatuses() != null) {
                    for (var cs : p.getStatus().getContainerStatuses()) {
                        var w = cs.getState() == null ? null : cs.getState().getWaiting();
                        if (w != null && ReadinessWait.FATAL.contains(w.getReason())) {
                            throw new DeployException("Service '" + spec.service() + "': pod "
                                    + p.getMetadata().getName()
                                    + " container " + cs.getName() + " is " + w.getReason()
                                    + ReadinessWait.hint(w.getReason(), cs.getImage()));
                        }
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new DeployException(
                        where,
                        "no ready pod behind Service '" + spec.service() + "' (" + ReadinessWait.podState(pods) + ")");
            }
            Applier.sleep(250);
        }
    }

    static boolean ready(V1Pod p) {
        if (p.getStatus() == null
                || p.getStatus().getConditions() == null
                || p.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        for (V1PodCondition c : p.getStatus().getConditions()) {
            if ("Ready".equals(c.getType()) && "True".equals(c.getStatus())) {
                return true;
            }
        }
        return false;
    }

    static int targetPort(V1ServicePort port, V1Pod pod) {
        IntOrString t = port.getTargetPort();
        if (t == null) {
            return port.getPort();
        }
        if (t.isInteger()) {
            return t.getIntValue();
        }
        for (V1Container c : pod.getSpec().getContainers()) {
            if (c.getPorts() != null) {
                for (V1ContainerPort cp : c.getPorts()) {
                    if (t.getStrValue().equals(cp.getName())) {
                        return cp.getContainerPort();
                    }
                }
            }
        }
        throw new DeployException("Service port " + port.getPort() + " targets port '" + t.getStrValue()
                + "', which no container of pod " + pod.getMetadata().getName() + " names");
    }

    /** GETs {@code path} through the forward until it answers 2xx or {@code timeout} passes. */
    public static void awaitHttp(Endpoint endpoint, String path, Duration timeout) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI uri = URI.create(endpoint.url() + (path.startsWith("/") ? path : "/" + path));
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(5))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 == 2) {
                    return;
                }
                last = "HTTP " + r.statusCode();
            } catch (IOException e) {
                last = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeployException("interrupted");
            }
            Applier.sleep(250);
        }
        throw new DeployException("endpoint " + endpoint.name() + ": " + uri + " did not answer 2xx within "
                + timeout.toSeconds() + " s (last: " + last + ")");
    }
}
