package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulated control plane and kubelet: one {@link #pass()} reconciles every workload once — the Deployment,
 * ReplicaSet, StatefulSet, DaemonSet and Job controllers, the {@link Kubelet}, the Services' routes and the
 * {@link GarbageCollector}. The controllers share what this class offers: creating and deleting pods, events,
 * status writes and the helpers of kubernetes {@code pkg/controller/controller_utils.go}.
 */
final class FakeControllers {

    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private final FakeApiDispatcher api;
    private final PodRuntime runtime;
    private final AtomicLong passes = new AtomicLong();
    private final ResourceType pods;
    private final ResourceType services;
    private final ClusterBootstrap cluster;
    private final EventRecorder events;
    private final DeploymentController deploymentController;
    private final ReplicaSetController replicaSetController;
    private final StatefulSetController statefulSetController;
    private final DaemonSetController daemonSetController;
    private final JobController jobController;
    private final Kubelet kubelet;
    private final GarbageCollector garbageCollector;

    FakeControllers(FakeApiDispatcher api, NodeImages nodes, PodRuntime runtime) {
        this.api = api;
        this.runtime = runtime;
        pods = api.typeOf("", "v1", "pods");
        services = api.typeOf("", "v1", "services");
        cluster = new ClusterBootstrap(api, nodes);
        kubelet = new Kubelet(api, this, nodes, runtime);
        events = new EventRecorder(api, kubelet::eventsSent);
        deploymentController = new DeploymentController(api, this);
        replicaSetController = new ReplicaSetController(api, this);
        statefulSetController = new StatefulSetController(api, this);
        daemonSetController = new DaemonSetController(api, this, nodes);
        jobController = new JobController(api, this);
        garbageCollector = new GarbageCollector(api, uids -> {
            events.retain(uids);
            deploymentController.retain(uids);
            jobController.retain(uids);
        });
    }

    void crashLoop(String imageRef) {
        kubelet.faults().crashLoop(imageRef);
    }

    void readinessDelay(Duration d) {
        kubelet.faults().readinessDelay(d);
    }

    void failJobs(String jobNameOrImage) {
        kubelet.faults().failJobs(jobNameOrImage);
    }

    void ignoreSigterm(String imageRef) {
        kubelet.ignoreSigterm(imageRef);
    }

    void clearFaults() {
        kubelet.clearFaults();
    }

    long passes() {
        return passes.get();
    }

    String logs(String namespace, String pod, String container) {
        return kubelet.logs(namespace, pod, container);
    }

    /**
     * A container's current log from byte {@code offset} on, and whether it has ended: the container exited (its
     * last output is in {@code text}) or the pod is gone. Simulated containers never exit. Used to follow a log
     * ({@link PodLogStream}).
     */
    record LogPiece(String text, boolean ended) {}

    LogPiece logFrom(String namespace, String pod, String container, long offset) {
        return kubelet.logFrom(namespace, pod, container, offset);
    }

    /** Stops the probes and every process the pod runtime still runs. */
    void close() {
        kubelet.close();
    }

    /** The namespaces and nodes a fresh kind cluster has. */
    void bootstrap() {
        cluster.bootstrap();
    }

    String nodeIp(String node) {
        return cluster.nodeIp(node);
    }

    /** One reconciliation of everything. */
    void pass() {
        guarded(deploymentController::sync);
        guarded(replicaSetController::sync);
        // Deployment status sums its ReplicaSets' pods: compute it after the ReplicaSet controller ran
        guarded(deploymentController::updateStatuses);
        guarded(statefulSetController::sync);
        guarded(daemonSetController::sync);
        guarded(jobController::sync);
        guarded(kubelet::sync);
        guarded(() -> runtime.route(ServiceRoutes.of(api.list(services, null), api.list(pods, null))));
        guarded(garbageCollector::collect);
        passes.incrementAndGet();
    }

    static void guarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            // one broken object must not stop the others; the next pass retries
        }
    }

    void createPod(
            String ns,
            String name,
            JsonNode template,
            ArrayNode owner,
            String nodeName,
            Map<String, String> extraLabels) {
        ObjectNode pod = Json.obj().put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode meta = Json.with(pod, "metadata").put("name", name).put("namespace", ns);
        ObjectNode labels = template.path("metadata").path("labels").isObject()
                ? ((ObjectNode) template.path("metadata").path("labels")).deepCopy()
                : Json.obj();
        extraLabels.forEach(labels::put);
        meta.set("labels", labels);
        if (template.path("metadata").path("annotations").isObject()) {
            meta.set(
                    "annotations", template.path("metadata").path("annotations").deepCopy());
        }
        meta.set("ownerReferences", owner);
        ObjectNode spec =
                template.path("spec").isObject() ? ((ObjectNode) template.path("spec")).deepCopy() : Json.obj();
        if (nodeName != null) {
            spec.put("nodeName", nodeName);
        }
        if (!spec.has("serviceAccountName")) {
            spec.put("serviceAccountName", "default");
        }
        if (!spec.has("schedulerName")) {
            spec.put("schedulerName", "default-scheduler");
        }
        if (!spec.has("dnsPolicy")) {
            spec.put("dnsPolicy", "ClusterFirst");
        }
        if (!spec.has("terminationGracePeriodSeconds")) {
            spec.put("terminationGracePeriodSeconds", 30);
        }
        pod.set("spec", spec);
        api.internal("POST", pods.collectionPath(ns), pod);
    }

    void deletePod(JsonNode pod) {
        api.internal(
                "DELETE",
                pods.objectPath(Json.text(pod, "metadata", "namespace"), Json.text(pod, "metadata", "name")),
                (String) null);
    }

    static void writeStatus(FakeApiDispatcher api, ResourceType type, JsonNode obj, ObjectNode status) {
        if (status.equals(obj.path("status"))) {
            return;
        }
        ObjectNode copy = ((ObjectNode) obj).deepCopy();
        copy.set("status", status);
        String ns = Json.text(obj, "metadata", "namespace");
        api.internal("PUT", type.objectPath(ns, Json.text(obj, "metadata", "name")) + "/status", copy);
    }

    /** A condition that keeps its old transition time when its status did not change. */
    static ObjectNode condition(
            JsonNode oldConds, String type, String status, String reason, String message, boolean withUpdateTime) {
        String now = Json.now();
        JsonNode prev = null;
        for (JsonNode c : oldConds) {
            if (type.equals(c.path("type").asText())) {
                prev = c;
            }
        }
        ObjectNode c = Json.obj().put("type", type).put("status", status);
        boolean same = prev != null && status.equals(prev.path("status").asText());
        if (withUpdateTime) {
            boolean unchanged = same
                    && java.util.Objects.equals(reason, Json.text(prev, "reason"))
                    && java.util.Objects.equals(message, Json.text(prev, "message"));
            c.put("lastUpdateTime", unchanged ? Json.text(prev, "lastUpdateTime") : now);
        } else {
            c.putNull("lastProbeTime");
        }
        c.put("lastTransitionTime", same ? Json.text(prev, "lastTransitionTime") : now);
        if (reason != null) {
            c.put("reason", reason);
        }
        if (message != null) {
            c.put("message", message);
        }
        return c;
    }

    /** Records a v1 Event once per (object, reason, message). */
    void event(JsonNode obj, String type, String reason, String message, String component, String field) {
        events.event(obj, type, reason, message, component, field);
    }

    static List<JsonNode> ownedBy(List<JsonNode> objects, String ownerUid) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode o : objects) {
            for (JsonNode ref : o.path("metadata").path("ownerReferences")) {
                if (ownerUid.equals(ref.path("uid").asText())) {
                    out.add(o);
                    break;
                }
            }
        }
        return out;
    }

    static ArrayNode ownerRef(String apiVersion, String kind, String name, String uid) {
        ArrayNode a = Json.arr();
        a.addObject()
                .put("apiVersion", apiVersion)
                .put("kind", kind)
                .put("name", name)
                .put("uid", uid)
                .put("controller", true)
                .put("blockOwnerDeletion", true);
        return a;
    }

    /** kubernetes pkg/controller/controller_utils.go IsPodActive. */
    static boolean isActive(JsonNode pod) {
        String phase = Json.text(pod, "status", "phase");
        return !"Succeeded".equals(phase)
                && !"Failed".equals(phase)
                && !pod.path("metadata").has("deletionTimestamp");
    }

    static boolean isReady(JsonNode pod) {
        for (JsonNode c : pod.path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asText())) {
                return "True".equals(c.path("status").asText());
            }
        }
        return false;
    }

    /** A pod-template-hash like the deployment controller's: FNV-1a of the template, in its safe alphabet. */
    static String templateHash(JsonNode template) {
        ObjectNode t = template.isObject() ? ((ObjectNode) template).deepCopy() : Json.obj();
        JsonNode labels = t.path("metadata").path("labels");
        if (labels instanceof ObjectNode l) {
            l.remove("pod-template-hash");
        }
        int h = 0x811c9dc5;
        for (byte b : canonical(t).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        String digits = Long.toString(Integer.toUnsignedLong(h));
        StringBuilder sb = new StringBuilder();
        for (char ch : digits.toCharArray()) {
            sb.append(ALPHABET.charAt(ch % ALPHABET.length()));
        }
        return sb.toString();
    }

    private static String canonical(JsonNode n) {
        if (n.isObject()) {
            List<String> keys = new ArrayList<>();
            n.fieldNames().forEachRemaining(keys::add);
            keys.sort(null);
            StringBuilder sb = new StringBuilder("{");
            for (Iterator<String> it = keys.iterator(); it.hasNext(); ) {
                String k = it.next();
                sb.append('"').append(k).append("\":").append(canonical(n.get(k)));
                if (it.hasNext()) {
                    sb.append(',');
                }
            }
            return sb.append('}').toString();
        }
        if (n.isArray()) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(canonical(n.get(i)));
            }
            return sb.append(']').toString();
        }
        return n.toString();
    }

    static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
