package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The defaults the API server writes into objects: a Namespace's {@code kubernetes} finalizer and name label, a
 * CRD's cleanup finalizer, a Service's type and cluster IP, workloads' replicas, back-off limit, restart policy,
 * grace period, image pull policy and termination message fields (more in {@link WorkloadDefaults}).
 */
final class ObjectDefaults {
    private final AtomicInteger nextClusterIp = new AtomicInteger(10);

    /** Fills in what the API server defaults on create (and on update, for pod templates). */
    void apply(ResourceType type, ObjectNode obj) {
        switch (type.kind()) {
            case "Namespace" -> {
                ObjectNode spec = Json.with(obj, "spec");
                if (!spec.has("finalizers")) {
                    spec.set("finalizers", Json.arr().add("kubernetes"));
                }
                Json.with(Json.with(obj, "metadata"), "labels")
                        .put("kubernetes.io/metadata.name", Json.text(obj, "metadata", "name"));
            }
            case "CustomResourceDefinition" -> {
                // apiextensions-apiserver pkg/registry/customresourcedefinition/etcd.go: the cleanup finalizer
                ArrayNode f = Json.with(obj, "metadata").withArray("finalizers");
                f.add(CrdLifecycle.CLEANUP);
            }
            case "Service" -> {
                ObjectNode spec = Json.with(obj, "spec");
                String t = Json.text(spec, "type");
                if (t == null) {
                    spec.put("type", "ClusterIP");
                }
                if (!"ExternalName".equals(spec.path("type").asText()) && !spec.hasNonNull("clusterIP")) {
                    int n = nextClusterIp.getAndIncrement();
                    String ip = "10.96." + (n / 250) + "." + (n % 250 + 1);
                    spec.put("clusterIP", ip);
                    spec.set("clusterIPs", Json.arr().add(ip));
                }
                if (!spec.has("sessionAffinity")) {
                    spec.put("sessionAffinity", "None");
                }
            }
            case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Pod" -> {
                ObjectNode spec = Json.with(obj, "spec");
                if (!type.kind().equals("DaemonSet")
                        && !type.kind().equals("Pod")
                        && !type.kind().equals("Job")
                        && !spec.has("replicas")) {
                    spec.put("replicas", 1);
                }
                if (type.kind().equals("Job") && !spec.has("backoffLimit")) {
                    spec.put("backoffLimit", 6);
                }
                ObjectNode podSpec = type.kind().equals("Pod") ? spec : Json.with(Json.with(spec, "template"), "spec");
                if (!podSpec.has("restartPolicy")) {
                    podSpec.put(
                            "restartPolicy", "Always"); // kubernetes pkg/apis/core/v1/defaults.go SetDefaults_PodSpec
                }
                if (!podSpec.has("terminationGracePeriodSeconds")) {
                    podSpec.put(
                            "terminationGracePeriodSeconds",
                            30); // same SetDefaults_PodSpec (DefaultTerminationGracePeriodSeconds)
                }
                defaultContainers(podSpec, "containers");
                defaultContainers(podSpec, "initContainers");
                WorkloadDefaults.apply(type.kind(), spec);
            }
            default -> {}
        }
    }

    private static void defaultContainers(ObjectNode podSpec, String field) {
        JsonNode cs = podSpec.get(field);
        if (cs == null) {
            return;
        }
        for (JsonNode c : cs) {
            if (c instanceof ObjectNode co && !co.hasNonNull("imagePullPolicy") && co.hasNonNull("image")) {
                co.put("imagePullPolicy", NodeImages.isLatest(co.get("image").asText()) ? "Always" : "IfNotPresent");
            }
            if (c instanceof ObjectNode co && !co.has("terminationMessagePath")) {
                co.put("terminationMessagePath", "/dev/termination-log");
                co.put("terminationMessagePolicy", "File");
            }
        }
    }
}
