package io.github.e2ekit.e2e.deploy;

import com.google.gson.JsonObject;
import io.kubernetes.client.Discovery;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.StorageV1Api;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1StorageClass;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Waits until applied workloads are ready, polling tightly (first check at once, then every
 * 250 ms), and fails fast on states that never heal by waiting: image pull errors, crash loops,
 * bad container config, failed Jobs, and pods unschedulable past a short grace.
 */
public final class ReadinessWait {
    static final Set<String> FATAL = Set.of("ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull",
            "InvalidImageName", "CreateContainerConfigError", "CrashLoopBackOff");
    private static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "DaemonSet", "Job", "Pod",
            "PersistentVolumeClaim");
    private static final Duration UNSCHEDULABLE_GRACE = Duration.ofSeconds(30);
    private static final long POLL_MS = 250;
    private static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;

    private final KubeApi api;
    private final Consumer<String> progress;

    public ReadinessWait(KubeApi api, Consumer<String> progress) {
        this.api = api;
        this.progress = progress;
    }

    /** Waits for every workload among {@code objects}; throws {@link NotReadyException} naming the culprit. */
    public void await(List<AppliedObject> objects, Duration timeout) {
        List<AppliedObject> pending = new ArrayList<>(objects.stream().filter(o -> WORKLOADS.contains(o.kind())).toList());
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Map<String, Long> lastProgress = new HashMap<>();
        Map<String, Long> unschedulableSince = new HashMap<>();
        while (!pending.isEmpty()) {
            List<V1Pod> pods = pods(pending);
            for (AppliedObject o : List.copyOf(pending)) {
                JsonObject raw = read(o);
                if (raw == null) {
                    throw new NotReadyException(o, "Missing", o.describe() + " disappeared while waiting");
                }
                List<V1Pod> own = ownPods(o, raw, pods);
                failFast(o, raw, own, unschedulableSince);
                Readiness r = "PersistentVolumeClaim".equals(o.kind()) ? claimReadiness(raw) : readiness(o, raw);
                if (r.ready()) {
                    pending.remove(o);
                    continue;
                }
                long now = System.nanoTime();
                Long last = lastProgress.get(o.name());
                if (last == null ? now - start > PROGRESS_EVERY_NANOS : now - last > PROGRESS_EVERY_NANOS) {
                    lastProgress.put(o.name(), now);
                    progress.accept(o.name() + ": " + r.summary() + " — " + podState(own));
                }
            }
            if (pending.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                AppliedObject o = pending.get(0);
                JsonObject raw = read(o);
                throw new NotReadyException(o, "Timeout", o.describe() + " not ready after " + timeout.toSeconds()
                        + " s: " + readiness(o, raw).summary() + " — " + podState(ownPods(o, raw, pods)));
            }
            Applier.sleep(POLL_MS);
        }
    }

    /** A workload's readiness and a short summary like {@code 0/1 ready}. */
    record Readiness(boolean ready, String summary) {
    }

    static Readiness readiness(AppliedObject o, JsonObject raw) {
        if (raw == null) {
            return new Readiness(false, "missing");
        }
        JsonObject status = Conditions.object(raw, "status");
        JsonObject spec = Conditions.object(raw, "spec");
        long generation = Conditions.number(Conditions.object(raw, "metadata"), "generation");
        long observed = Conditions.number(status, "observedGeneration");
        switch (o.kind()) {
            case "Deployment", "StatefulSet" -> {
                long want = spec != null && spec.has("replicas") ? Conditions.number(spec, "replicas") : 1;
                long ready = Conditions.number(status, "readyReplicas");
                long updated = Conditions.number(status, "updatedReplicas");
                long available = "Deployment".equals(o.kind()) ? Conditions.number(status, "availableReplicas") : ready;
                boolean ok = observed >= generation && ready >= want && available >= want
                        && (updated >= want || "StatefulSet".equals(o.kind()) && sameRevision(status));
                return new Readiness(ok, ready + "/" + want + " ready");
            }
            case "DaemonSet" -> {
                long want = Conditions.number(status, "desiredNumberScheduled");
                long ready = Conditions.number(status, "numberReady");
                long updated = Conditions.number(status, "updatedNumberScheduled");
                return new Readiness(observed >= generation && want > 0 && ready >= want && updated >= want,
                        ready + "/" + want + " ready");
            }
            case "Job" -> {
                return new Readiness(Conditions.isTrue(raw, "Complete"),
                        Conditions.number(status, "succeeded") + " succeeded");
            }
            case "Pod" -> {
                return new Readiness(Conditions.isTrue(raw, "Ready"), Conditions.isTrue(raw, "Ready") ? "ready"
                        : "not ready");
            }
            default -> {
                return new Readiness(true, "");
            }
        }
    }

    /**
     * A claim is ready when Bound, or when its storage class binds on first consumer (kind's default
     * class does): then the pod that uses it binds it, and waiting for the pod is enough.
     */
    Readiness claimReadiness(JsonObject raw) {
        String phase = Conditions.string(Conditions.object(raw, "status"), "phase");
        if ("Bound".equals(phase)) {
            return new Readiness(true, "Bound");
        }
        String cls = Conditions.string(Conditions.object(raw, "spec"), "storageClassName");
        try {
            var storage = new StorageV1Api(api.client());
            V1StorageClass sc = null;
            if (cls != null) {
                sc = storage.readStorageClass(cls).execute();
            } else {
                for (var c : storage.listStorageClass().execute().getItems()) {
                    var ann = c.getMetadata().getAnnotations();
                    if (ann != null && "true".equals(ann.get("storageclass.kubernetes.io/is-default-class"))) {
                        sc = c;
                    }
                }
            }
            if (sc != null && "WaitForFirstConsumer".equals(sc.getVolumeBindingMode())) {
                return new Readiness(true, "waits for its first consumer");
            }
        } catch (ApiException e) {
            // no such class: the claim stays Pending, as on a real cluster
        }
        return new Readiness(false, phase == null ? "Pending" : phase);
    }

    private static boolean sameRevision(JsonObject status) {
        String cur = Conditions.string(status, "currentRevision");
        return cur == null || cur.equals(Conditions.string(status, "updateRevision"));
    }

    private void failFast(AppliedObject o, JsonObject raw, List<V1Pod> own, Map<String, Long> unschedulableSince) {
        if ("Job".equals(o.kind()) && Conditions.isTrue(raw, "Failed")) {
            JsonObject c = Conditions.find(raw, "Failed");
            throw new NotReadyException(o, "JobFailed", "Job " + o.name() + " failed: "
                    + Conditions.string(c, "reason") + " " + Objects.toString(Conditions.string(c, "message"), ""));
        }
        for (V1Pod p : own) {
            if (p.getStatus() == null) {
                continue;
            }
            List<V1ContainerStatus> statuses = new ArrayList<>();
            if (p.getStatus().getInitContainerStatuses() != null) {
                statuses.addAll(p.getStatus().getInitContainerStatuses());
            }
            if (p.getStatus().getContainerStatuses() != null) {
                statuses.addAll(p.getStatus().getContainerStatuses());
            }
            for (V1ContainerStatus cs : statuses) {
                var waiting = cs.getState() == null ? null : cs.getState().getWaiting();
                if (waiting != null && FATAL.contains(waiting.getReason())) {
                    throw new NotReadyException(o, waiting.getReason(), o.describe() + ": pod "
                            + p.getMetadata().getName() + " container " + cs.getName() + " is " + waiting.getReason()
                            + (waiting.getMessage() == null ? "" : " (" + waiting.getMessage() + ")")
                            + hint(waiting.getReason(), cs.getImage()));
                }
            }
            if (p.getStatus().getConditions() != null) {
                for (V1PodCondition c : p.getStatus().getConditions()) {
                    if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())
                            && "Unschedulable".equals(c.getReason())) {
                        long since = unschedulableSince.computeIfAbsent(p.getMetadata().getName(), k -> System.nanoTime());
                        if (System.nanoTime() - since > UNSCHEDULABLE_GRACE.toNanos()) {
                            throw new NotReadyException(o, "FailedScheduling", o.describe() + ": pod "
                                    + p.getMetadata().getName() + " cannot be scheduled: " + c.getMessage());
                        }
                    }
                }
            }
        }
    }

    static String hint(String reason, String image) {
        return switch (reason) {
            case "ErrImageNeverPull" -> "; image " + image + " is not in the node: was 'load' run for it?";
            case "ErrImagePull", "ImagePullBackOff" -> "; image " + image + " is not in the node and kind nodes cannot"
                    + " pull it: load it (add it to <preload> if it is not built here)";
            default -> "";
        };
    }

    private JsonObject read(AppliedObject o) {
        Discovery.APIResource r = api.resource(o.apiVersion(), o.kind());
        var dyn = api.api(r, o.manifest().version());
        KubernetesApiResponse<DynamicKubernetesObject> got = api.call("read " + o.describe(),
                () -> o.namespace() == null ? dyn.get(o.name()) : dyn.get(o.namespace(), o.name()));
        return got.isSuccess() ? got.getObject().getRaw() : null;
    }

    private List<V1Pod> pods(List<AppliedObject> pending) {
        Set<String> namespaces = new TreeSet<>();
        pending.forEach(o -> {
            if (o.namespace() != null) {
                namespaces.add(o.namespace());
            }
        });
        List<V1Pod> out = new ArrayList<>();
        CoreV1Api core = new CoreV1Api(api.client());
        for (String ns : namespaces) {
            try {
                out.addAll(core.listNamespacedPod(ns).execute().getItems());
            } catch (ApiException e) {
                if (!KubeApi.transientCode(e.getCode())) {
                    throw new DeployException("cannot list pods in " + ns + ": HTTP " + e.getCode());
                }
            }
        }
        return out;
    }

    /** Pods that belong to a workload: its selector's labels match (or the pod itself). */
    static List<V1Pod> ownPods(AppliedObject o, JsonObject raw, List<V1Pod> pods) {
        if ("Pod".equals(o.kind())) {
            return pods.stream().filter(p -> o.name().equals(p.getMetadata().getName())
                    && Objects.equals(o.namespace(), p.getMetadata().getNamespace())).toList();
        }
        Map<String, String> selector = new LinkedHashMap<>();
        JsonObject match = Conditions.object(raw, "spec", "selector", "matchLabels");
        if (match == null) {
            match = Conditions.object(raw, "spec", "template", "metadata", "labels");
        }
        if (match != null) {
            match.entrySet().forEach(e -> selector.put(e.getKey(), e.getValue().getAsString()));
        }
        if (selector.isEmpty()) {
            return List.of();
        }
        return pods.stream().filter(p -> Objects.equals(o.namespace(), p.getMetadata().getNamespace())
                && p.getMetadata().getLabels() != null
                && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
    }

    static String podState(List<V1Pod> pods) {
        if (pods.isEmpty()) {
            return "no pods yet";
        }
        Map<String, Integer> reasons = new LinkedHashMap<>();
        for (V1Pod p : pods) {
            String reason = p.getStatus() == null ? "Pending" : p.getStatus().getPhase();
            if (p.getStatus() != null && p.getStatus().getContainerStatuses() != null) {
                for (V1ContainerStatus cs : p.getStatus().getContainerStatuses()) {
                    if (cs.getState() != null && cs.getState().getWaiting() != null) {
                        reason = cs.getState().getWaiting().getReason();
                    } else if (!Boolean.TRUE.equals(cs.getReady()) && "Running".equals(reason)) {
                        reason = "Running, not ready";
                    }
                }
            }
            reasons.merge(reason == null ? "Pending" : reason, 1, Integer::sum);
        }
        StringBuilder s = new StringBuilder();
        reasons.forEach((k, v) -> s.append(s.isEmpty() ? "" : ", ").append(v > 1 ? v + "× " : "").append(k));
        return s.toString();
    }
}
