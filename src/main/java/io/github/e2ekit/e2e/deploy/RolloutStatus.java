package io.github.e2ekit.e2e.deploy;

import com.google.gson.JsonObject;

/**
 * Whether a workload's rollout is done, judged exactly as {@code kubectl rollout status} does (kubernetes/kubectl
 * {@code pkg/polymorphichelpers/rollout_status.go}, v1.32), plus Jobs ({@code Complete}) and Pods ({@code Ready}).
 * A Deployment is done only when the controller observed its generation, every desired replica is updated,
 * no old replica is left and every updated replica is available; {@code ProgressDeadlineExceeded} is a failure.
 */
final class RolloutStatus {
    private RolloutStatus() {}

    /** The verdict: done, or why not ({@code message} reads like kubectl's), or failed for good. */
    record Rollout(boolean done, boolean failed, String message) {
        static Rollout waiting(String message) {
            return new Rollout(false, false, message);
        }

        static Rollout done(String message) {
            return new Rollout(true, false, message);
        }
    }

    static Rollout of(String kind, JsonObject raw) {
        if (raw == null) {
            return Rollout.waiting("missing");
        }
        return switch (kind) {
            case "Deployment" -> deployment(raw);
            case "StatefulSet" -> statefulSet(raw);
            case "DaemonSet" -> daemonSet(raw);
            case "Job" ->
                Conditions.isTrue(raw, "Complete")
                        ? Rollout.done("complete")
                        : Rollout.waiting(
                                Conditions.number(Conditions.object(raw, "status"), "succeeded") + " succeeded");
            case "Pod" -> pod(raw);
            default -> Rollout.done("");
        };
    }

    /**
     * A Pod is ready when its Ready condition is True and it is not being deleted: a deleted pod keeps its Ready
     * condition while its containers stop (up to {@code terminationGracePeriodSeconds}) but is on its way out, and
     * no controller counts it any more (kubernetes {@code pkg/controller/controller_utils.go IsPodActive}).
     */
    static Rollout pod(JsonObject raw) {
        JsonObject meta = Conditions.object(raw, "metadata");
        if (meta != null
                && meta.has("deletionTimestamp")
                && !meta.get("deletionTimestamp").isJsonNull()) {
            return Rollout.waiting("terminating");
        }
        return Conditions.isTrue(raw, "Ready") ? Rollout.done("ready") : Rollout.waiting("not ready");
    }

    /** rollout_status.go DeploymentStatusViewer.Status. */
    static Rollout deployment(JsonObject raw) {
        JsonObject status = Conditions.object(raw, "status");
        if (generation(raw) > Conditions.number(status, "observedGeneration")) {
            return Rollout.waiting("waiting for the deployment spec update to be observed");
        }
        JsonObject progressing = Conditions.find(raw, "Progressing");
        if (progressing != null && "ProgressDeadlineExceeded".equals(Conditions.string(progressing, "reason"))) {
            return new Rollout(false, true, "exceeded its progress deadline");
        }
        long want = specReplicas(raw);
        long updated = Conditions.number(status, "updatedReplicas");
        long replicas = Conditions.number(status, "replicas");
        long available = Conditions.number(status, "availableReplicas");
        if (updated < want) {
            return Rollout.waiting(updated + " out of " + want + " new replicas have been updated");
        }
        if (replicas > updated) {
            return Rollout.waiting((replicas - updated) + " old replicas are pending termination");
        }
        if (available < updated) {
            return Rollout.waiting(available + " of " + updated + " updated replicas are available");
        }
        return Rollout.done(updated + "/" + want + " updated and available");
    }

    /** rollout_status.go StatefulSetStatusViewer.Status. */
    static Rollout statefulSet(JsonObject raw) {
        JsonObject status = Conditions.object(raw, "status");
        JsonObject spec = Conditions.object(raw, "spec");
        long want = specReplicas(raw);
        long ready = Conditions.number(status, "readyReplicas");
        if (!rollingUpdate(spec)) {
            // kubectl refuses rollout status for OnDelete; the plugin waits for the pods to be ready
            return ready >= want
                    ? Rollout.done(ready + "/" + want + " ready")
                    : Rollout.waiting(ready + "/" + want + " ready");
        }
        long observed = Conditions.number(status, "observedGeneration");
        if (observed == 0 || generation(raw) > observed) {
            return Rollout.waiting("waiting for the statefulset spec update to be observed");
        }
        if (ready < want) {
            return Rollout.waiting("waiting for " + (want - ready) + " pods to be ready");
        }
        JsonObject rolling = Conditions.object(spec, "updateStrategy", "rollingUpdate");
        if (rolling != null) {
            if (rolling.has("partition") && !rolling.get("partition").isJsonNull()) {
                long updated = Conditions.number(status, "updatedReplicas");
                long partition = Conditions.number(rolling, "partition");
                if (updated < want - partition) {
                    return Rollout.waiting("partitioned roll out: " + updated + " out of " + (want - partition)
                            + " new pods have been updated");
                }
            }
            return Rollout.done("partitioned roll out complete");
        }
        String update = Conditions.string(status, "updateRevision");
        String current = Conditions.string(status, "currentRevision");
        if (update != null && !update.equals(current)) {
            return Rollout.waiting(
                    "waiting for the rolling update to complete: pods at revision " + current + ", want " + update);
        }
        return Rollout.done(ready + "/" + want + " ready at revision " + update);
    }

    /** rollout_status.go DaemonSetStatusViewer.Status (a desired count of 0 is done). */
    static Rollout daemonSet(JsonObject raw) {
        JsonObject status = Conditions.object(raw, "status");
        long desired = Conditions.number(status, "desiredNumberScheduled");
        if (!rollingUpdate(Conditions.object(raw, "spec"))) {
            long ready = Conditions.number(status, "numberReady");
            return ready >= desired
                    ? Rollout.done(ready + "/" + desired + " ready")
                    : Rollout.waiting(ready + "/" + desired + " ready");
        }
        if (generation(raw) > Conditions.number(status, "observedGeneration")) {
            return Rollout.waiting("waiting for the daemon set spec update to be observed");
        }
        long updated = Conditions.number(status, "updatedNumberScheduled");
        if (updated < desired) {
            return Rollout.waiting(updated + " out of " + desired + " new pods have been updated");
        }
        long available = Conditions.number(status, "numberAvailable");
        if (available < desired) {
            return Rollout.waiting(available + " of " + desired + " updated pods are available");
        }
        return Rollout.done(available + "/" + desired + " updated and available");
    }

    /** An absent strategy is RollingUpdate: the API server defaults it (apps/v1 defaults.go). */
    private static boolean rollingUpdate(JsonObject spec) {
        String type = Conditions.string(Conditions.object(spec, "updateStrategy"), "type");
        return type == null || "RollingUpdate".equals(type);
    }

    private static long generation(JsonObject raw) {
        return Conditions.number(Conditions.object(raw, "metadata"), "generation");
    }

    /** spec.replicas, defaulted to 1 by the API server. */
    private static long specReplicas(JsonObject raw) {
        JsonObject spec = Conditions.object(raw, "spec");
        return spec != null && spec.has("replicas") && !spec.get("replicas").isJsonNull()
                ? Conditions.number(spec, "replicas")
                : 1;
    }
}
