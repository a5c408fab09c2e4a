package io.github.e2ekit.e2e.deploy;

import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides, as soon as an attempt of a Job failed, whether the Job can still complete before the deploy's
 * deadline — so a failing migration is reported with its exit code in seconds, not after the stage timeout.
 * The Job fails for good when it says so ({@code FailureTarget} or {@code Failed}), when its failures exceed
 * {@code backoffLimit} (default 6), or when no attempt runs and the next one would start after the deadline:
 * the Job controller waits 10 s × 2ⁿ⁻¹ (at most 10 min) after the n-th failed pod (kubernetes
 * {@code pkg/controller/job/job_controller.go}, {@code backoff_utils.go}); with {@code restartPolicy: OnFailure}
 * the kubelet restarts the container after 10 s × 2ⁿ⁻² (the first at once, at most 5 min) and the Job fails
 * once the restarts reach {@code backoffLimit} ({@code pastBackoffLimitOnFailure}).
 */
final class JobFailure {
    static final Duration JOB_BACKOFF = Duration.ofSeconds(10);
    static final Duration JOB_BACKOFF_MAX = Duration.ofMinutes(10);
    static final Duration KUBELET_BACKOFF_MAX = Duration.ofMinutes(5);

    private JobFailure() {}

    /** The failed attempt a verdict names. */
    record Attempt(V1Pod pod, String container, int exitCode, String reason) {}

    /** Why the Job will not complete in time, naming the failed attempt, or empty. */
    record Verdict(Attempt attempt, String why) {}

    static Optional<Verdict> check(JsonObject job, List<V1Pod> pods, Instant now, Instant deadline) {
        JsonObject spec = Conditions.object(job, "spec");
        long backoffLimit = spec != null && spec.has("backoffLimit") ? Conditions.number(spec, "backoffLimit") : 6;
        boolean onFailure = "OnFailure"
                .equals(Conditions.string(Conditions.object(job, "spec", "template", "spec"), "restartPolicy"));
        Attempt last = null;
        Instant lastFinished = null;
        boolean running = false;
        long failedPods = 0;
        long restarts = 0;
        for (V1Pod p : pods) {
            String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
            if ("Failed".equals(phase)) {
                failedPods++;
            }
            boolean terminal = "Failed".equals(phase) || "Succeeded".equals(phase);
            boolean deleted = p.getMetadata().getDeletionTimestamp() != null;
            for (V1ContainerStatus cs : statuses(p)) {
                restarts += terminal ? 0 : cs.getRestartCount() == null ? 0 : cs.getRestartCount();
                V1ContainerState state = cs.getState();
                if (state != null && state.getRunning() != null && !deleted) {
                    running = true;
                }
                V1ContainerStateTerminated t = state == null ? null : state.getTerminated();
                if ((t == null || t.getExitCode() == null || t.getExitCode() == 0) && cs.getLastState() != null) {
                    t = cs.getLastState().getTerminated();
                }
                // a pod being deleted exits because it was told to (SIGTERM, SIGKILL after its grace period):
                // its exit code says nothing about the Job's work
                if (t != null && t.getExitCode() != null && t.getExitCode() != 0 && !deleted) {
                    Instant finished =
                            t.getFinishedAt() == null ? now : t.getFinishedAt().toInstant();
                    if (lastFinished == null || !finished.isBefore(lastFinished)) {
                        last = new Attempt(p, cs.getName(), t.getExitCode(), t.getReason());
                        lastFinished = finished;
                    }
                }
            }
            if (!terminal && !deleted && statuses(p).isEmpty()) {
                running = true; // a new attempt is being created
            }
        }
        long failed = Math.max(failedPods, Conditions.number(Conditions.object(job, "status"), "failed"));
        for (String type : List.of("Failed", "FailureTarget")) {
            JsonObject c = Conditions.find(job, type);
            if (c != null && "True".equals(Conditions.string(c, "status"))) {
                return Optional.of(
                        new Verdict(last, Conditions.string(c, "reason") + ": " + Conditions.string(c, "message")));
            }
        }
        if (last == null) {
            return Optional.empty();
        }
        if (onFailure ? (backoffLimit == 0 ? restarts > 0 : restarts >= backoffLimit) : failed > backoffLimit) {
            return Optional.of(new Verdict(
                    last,
                    (onFailure ? restarts + " restarts" : failed + " failed pods") + " exceed its backoffLimit "
                            + backoffLimit));
        }
        if (running) {
            return Optional.empty();
        }
        Duration wait = onFailure ? kubeletBackoff(restarts) : jobBackoff(failed);
        Instant next = (lastFinished == null ? now : lastFinished).plus(wait);
        if (next.isAfter(deadline)) {
            return Optional.of(new Verdict(
                    last,
                    (onFailure ? restarts + " restart(s)" : failed + " of " + (backoffLimit + 1) + " attempts failed")
                            + "; the next attempt starts only after a back-off of "
                            + wait.toSeconds() + " s, after the deploy timeout"));
        }
        return Optional.empty();
    }

    /** job_controller.go: the wait after the n-th consecutive failed pod. */
    static Duration jobBackoff(long failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        long s = JOB_BACKOFF.toSeconds() << Math.min(20, failures - 1);
        return Duration.ofSeconds(Math.min(s, JOB_BACKOFF_MAX.toSeconds()));
    }

    /** kubelet restart back-off: the first restart at once, then 10 s doubling, at most 5 min. */
    static Duration kubeletBackoff(long restarts) {
        if (restarts <= 0) {
            return Duration.ZERO;
        }
        long s = JOB_BACKOFF.toSeconds() << Math.min(20, restarts - 1);
        return Duration.ofSeconds(Math.min(s, KUBELET_BACKOFF_MAX.toSeconds()));
    }

    private static List<V1ContainerStatus> statuses(V1Pod p) {
        List<V1ContainerStatus> out = new ArrayList<>();
        if (p.getStatus() != null && p.getStatus().getInitContainerStatuses() != null) {
            out.addAll(p.getStatus().getInitContainerStatuses());
        }
        if (p.getStatus() != null && p.getStatus().getContainerStatuses() != null) {
            out.addAll(p.getStatus().getContainerStatuses());
        }
        return out;
    }
}
