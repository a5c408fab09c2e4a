package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Deployment controller, as kubernetes {@code pkg/controller/deployment} (v1.32) does it: a changed pod
 * template gets a new ReplicaSet named {@code <deployment>-<pod-template-hash>}; a rolling update scales the
 * new one up within {@code maxSurge} and the old ones down within {@code maxUnavailable}, so old pods keep
 * serving until new ones are available; status is summed over all ReplicaSets; {@code Progressing} turns
 * {@code False}/{@code ProgressDeadlineExceeded} when nothing progressed for {@code progressDeadlineSeconds}
 * (scaled by {@link TestBedTime}).
 */
final class DeploymentController {
    private final FakeApiDispatcher api;
    private final FakeControllers kit;
    private final ResourceType deployments;
    private final ResourceType replicaSets;
    /** Per Deployment uid: when its Progressing condition last moved (precise; the stored time has seconds). */
    private final Map<String, Instant> lastProgress = new ConcurrentHashMap<>();
    /** Per Deployment uid: the ReplicaSet just created for it, not yet reported in its Progressing condition. */
    private final Map<String, String> createdRs = new ConcurrentHashMap<>();

    DeploymentController(FakeApiDispatcher api, FakeControllers kit) {
        this.api = api;
        this.kit = kit;
        deployments = api.typeOf("apps", "v1", "deployments");
        replicaSets = api.typeOf("apps", "v1", "replicasets");
    }

    /** Scales ReplicaSets towards each Deployment's template (before the ReplicaSet controller runs). */
    void sync() {
        List<JsonNode> allRs = api.list(replicaSets, null);
        for (JsonNode d : api.list(deployments, null)) {
            if (d.path("metadata").has("deletionTimestamp")
                    || d.path("spec").path("paused").asBoolean(false)) {
                continue;
            }
            FakeControllers.guarded(() -> syncOne(d, FakeControllers.ownedBy(allRs, Json.text(d, "metadata", "uid"))));
        }
    }

    private void syncOne(JsonNode d, List<JsonNode> owned) {
        String ns = Json.text(d, "metadata", "namespace");
        String name = Json.text(d, "metadata", "name");
        int desired = d.path("spec").path("replicas").asInt(1);
        String hash = FakeControllers.templateHash(d.path("spec").path("template"));
        String rsName = name + "-" + hash;
        JsonNode newRs = owned.stream()
                .filter(r -> rsName.equals(Json.text(r, "metadata", "name")))
                .findFirst()
                .orElse(null);
        List<JsonNode> old = new ArrayList<>(owned.stream()
                .filter(r -> !rsName.equals(Json.text(r, "metadata", "name")))
                .toList());
        boolean recreate = "Recreate".equals(Json.text(d, "spec", "strategy", "type"));
        if (recreate) {
            recreate(d, newRs, old, rsName, hash, desired);
            return;
        }
        // kubernetes pkg/controller/deployment/rolling.go rolloutRolling: new ReplicaSet first, then the old ones
        if (newRs == null) {
            int replicas = newRsReplicas(d, owned, 0, desired);
            if (createRs(d, rsName, hash, replicas, owned)) {
                kit.event(
                        d,
                        "Normal",
                        "ScalingReplicaSet",
                        "Scaled up replica set " + rsName + " from 0 to " + replicas,
                        "deployment-controller",
                        null);
                lastProgress.put(Json.text(d, "metadata", "uid"), Instant.now());
            }
            return;
        }
        int newReplicas = newRs.path("spec").path("replicas").asInt(0);
        // rolling.go reconcileNewReplicaSet
        int target = newReplicas > desired ? desired : newRsReplicas(d, owned, newReplicas, desired);
        if (target != newReplicas) {
            scale(d, newRs, newReplicas, target);
            return;
        }
        reconcileOld(d, owned, newRs, old, desired);
    }

    /**
     * kubernetes pkg/controller/deployment/util/deployment_util.go NewRSNewReplicas: the new ReplicaSet may grow
     * while all ReplicaSets together stay within replicas + maxSurge.
     */
    static int newRsReplicas(JsonNode d, List<JsonNode> allRs, int newReplicas, int desired) {
        int surge = resolveFenceposts(d, desired)[0];
        int current = allRs.stream()
                .mapToInt(r -> r.path("spec").path("replicas").asInt(0))
                .sum();
        int maxTotal = desired + surge;
        if (current >= maxTotal) {
            return newReplicas;
        }
        return newReplicas + Math.max(0, Math.min(maxTotal - current, desired - newReplicas));
    }

    /**
     * kubernetes pkg/controller/deployment/rolling.go reconcileOldReplicaSets (with cleanupUnhealthyReplicas and
     * scaleDownOldReplicaSetsForRollingUpdate): old ReplicaSets shrink only while at least replicas -
     * maxUnavailable pods stay available; unhealthy old pods go first.
     */
    private void reconcileOld(JsonNode d, List<JsonNode> all, JsonNode newRs, List<JsonNode> old, int desired) {
        int oldCount = old.stream()
                .mapToInt(r -> r.path("spec").path("replicas").asInt(0))
                .sum();
        if (oldCount == 0) {
            return;
        }
        int allCount = all.stream()
                .mapToInt(r -> r.path("spec").path("replicas").asInt(0))
                .sum();
        int minAvailable = desired - maxUnavailable(d, desired);
        int newUnavailable = newRs.path("spec").path("replicas").asInt(0)
                - newRs.path("status").path("availableReplicas").asInt(0);
        int maxScaledDown = allCount - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) {
            return;
        }
        old.sort(Comparator.comparing(r -> Json.text(r, "metadata", "creationTimestamp")));
        int cleaned = 0;
        List<JsonNode> remaining = new ArrayList<>();
        for (JsonNode rs : old) {
            int spec = rs.path("spec").path("replicas").asInt(0);
            int avail = rs.path("status").path("availableReplicas").asInt(0);
            int unhealthy = spec - avail;
            if (cleaned < maxScaledDown && unhealthy > 0 && spec > 0) {
                int down = Math.min(maxScaledDown - cleaned, unhealthy);
                scale(d, rs, spec, spec - down);
                cleaned += down;
                continue;
            }
            remaining.add(rs);
        }
        if (cleaned > 0) {
            return;
        }
        int available = all.stream()
                .mapToInt(r -> r.path("status").path("availableReplicas").asInt(0))
                .sum();
        if (available <= minAvailable) {
            return;
        }
        int total = available - minAvailable;
        int done = 0;
        for (JsonNode rs : remaining) {
            int spec = rs.path("spec").path("replicas").asInt(0);
            if (done >= total || spec == 0) {
                continue;
            }
            int down = Math.min(spec, total - done);
            scale(d, rs, spec, spec - down);
            done += down;
        }
    }

    /** kubernetes pkg/controller/deployment/recreate.go rolloutRecreate: all old pods gone, then the new ones. */
    private void recreate(JsonNode d, JsonNode newRs, List<JsonNode> old, String rsName, String hash, int desired) {
        boolean oldRunning = false;
        for (JsonNode o : old) {
            int r = o.path("spec").path("replicas").asInt(0);
            if (r > 0) {
                scale(d, o, r, 0);
            }
            oldRunning |= r > 0 || o.path("status").path("replicas").asInt(0) > 0;
        }
        if (oldRunning) {
            return;
        }
        if (newRs == null) {
            if (createRs(d, rsName, hash, desired, old)) {
                lastProgress.put(Json.text(d, "metadata", "uid"), Instant.now());
            }
        } else if (newRs.path("spec").path("replicas").asInt(0) != desired) {
            scale(d, newRs, newRs.path("spec").path("replicas").asInt(0), desired);
        }
    }

    private boolean createRs(JsonNode d, String rsName, String hash, int replicas, List<JsonNode> owned) {
        String ns = Json.text(d, "metadata", "namespace");
        JsonNode template = d.path("spec").path("template");
        int revision = owned.stream()
                .mapToInt(r -> r.path("metadata")
                        .path("annotations")
                        .path("deployment.kubernetes.io/revision")
                        .asInt(0))
                .max()
                .orElse(0);
        int desired = d.path("spec").path("replicas").asInt(1);
        ObjectNode rs = Json.obj().put("apiVersion", "apps/v1").put("kind", "ReplicaSet");
        ObjectNode meta = Json.with(rs, "metadata").put("name", rsName);
        ObjectNode labels = template.path("metadata").path("labels").isObject()
                ? ((ObjectNode) template.path("metadata").path("labels")).deepCopy()
                : Json.obj();
        labels.put("pod-template-hash", hash);
        meta.set("labels", labels.deepCopy());
        Json.with(meta, "annotations")
                .put("deployment.kubernetes.io/revision", String.valueOf(revision + 1))
                .put("deployment.kubernetes.io/desired-replicas", String.valueOf(desired))
                .put(
                        "deployment.kubernetes.io/max-replicas",
                        String.valueOf(desired + resolveFenceposts(d, desired)[0]));
        meta.set(
                "ownerReferences",
                FakeControllers.ownerRef(
                        "apps/v1", "Deployment", Json.text(d, "metadata", "name"), Json.text(d, "metadata", "uid")));
        ObjectNode spec = Json.with(rs, "spec").put("replicas", replicas);
        ObjectNode selector = d.path("spec").path("selector").isObject()
                ? ((ObjectNode) d.path("spec").path("selector")).deepCopy()
                : Json.obj();
        Json.with(selector, "matchLabels").put("pod-template-hash", hash);
        spec.set("selector", selector);
        ObjectNode tpl = template.isObject() ? ((ObjectNode) template).deepCopy() : Json.obj();
        Json.with(tpl, "metadata").set("labels", labels);
        spec.set("template", tpl);
        boolean ok = api.internal("POST", replicaSets.collectionPath(ns), rs).ok();
        if (ok) {
            createdRs.put(Json.text(d, "metadata", "uid"), rsName);
        }
        return ok;
    }

    private void scale(JsonNode d, JsonNode rs, int from, int to) {
        ObjectNode copy = ((ObjectNode) rs).deepCopy();
        Json.with(copy, "spec").put("replicas", to);
        String ns = Json.text(rs, "metadata", "namespace");
        if (api.internal("PUT", replicaSets.objectPath(ns, Json.text(rs, "metadata", "name")), copy)
                .ok()) {
            kit.event(
                    d,
                    "Normal",
                    "ScalingReplicaSet",
                    "Scaled " + (to > from ? "up" : "down") + " replica set " + Json.text(rs, "metadata", "name")
                            + " from " + from + " to " + to,
                    "deployment-controller",
                    null);
        }
    }

    /**
     * kubernetes pkg/controller/deployment/sync.go calculateStatus (after the ReplicaSet controller counted the
     * pods): replicas, ready and available summed over all ReplicaSets, updatedReplicas those of the new one;
     * conditions per pkg/controller/deployment/progress.go syncRolloutStatus.
     */
    void updateStatuses() {
        List<JsonNode> allRs = api.list(replicaSets, null);
        for (JsonNode d : api.list(deployments, null)) {
            FakeControllers.guarded(
                    () -> updateStatus(d, FakeControllers.ownedBy(allRs, Json.text(d, "metadata", "uid"))));
        }
    }

    private void updateStatus(JsonNode d, List<JsonNode> owned) {
        String uid = Json.text(d, "metadata", "uid");
        int desired = d.path("spec").path("replicas").asInt(1);
        String rsName = Json.text(d, "metadata", "name") + "-"
                + FakeControllers.templateHash(d.path("spec").path("template"));
        int replicas = 0;
        int updated = 0;
        int ready = 0;
        int available = 0;
        int specTotal = 0;
        boolean newRsExists = false;
        for (JsonNode rs : owned) {
            JsonNode s = rs.path("status");
            replicas += s.path("replicas").asInt(0);
            ready += s.path("readyReplicas").asInt(0);
            available += s.path("availableReplicas").asInt(0);
            specTotal += rs.path("spec").path("replicas").asInt(0);
            if (rsName.equals(Json.text(rs, "metadata", "name"))) {
                updated = s.path("replicas").asInt(0);
                newRsExists = true;
            }
        }
        long generation = d.path("metadata").path("generation").asLong(1);
        ObjectNode st = Json.obj()
                .put("observedGeneration", generation)
                .put("replicas", replicas)
                .put("updatedReplicas", updated)
                .put("readyReplicas", ready)
                .put("availableReplicas", available)
                .put("unavailableReplicas", Math.max(0, specTotal - available));
        for (String f :
                List.of("replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas")) {
            if (st.get(f).asInt() == 0) {
                st.remove(f); // omitempty, as the API server serialises them
            }
        }
        JsonNode old = d.path("status");
        JsonNode oldConds = old.path("conditions");
        ArrayNode conds = Json.arr();
        boolean minAvailable = available >= desired - maxUnavailable(d, desired);
        conds.add(FakeControllers.condition(
                oldConds,
                "Available",
                minAvailable ? "True" : "False",
                minAvailable ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                minAvailable
                        ? "Deployment has minimum availability."
                        : "Deployment does not have minimum availability.",
                true));
        conds.add(
                progressing(d, uid, rsName, newRsExists, desired, replicas, updated, ready, available, old, oldConds));
        st.set("conditions", conds);
        FakeControllers.writeStatus(api, deployments, d, st);
    }

    /** kubernetes pkg/controller/deployment/progress.go syncRolloutStatus and util DeploymentTimedOut. */
    private ObjectNode progressing(
            JsonNode d,
            String uid,
            String rsName,
            boolean newRsExists,
            int desired,
            int replicas,
            int updated,
            int ready,
            int available,
            JsonNode old,
            JsonNode oldConds) {
        JsonNode prev = null;
        for (JsonNode c : oldConds) {
            if ("Progressing".equals(c.path("type").asText())) {
                prev = c;
            }
        }
        Instant now = Instant.now();
        boolean complete = updated == desired && replicas == desired && available == desired;
        // deployment_util.go DeploymentProgressing: more updated, fewer old, more ready or more available pods
        int oldBefore =
                old.path("replicas").asInt(0) - old.path("updatedReplicas").asInt(0);
        boolean progressed = updated > old.path("updatedReplicas").asInt(0)
                || replicas - updated < oldBefore
                || ready > old.path("readyReplicas").asInt(0)
                || available > old.path("availableReplicas").asInt(0);
        Instant last = lastProgress.computeIfAbsent(uid, u -> now);
        if (complete && newRsExists) {
            createdRs.remove(uid);
            return progressCondition(
                    prev,
                    "True",
                    "NewReplicaSetAvailable",
                    "ReplicaSet \"" + rsName + "\" has successfully progressed.",
                    false);
        }
        if (createdRs.remove(uid) != null) {
            // sync.go getNewReplicaSet: a new ReplicaSet sets Progressing=True/NewReplicaSetCreated (the clock
            // restarts)
            lastProgress.put(uid, now);
            return progressCondition(
                    prev, "True", "NewReplicaSetCreated", "Created new replica set \"" + rsName + "\"", true);
        }
        if (progressed) {
            lastProgress.put(uid, now);
            return progressCondition(
                    prev, "True", "ReplicaSetUpdated", "ReplicaSet \"" + rsName + "\" is progressing.", true);
        }
        // deployment_util.go DeploymentTimedOut: never after NewReplicaSetAvailable, always once timed out
        String prevReason = prev == null ? null : Json.text(prev, "reason");
        int deadline = d.path("spec").path("progressDeadlineSeconds").asInt(600); // apps/v1 defaults.go: 600
        boolean timedOut = "ProgressDeadlineExceeded".equals(prevReason)
                || !"NewReplicaSetAvailable".equals(prevReason)
                        && last.plus(TestBedTime.seconds(deadline)).isBefore(now);
        if (timedOut) {
            return progressCondition(
                    prev,
                    "False",
                    "ProgressDeadlineExceeded",
                    "ReplicaSet \"" + rsName + "\" has timed out progressing.",
                    false);
        }
        if (prev != null) {
            return ((ObjectNode) prev).deepCopy();
        }
        return progressCondition(null, "True", "FoundNewReplicaSet", "Found new replica set \"" + rsName + "\"", true);
    }

    private static ObjectNode progressCondition(
            JsonNode prev, String status, String reason, String message, boolean touch) {
        String now = Json.now();
        ObjectNode c = Json.obj().put("type", "Progressing").put("status", status);
        boolean sameStatus = prev != null && status.equals(Json.text(prev, "status"));
        boolean same = sameStatus && reason.equals(Json.text(prev, "reason"));
        c.put("lastUpdateTime", same && !touch ? Json.text(prev, "lastUpdateTime") : now);
        c.put("lastTransitionTime", sameStatus ? Json.text(prev, "lastTransitionTime") : now);
        return c.put("reason", reason).put("message", message);
    }

    /**
     * kubernetes pkg/controller/deployment/util/deployment_util.go ResolveFenceposts: maxSurge rounds up,
     * maxUnavailable down (both default 25 %); both zero makes maxUnavailable 1. Returns {surge, unavailable}.
     */
    static int[] resolveFenceposts(JsonNode d, int desired) {
        JsonNode ru = d.path("spec").path("strategy").path("rollingUpdate");
        int surge = scaled(ru.path("maxSurge"), desired, true);
        int unavailable = scaled(ru.path("maxUnavailable"), desired, false);
        if (surge == 0 && unavailable == 0) {
            unavailable = 1;
        }
        return new int[] {surge, unavailable};
    }

    /** deployment_util.go MaxUnavailable: 0 unless RollingUpdate with replicas; never above replicas. */
    static int maxUnavailable(JsonNode d, int desired) {
        String type = Json.text(d, "spec", "strategy", "type");
        if (type != null && !"RollingUpdate".equals(type) || desired == 0) {
            return 0;
        }
        return Math.min(resolveFenceposts(d, desired)[1], desired);
    }

    /** apimachinery pkg/util/intstr GetScaledValueFromIntOrPercent; an absent value is the default 25 %. */
    private static int scaled(JsonNode v, int total, boolean roundUp) {
        if (v.isInt()) {
            return v.asInt();
        }
        String s = v.isTextual() ? v.asText() : "25%";
        if (!s.endsWith("%")) {
            return Integer.parseInt(s);
        }
        double exact = total * Integer.parseInt(s.substring(0, s.length() - 1)) / 100.0;
        return (int) (roundUp ? Math.ceil(exact) : Math.floor(exact));
    }

    /** Forgets Deployments that are gone. */
    void retain(java.util.Set<String> uids) {
        lastProgress.keySet().retainAll(uids);
        createdRs.keySet().retainAll(uids);
    }
}
