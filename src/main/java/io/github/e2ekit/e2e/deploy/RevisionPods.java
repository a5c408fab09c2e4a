package io.github.e2ekit.e2e.deploy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The pods of a workload's current revision — the only ones whose state says anything about this rollout: a
 * re-applied Deployment's old pods may still run, crash or be ready, but they are not what was just deployed.
 * <ul>
 * <li>Deployment: the pods of its new ReplicaSet, the one whose pod template equals the Deployment's apart from
 * the {@code pod-template-hash} label (kubernetes {@code pkg/controller/deployment/util/deployment_util.go
 * FindNewReplicaSet}/{@code EqualIgnoreHash}); none until the controller observed the current generation.</li>
 * <li>StatefulSet: its pods labelled {@code controller-revision-hash=<status.updateRevision>}.</li>
 * <li>DaemonSet: its pods whose {@code pod-template-generation} label is the template generation
 * ({@code deprecated.daemonset.template.generation}), when the server set one.</li>
 * <li>Job: its pods (owner uid; a re-created Job has a new uid). Pod: itself.</li>
 * </ul>
 * Pods being deleted ({@code deletionTimestamp}) are left out: they still run for up to their grace period, but
 * no controller counts them any more (kubernetes {@code pkg/controller/controller_utils.go IsPodActive}) and what
 * they report while stopping (exit 143 after SIGTERM) is not this rollout's.
 */
final class RevisionPods {
    private RevisionPods() {}

    /**
     * @param replicaSets raw ReplicaSets of the workload's namespace (used for Deployments only)
     */
    static List<V1Pod> of(AppliedObject o, JsonObject raw, List<V1Pod> pods, List<JsonObject> replicaSets) {
        if (raw == null) {
            return List.of();
        }
        String uid = Conditions.string(Conditions.object(raw, "metadata"), "uid");
        List<V1Pod> inNamespace = pods.stream()
                .filter(p -> Objects.equals(o.namespace(), p.getMetadata().getNamespace()))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .toList();
        switch (o.kind()) {
            case "Pod" -> {
                return inNamespace.stream()
                        .filter(p -> o.name().equals(p.getMetadata().getName()))
                        .toList();
            }
            case "Deployment" -> {
                JsonObject status = Conditions.object(raw, "status");
                long generation = Conditions.number(Conditions.object(raw, "metadata"), "generation");
                if (generation > Conditions.number(status, "observedGeneration")) {
                    return List.of();
                }
                String newRs = newReplicaSetUid(raw, uid, replicaSets);
                return newRs == null ? List.of() : ownedBy(inNamespace, newRs);
            }
            case "StatefulSet" -> {
                String revision = Conditions.string(Conditions.object(raw, "status"), "updateRevision");
                return ownedBy(inNamespace, uid).stream()
                        .filter(p -> revision == null || revision.equals(label(p, "controller-revision-hash")))
                        .toList();
            }
            case "DaemonSet" -> {
                JsonObject ann = Conditions.object(raw, "metadata", "annotations");
                String gen = Conditions.string(ann, "deprecated.daemonset.template.generation");
                return ownedBy(inNamespace, uid).stream()
                        .filter(p -> gen == null || gen.equals(label(p, "pod-template-generation")))
                        .toList();
            }
            default -> {
                return ownedBy(inNamespace, uid);
            }
        }
    }

    /** The uid of the Deployment's new ReplicaSet, or null when it has none yet. */
    static String newReplicaSetUid(JsonObject deployment, String deploymentUid, List<JsonObject> replicaSets) {
        JsonObject want = withoutHash(Conditions.object(deployment, "spec", "template"));
        String best = null;
        String bestCreated = null;
        for (JsonObject rs : replicaSets) {
            if (!ownedBy(Conditions.object(rs, "metadata"), deploymentUid)) {
                continue;
            }
            if (Objects.equals(want, withoutHash(Conditions.object(rs, "spec", "template")))) {
                String created = Conditions.string(Conditions.object(rs, "metadata"), "creationTimestamp");
                if (best == null || created != null && bestCreated != null && created.compareTo(bestCreated) < 0) {
                    best = Conditions.string(Conditions.object(rs, "metadata"), "uid");
                    bestCreated = created;
                }
            }
        }
        return best;
    }

    private static JsonObject withoutHash(JsonObject template) {
        if (template == null) {
            return null;
        }
        JsonObject copy = template.deepCopy();
        JsonObject labels = Conditions.object(copy, "metadata", "labels");
        if (labels != null) {
            labels.remove("pod-template-hash");
        }
        return copy;
    }

    private static boolean ownedBy(JsonObject metadata, String uid) {
        if (metadata == null
                || uid == null
                || !metadata.has("ownerReferences")
                || !metadata.get("ownerReferences").isJsonArray()) {
            return false;
        }
        for (JsonElement ref : metadata.getAsJsonArray("ownerReferences")) {
            if (ref.isJsonObject() && uid.equals(Conditions.string(ref.getAsJsonObject(), "uid"))) {
                return true;
            }
        }
        return false;
    }

    static List<V1Pod> ownedBy(List<V1Pod> pods, String ownerUid) {
        return pods.stream()
                .filter(p -> {
                    List<V1OwnerReference> refs = p.getMetadata().getOwnerReferences();
                    return refs != null && ownerUid != null && refs.stream().anyMatch(r -> ownerUid.equals(r.getUid()));
                })
                .toList();
    }

    private static String label(V1Pod p, String key) {
        Map<String, String> labels = p.getMetadata().getLabels();
        return labels == null ? null : labels.get(key);
    }
}
