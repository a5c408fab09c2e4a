package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Job controller as kubernetes {@code pkg/controller/job/job_controller.go} (v1.32) runs a non-indexed Job:
 * a failed pod is replaced after the pod failure back-off ({@code DefaultJobPodFailureBackOff} 10 s, doubling per
 * failure since the last success, capped at {@code MaxJobPodFailureBackOff} 10 min; scaled by
 * {@link TestBedTime}); more than {@code backoffLimit} (default 6) failures — or, with {@code restartPolicy:
 * OnFailure}, that many container restarts ({@code pastBackoffLimitOnFailure}) — set {@code FailureTarget} first,
 * delete the active pods, and set {@code Failed} only once no pod of the Job is left running or terminating (1.31+);
 * enough successes set {@code SuccessCriteriaMet}, then {@code Complete} (both reason {@code CompletionsReached})
 * once no pod is left running.
 */
final class JobController extends PodController {
    static final Duration BACKOFF_BASE = Duration.ofSeconds(10);
    static final Duration BACKOFF_MAX = Duration.ofMinutes(10);

    /** Per Job uid: failed pods seen so far, and when the last of them was seen failing (precise). */
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    private record Failures(int count, Instant last) {}

    JobController(FakeApiDispatcher api, FakeControllers kit) {
        super(api, kit, "batch", "jobs");
    }

    @Override
    void sync() {
        List<JsonNode> allPods = api.list(pods, null);
        for (JsonNode j : api.list(workloads, null)) {
            FakeControllers.guarded(
                    () -> syncOne(j, FakeControllers.ownedBy(allPods, Json.text(j, "metadata", "uid"))));
        }
    }

    void retain(Set<String> uids) {
        failures.keySet().retainAll(uids);
    }

    /**
     * job_controller.go: the back-off before the next pod after {@code consecutiveFailures} failures since the
     * last success (backoff_utils.go getRemainingTime: base × 2^(n-1), capped), unscaled.
     */
    static Duration backoff(int consecutiveFailures) {
        if (consecutiveFailures <= 0) {
            return Duration.ZERO;
        }
        long millis = BACKOFF_BASE.toMillis() << Math.min(20, consecutiveFailures - 1);
        return Duration.ofMillis(Math.min(millis, BACKOFF_MAX.toMillis()));
    }

    private void syncOne(JsonNode j, List<JsonNode> owned) {
        if (j.path("metadata").has("deletionTimestamp") || isTrue(j, "Complete") || isTrue(j, "Failed")) {
            return;
        }
        String uid = Json.text(j, "metadata", "uid");
        int completions = j.path("spec").path("completions").asInt(1);
        int parallelism = j.path("spec").path("parallelism").asInt(1);
        int backoffLimit = j.path("spec").path("backoffLimit").asInt(6); // batch/v1 defaults.go: 6
        boolean onFailure = "OnFailure".equals(Json.text(j, "spec", "template", "spec", "restartPolicy"));
        int succeeded = 0;
        int failed = 0;
        List<JsonNode> active = new ArrayList<>();
        int terminating = 0;
        int restarts = 0;
        for (JsonNode p : owned) {
            String phase = Json.text(p, "status", "phase");
            if ("Succeeded".equals(phase)) {
                succeeded++;
            } else if ("Failed".equals(phase)) {
                failed++;
            } else if (p.path("metadata").has("deletionTimestamp")) {
                terminating++;
            } else {
                active.add(p);
                for (String k : List.of("initContainerStatuses", "containerStatuses")) {
                    for (JsonNode cs : p.path("status").path(k)) {
                        restarts += cs.path("restartCount").asInt(0);
                    }
                }
            }
        }
        Instant now = Instant.now();
        Failures seen = failures.getOrDefault(uid, new Failures(0, Instant.EPOCH));
        if (failed > seen.count()) {
            seen = new Failures(failed, now);
            failures.put(uid, seen);
        }
        JsonNode oldConds = j.path("status").path("conditions");
        ArrayNode conds = oldConds.isArray() ? ((ArrayNode) oldConds).deepCopy() : Json.arr();
        String nowText = Json.now();
        // job_controller.go syncJob: exceedsBackoffLimit || pastBackoffLimitOnFailure
        boolean pastOnFailure = onFailure && (backoffLimit == 0 ? restarts > 0 : restarts >= backoffLimit);
        if (!isTrue(j, "FailureTarget")
                && !isTrue(j, "SuccessCriteriaMet")
                && (failed > backoffLimit || pastOnFailure)) {
            add(conds, "FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit", nowText);
        } else if (!isTrue(j, "FailureTarget") && !isTrue(j, "SuccessCriteriaMet") && succeeded >= completions) {
            add(
                    conds,
                    "SuccessCriteriaMet",
                    "CompletionsReached",
                    "Reached expected number of succeeded pods",
                    nowText);
        }
        boolean failing = has(conds, "FailureTarget");
        boolean succeeding = has(conds, "SuccessCriteriaMet");
        ObjectNode st = Json.obj()
                .put(
                        "startTime",
                        Json.text(j, "status", "startTime") != null ? Json.text(j, "status", "startTime") : nowText);
        if (failing || succeeding) {
            for (JsonNode p : active) {
                kit.deletePod(p);
                terminating++;
            }
            active.clear();
            if (terminating == 0) {
                // 1.31+: the terminal condition only when no pod of the Job is left running or terminating
                if (failing) {
                    add(
                            conds,
                            "Failed",
                            "BackoffLimitExceeded",
                            "Job has reached the specified backoff limit",
                            nowText);
                    kit.event(
                            j,
                            "Warning",
                            "BackoffLimitExceeded",
                            "Job has reached the specified backoff limit",
                            "job-controller",
                            null);
                } else {
                    add(conds, "Complete", "CompletionsReached", "Reached expected number of succeeded pods", nowText);
                    st.put("completionTime", nowText);
                    kit.event(j, "Normal", "Completed", "Job completed", "job-controller", null);
                }
            }
        } else {
            int want = Math.min(parallelism, completions - succeeded);
            int consecutive = succeeded > 0 ? Math.max(0, failed - succeeded) : failed;
            boolean waited = !now.isBefore(seen.last().plus(TestBedTime.scaled(backoff(consecutive))));
            for (int i = active.size(); i < want && waited; i++) {
                String name = Json.text(j, "metadata", "name");
                String podName = generatedPodName(j);
                createPod(
                        j,
                        podName,
                        null,
                        Map.of(
                                "batch.kubernetes.io/controller-uid",
                                uid,
                                "batch.kubernetes.io/job-name",
                                name,
                                "controller-uid",
                                uid,
                                "job-name",
                                name));
                kit.event(j, "Normal", "SuccessfulCreate", "Created pod: " + podName, "job-controller", null);
                active.add(Json.obj());
            }
        }
        int ready = (int) active.stream().filter(FakeControllers::isReady).count();
        if (!active.isEmpty()) {
            st.put("active", active.size());
        }
        if (succeeded > 0) {
            st.put("succeeded", succeeded);
        }
        if (failed > 0) {
            st.put("failed", failed);
        }
        st.put("ready", ready).put("terminating", terminating);
        st.putObject("uncountedTerminatedPods");
        if (!conds.isEmpty()) {
            st.set("conditions", conds);
        }
        writeStatus(j, st);
    }

    private static void add(ArrayNode conds, String type, String reason, String message, String now) {
        conds.addObject()
                .put("type", type)
                .put("status", "True")
                .put("reason", reason)
                .put("message", message)
                .put("lastProbeTime", now)
                .put("lastTransitionTime", now);
    }

    private static boolean has(ArrayNode conds, String type) {
        for (JsonNode c : conds) {
            if (type.equals(c.path("type").asText())
                    && "True".equals(c.path("status").asText())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTrue(JsonNode obj, String type) {
        JsonNode c = obj.path("status").path("conditions");
        return c.isArray() && has((ArrayNode) c, type);
    }
}
