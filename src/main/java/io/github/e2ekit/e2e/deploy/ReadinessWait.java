package io.github.e2ekit.e2e.deploy;

import com.google.gson.JsonObject;
import io.kubernetes.client.Discovery;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1StorageClass;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Waits until applied workloads are ready, polling tightly (first check at once, then every
 * 250 ms). Readiness is judged as {@code kubectl rollout status} judges it ({@link RolloutStatus}); only the pods
 * of the current revision ({@link RevisionPods}) are looked at, so a re-applied Deployment is never ready, nor
 * failed, because of its old pods. Fails fast on states that never heal by waiting (image pull errors, invalid
 * image names, a Deployment past its progress deadline), on a Job that cannot complete before the deadline
 * ({@link JobFailure}), on states that may heal once they outlast the {@link HealPolicy}
 * ({@code CrashLoopBackOff}, {@code CreateContainerConfigError}), and on pods unschedulable past a short grace.
 */
public final class ReadinessWait {
    static final Set<String> FATAL =
            Set.of("ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName");
    static final Set<String> HEALABLE = Set.of("CreateContainerConfigError", "CrashLoopBackOff");
    private static final int LOG_LINES = 10;
    private static final Set<String> WORKLOADS =
            Set.of("Deployment", "StatefulSet", "DaemonSet", "Job", "Pod", "PersistentVolumeClaim");
    private static final Duration UNSCHEDULABLE_GRACE = Duration.ofSeconds(30);
    private static final long POLL_MS = 250;
    private static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;

    private final KubeApi api;
    private final Consumer<String> progress;
    private final HealPolicy heal;
    /** Per pod uid/container: when it was first seen in a state that may heal. */
    private final Map<String, Long> healingSince = new HashMap<>();

    public ReadinessWait(KubeApi api, Consumer<String> progress) {
        this(api, progress, HealPolicy.DEFAULT);
    }

    public ReadinessWait(KubeApi api, Consumer<String> progress, HealPolicy heal) {
        this.api = api;
        this.progress = progress;
        this.heal = heal;
    }

    /** Waits for every workload among {@code objects}; throws {@link NotReadyException} naming the culprit. */
    public void await(List<AppliedObject> objects, Duration timeout) {
        List<AppliedObject> pending = new ArrayList<>(
                objects.stream().filter(o -> WORKLOADS.contains(o.kind())).toList());
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Map<String, Long> lastProgress = new HashMap<>();
        Map<String, Long> unschedulableSince = new HashMap<>();
        while (!pending.isEmpty()) {
            List<V1Pod> pods = pods(pending);
            Map<String, List<JsonObject>> replicaSets = new HashMap<>();
            for (AppliedObject o : List.copyOf(pending)) {
                JsonObject raw = read(o);
                if (raw == null) {
                    throw new NotReadyException("Missing", o.describe() + " disappeared while waiting");
                }
                List<V1Pod> own = RevisionPods.of(
                        o,
                        raw,
                        pods,
                        "Deployment".equals(o.kind())
                                ? replicaSets.computeIfAbsent(o.namespace(), this::replicaSets)
                                : List.of());
                failFast(o, raw, own, unschedulableSince, deadline);
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
                List<V1Pod> own = RevisionPods.of(
                        o, raw, pods, "Deployment".equals(o.kind()) ? replicaSets(o.namespace()) : List.of());
                throw new NotReadyException(
                        "Timeout",
                        o.describe() + " not ready after " + timeout.toSeconds() + " s: "
                                + readiness(o, raw).summary() + " — " + podState(own) + lastProbeFailure(own));
            }
            Applier.sleep(POLL_MS);
        }
    }

    /** A workload's readiness and a short summary like {@code 0/1 ready}. */
    record Readiness(boolean ready, String summary) {}

    static Readiness readiness(AppliedObject o, JsonObject raw) {
        RolloutStatus.Rollout r = RolloutStatus.of(o.kind(), raw);
        return new Readiness(r.done(), r.message());
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
        V1StorageClass sc = null;
        if (cls != null) {
            sc = api.readStorageClass(cls).orElse(null); // no such class: the claim stays Pending, as on a real cluster
        } else {
            for (var c : api.listStorageClasses()) {
                var ann = c.getMetadata().getAnnotations();
                if (ann != null && "true".equals(ann.get("storageclass.kubernetes.io/is-default-class"))) {
                    sc = c;
                }
            }
        }
        if (sc != null && "WaitForFirstConsumer".equals(sc.getVolumeBindingMode())) {
            return new Readiness(true, "waits for its first consumer");
        }
        return new Readiness(false, phase == null ? "Pending" : phase);
    }

    private void failFast(
            AppliedObject o,
            JsonObject raw,
            List<V1Pod> own,
            Map<String, Long> unschedulableSince,
            long deadlineNanos) {
        RolloutStatus.Rollout rollout = RolloutStatus.of(o.kind(), raw);
        if (rollout.failed()) {
            throw new NotReadyException(
                    "ProgressDeadlineExceeded",
                    o.describe() + " " + rollout.message() + " (spec.progressDeadlineSeconds) — " + podState(own));
        }
        if ("Job".equals(o.kind())) {
            Instant now = Instant.now();
            Instant deadline = now.plusNanos(Math.max(0, deadlineNanos - System.nanoTime()));
            JobFailure.check(raw, own, now, deadline).ifPresent(v -> {
                throw new NotReadyException(
                        "JobFailed",
                        "Job " + o.name() + " will not complete: "
                                + (v.attempt() == null
                                        ? ""
                                        : "pod "
                                                + v.attempt()
                                                        .pod()
                                                        .getMetadata()
                                                        .getName() + " container "
                                                + v.attempt().container() + " exited with code "
                                                + v.attempt().exitCode()
                                                + (v.attempt().reason() == null
                                                        ? ""
                                                        : " (" + v.attempt().reason() + ")")
                                                + "; ")
                                + v.why()
                                + (v.attempt() == null
                                        ? ""
                                        : logTail(v.attempt().pod(), v.attempt().container(), false)));
            });
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
                String key = p.getMetadata().getUid() + "/" + cs.getName();
                String reason = waiting == null ? null : waiting.getReason();
                if (reason != null && FATAL.contains(reason)) {
                    throw notReady(o, p, cs, reason, hint(reason, cs.getImage()));
                }
                if (reason == null || !HEALABLE.contains(reason)) {
                    healingSince.remove(key);
                    continue;
                }
                long since = healingSince.computeIfAbsent(key, k -> System.nanoTime());
                int restarts = cs.getRestartCount() == null ? 0 : cs.getRestartCount();
                boolean restartsOver = "CrashLoopBackOff".equals(reason) && restarts >= heal.restarts();
                boolean graceOver = System.nanoTime() - since >= heal.grace().toNanos();
                if (restartsOver || graceOver) {
                    String why = restartsOver
                            ? "; restarted " + restarts + " time(s) (<deploy><healRestarts> " + heal.restarts() + ")"
                            : "; for " + heal.grace().toSeconds() + " s (<deploy><healGrace>)";
                    throw notReady(
                            o,
                            p,
                            cs,
                            reason,
                            why + ("CrashLoopBackOff".equals(reason) ? logTail(p, cs.getName(), true) : ""));
                }
            }
            if (p.getStatus().getConditions() != null) {
                for (V1PodCondition c : p.getStatus().getConditions()) {
                    if ("PodScheduled".equals(c.getType())
                            && "False".equals(c.getStatus())
                            && "Unschedulable".equals(c.getReason())) {
                        long since = unschedulableSince.computeIfAbsent(
                                p.getMetadata().getName(), k -> System.nanoTime());
                        if (System.nanoTime() - since > UNSCHEDULABLE_GRACE.toNanos()) {
                            throw new NotReadyException(
                                    "FailedScheduling",
                                    o.describe() + ": pod " + p.getMetadata().getName() + " cannot be scheduled: "
                                            + c.getMessage());
                        }
                    }
                }
            }
        }
    }

    private static NotReadyException notReady(
            AppliedObject o, V1Pod p, V1ContainerStatus cs, String reason, String more) {
        var waiting = cs.getState().getWaiting();
        return new NotReadyException(
                reason,
                o.describe() + ": pod " + p.getMetadata().getName() + " container "
                        + cs.getName() + " is " + reason
                        + (waiting.getMessage() == null ? "" : " (" + waiting.getMessage() + ")") + more);
    }

    /** The container's last log lines as a message suffix, or nothing when there are none. */
    private String logTail(V1Pod p, String container, boolean previous) {
        try {
            String log = api.podLog(
                            p.getMetadata().getNamespace(), p.getMetadata().getName(), container, previous, LOG_LINES)
                    .orElse(null);
            if (log == null || log.isBlank()) {
                return "";
            }
            return "; last log lines:\n    " + log.strip().replace("\n", "\n    ");
        } catch (RuntimeException e) {
            return "";
        }
    }

    private List<JsonObject> replicaSets(String namespace) {
        if (namespace == null) {
            return List.of();
        }
        Discovery.APIResource r = api.resource("apps/v1", "ReplicaSet");
        var dyn = api.api(r, "v1");
        var got = api.call("list ReplicaSets in " + namespace, () -> dyn.list(namespace));
        if (!got.isSuccess() || got.getObject() == null) {
            return List.of();
        }
        return got.getObject().getItems().stream()
                .map(DynamicKubernetesObject::getRaw)
                .toList();
    }

    static String hint(String reason, String image) {
        return switch (reason) {
            case "ErrImageNeverPull" -> "; image " + image + " is not in the node: was 'load' run for it?";
            case "ErrImagePull", "ImagePullBackOff" ->
                "; image " + image + " is not in the node and kind nodes cannot"
                        + " pull it: load it (add it to <preload> if it is not built here)";
            default -> "";
        };
    }

    private JsonObject read(AppliedObject o) {
        Discovery.APIResource r = api.resource(o.apiVersion(), o.kind());
        var dyn = api.api(r, o.manifest().version());
        KubernetesApiResponse<DynamicKubernetesObject> got = api.call(
                "read " + o.describe(),
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
        for (String ns : namespaces) {
            try {
                out.addAll(api.listPods(ns, null));
            } catch (KubeApiException e) {
                if (!KubeApi.transientCode(e.code())) {
                    throw e;
                }
                // still busy after the retries: the next poll reads again, within the deploy timeout
            }
        }
        return out;
    }

    /**
     * The newest failed-probe message the kubelet recorded for {@code pods} (its {@code Unhealthy} events, as
     * kubernetes {@code pkg/kubelet/prober/prober.go} words them), as {@code " (last: <message>)"}; empty when none.
     */
    private String lastProbeFailure(List<V1Pod> pods) {
        Set<String> names = new HashSet<>();
        String ns = null;
        for (V1Pod p : pods) {
            names.add(p.getMetadata().getName());
            ns = p.getMetadata().getNamespace();
        }
        if (ns == null) {
            return "";
        }
        try {
            CoreV1Event last = null;
            for (CoreV1Event e : api.listEvents(ns)) {
                if ("Unhealthy".equals(e.getReason())
                        && e.getInvolvedObject() != null
                        && names.contains(e.getInvolvedObject().getName())
                        && (last == null || eventTime(e).compareTo(eventTime(last)) >= 0)) {
                    last = e;
                }
            }
            return last == null || last.getMessage() == null
                    ? ""
                    : " (last: " + last.getMessage().strip() + ")";
        } catch (KubeApiException e) {
            return ""; // the message is complete without it; the diagnostics hold the events
        }
    }

    private static OffsetDateTime eventTime(CoreV1Event e) {
        if (e.getLastTimestamp() != null) {
            return e.getLastTimestamp();
        }
        if (e.getEventTime() != null) {
            return e.getEventTime();
        }
        return e.getMetadata() != null && e.getMetadata().getCreationTimestamp() != null
                ? e.getMetadata().getCreationTimestamp()
                : OffsetDateTime.MIN;
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
        reasons.forEach((k, v) ->
                s.append(s.isEmpty() ? "" : ", ").append(v > 1 ? v + "× " : "").append(k));
        return s.toString();
    }
}
