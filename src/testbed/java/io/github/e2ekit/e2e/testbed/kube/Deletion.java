package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * DELETE as a real API server does it (apiserver pkg/registry/generic/registry/store.go {@code Delete}):
 * preconditions ({@code uid}, {@code resourceVersion}) are checked first (409 Conflict when they differ:
 * apiserver pkg/storage/interfaces.go {@code Preconditions.Check}); an object with {@code metadata.finalizers}
 * (or deleted with {@code propagationPolicy=Foreground}, which adds {@code foregroundDeletion}) only gets a
 * {@code deletionTimestamp} and stays until its finalizers are removed ({@code deletionFinalizersForGarbageCollection},
 * {@code updateForGracefulDeletionAndFinalizers}); a Pod is deleted gracefully (its grace period, then its
 * kubelet deletes it again with grace 0: {@link PodTermination}); a Namespace stays {@code Terminating} until the
 * namespace controller emptied it ({@link NamespaceLifecycle}).
 */
final class Deletion {

    static final String FOREGROUND = "foregroundDeletion";

    private final FakeApiDispatcher api;

    Deletion(FakeApiDispatcher api) {
        this.api = api;
    }

    /** Deletes one stored object; {@code body} is the request's DeleteOptions (may be empty). */
    MockResponse delete(ResourceType type, String namespace, String name, String body) {
        JsonNode stored = api.find(type, namespace, name);
        if (stored == null) {
            return api.notFoundResponse(type, name);
        }
        JsonNode options = body == null || body.isBlank() ? Json.obj() : Json.parse(body);
        String failed = preconditionFailure(options.path("preconditions"), stored);
        if (failed != null) {
            return FakeApiDispatcher.status(
                    409,
                    "Conflict",
                    "Operation cannot be fulfilled on " + type.qualifiedName() + " \"" + name + "\": " + failed,
                    type,
                    name);
        }
        ObjectNode obj = ((ObjectNode) stored).deepCopy();
        ObjectNode meta = Json.with(obj, "metadata");
        if (type.kind().equals("Namespace")) {
            // kubernetes pkg/registry/core/namespace/storage/storage.go Delete: phase Terminating, deletionTimestamp;
            // the object goes only when spec.finalizers and metadata.finalizers are both empty
            if (!meta.has("deletionTimestamp")) {
                meta.put("deletionTimestamp", Json.now());
                meta.put("deletionGracePeriodSeconds", 0);
                Json.with(obj, "status").put("phase", "Terminating");
                api.writeStored(type, namespace, name, obj, true);
            }
            return api.jsonResponse(200, Json.write(api.find(type, namespace, name)));
        }
        if (type.kind().equals("Pod")) {
            MockResponse graceful = gracefulPodDelete(type, namespace, name, options, obj, meta);
            if (graceful != null) {
                return graceful;
            }
        }
        boolean foreground = "Foreground".equals(Json.text(options, "propagationPolicy"));
        ArrayNode finalizers = meta.get("finalizers") instanceof ArrayNode a ? a : Json.arr();
        if (foreground && !contains(finalizers, FOREGROUND) && api.hasDependents(Json.text(meta, "uid"))) {
            finalizers.add(FOREGROUND);
            meta.set("finalizers", finalizers);
        }
        if (!finalizers.isEmpty()) {
            if (!meta.has("deletionTimestamp")) {
                meta.put("deletionTimestamp", Json.now());
                meta.put("deletionGracePeriodSeconds", 0);
            }
            api.writeStored(type, namespace, name, obj, false);
            return api.jsonResponse(200, Json.write(api.find(type, namespace, name)));
        }
        api.removeStored(type, namespace, name);
        if (type.kind().equals("Pod")) {
            return api.jsonResponse(200, Json.write(stored));
        }
        ObjectNode st = FakeApiDispatcher.statusBody(200, null, null, type, name);
        st.put("status", "Success");
        Json.with(st, "details").put("uid", Json.text(stored, "metadata", "uid"));
        return api.jsonResponse(200, Json.write(st));
    }

    /**
     * A pod is deleted gracefully: it gets {@code deletionTimestamp} (now + the grace period) and
     * {@code deletionGracePeriodSeconds}, and stays until its kubelet has stopped its containers and deletes it
     * again with grace 0. apiserver pkg/registry/generic/registry/store.go Delete → rest/delete.go BeforeDelete
     * (deletionTimestamp = now + grace; a second DELETE may only shorten the period, else it answers the object
     * unchanged: "pending graceful") → updateForGracefulDeletionAndFinalizers. Returns null when the pod goes at
     * once (grace 0): the caller removes it, or keeps it for its finalizers.
     */
    private MockResponse gracefulPodDelete(
            ResourceType type, String namespace, String name, JsonNode options, ObjectNode obj, ObjectNode meta) {
        long grace = gracePeriod(options, obj);
        if (meta.hasNonNull("deletionTimestamp")) {
            long current = meta.path("deletionGracePeriodSeconds").asLong(0);
            if (grace >= current) {
                return api.jsonResponse(200, Json.write(obj)); // pending graceful: nothing changes
            }
        }
        if (grace == 0) {
            if (meta.hasNonNull("deletionTimestamp")) {
                meta.put("deletionTimestamp", Json.now());
                meta.put("deletionGracePeriodSeconds", 0);
            }
            return null;
        }
        meta.put(
                "deletionTimestamp",
                Instant.now().plusSeconds(grace).truncatedTo(ChronoUnit.SECONDS).toString());
        meta.put("deletionGracePeriodSeconds", grace);
        api.writeStored(type, namespace, name, obj, false);
        return api.jsonResponse(200, Json.write(api.find(type, namespace, name)));
    }

    /**
     * The grace period of a pod's deletion. kubernetes pkg/registry/core/pod/strategy.go CheckGracefulDelete: the
     * request's {@code gracePeriodSeconds}, else {@code spec.terminationGracePeriodSeconds} (defaulted to 30 on
     * create: pkg/apis/core/v1/defaults.go), else 0; 0 when the pod is not scheduled or already Succeeded/Failed; a
     * negative value becomes 1.
     */
    static long gracePeriod(JsonNode options, JsonNode pod) {
        long period;
        if (options.hasNonNull("gracePeriodSeconds")) {
            period = options.path("gracePeriodSeconds").asLong();
        } else {
            period = pod.path("spec").path("terminationGracePeriodSeconds").asLong(0);
        }
        String node = Json.text(pod, "spec", "nodeName");
        if (node == null || node.isEmpty()) {
            period = 0;
        }
        String phase = Json.text(pod, "status", "phase");
        if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
            period = 0;
        }
        return period < 0 ? 1 : period;
    }

    /** The message of a failed precondition, or null. */
    static String preconditionFailure(JsonNode pre, JsonNode stored) {
        String uid = Json.text(pre, "uid");
        String actualUid = Json.text(stored, "metadata", "uid");
        if (uid != null && !uid.equals(actualUid)) {
            return "Precondition failed: UID in precondition: " + uid + ", UID in object meta: " + actualUid;
        }
        String rv = Json.text(pre, "resourceVersion");
        String actualRv = Json.text(stored, "metadata", "resourceVersion");
        if (rv != null && !rv.equals(actualRv)) {
            return "Precondition failed: ResourceVersion in precondition: " + rv + ", ResourceVersion in object meta: "
                    + actualRv;
        }
        return null;
    }

    /**
     * After a write: an object marked for deletion whose last finalizer was removed goes now, unless it is a pod
     * still in its grace period (apiserver registry/store.go Update → {@code ShouldDeleteDuringUpdate}: no
     * finalizers and {@code deletionGracePeriodSeconds == 0}). Returns true when it went.
     */
    boolean collectIfFinalized(ResourceType type, String namespace, String name) {
        JsonNode now = api.find(type, namespace, name);
        if (now == null
                || !now.path("metadata").has("deletionTimestamp")
                || type.kind().equals("Namespace")
                || now.path("metadata").path("deletionGracePeriodSeconds").asLong(0) != 0) {
            return false;
        }
        JsonNode f = now.path("metadata").path("finalizers");
        if (f.isArray() && !f.isEmpty()) {
            return false;
        }
        api.removeStored(type, namespace, name);
        return true;
    }

    /**
     * The garbage collector's part (kubernetes pkg/controller/garbagecollector/garbagecollector.go
     * processDeletingDependentsItem): with {@code foregroundDeletion} the dependents are deleted first and the
     * finalizer is removed once no object names the owner.
     * Test-only controller: a finalizer {@code testbed.e2ekit.io/hold-<N>s} is removed N seconds after the
     * object's deletionTimestamp, like a slow operator would.
     */
    void pass() {
        for (JsonNode o : api.allStored()) {
            JsonNode meta = o.path("metadata");
            if (!meta.has("deletionTimestamp") || !meta.path("finalizers").isArray()) {
                continue;
            }
            ArrayNode kept = Json.arr();
            for (JsonNode f : meta.path("finalizers")) {
                if (!released(f.asText(), o)) {
                    kept.add(f);
                }
            }
            if (kept.size() != meta.path("finalizers").size()) {
                ResourceType type = api.typeOfObject(o);
                if (type == null) {
                    continue;
                }
                ObjectNode copy = ((ObjectNode) o).deepCopy();
                Json.with(copy, "metadata").set("finalizers", kept);
                String ns = Json.text(o, "metadata", "namespace");
                String name = Json.text(o, "metadata", "name");
                api.writeStored(type, ns, name, copy, false);
                collectIfFinalized(type, ns, name);
            }
        }
    }

    private boolean released(String finalizer, JsonNode o) {
        if (finalizer.equals(FOREGROUND)) {
            // the garbage collector deletes the dependents first, then releases the owner
            String uid = Json.text(o, "metadata", "uid");
            boolean any = false;
            for (JsonNode d : api.allStored()) {
                for (JsonNode ref : d.path("metadata").path("ownerReferences")) {
                    if (uid != null && uid.equals(ref.path("uid").asText())) {
                        any = true;
                        ResourceType t = api.typeOfObject(d);
                        if (t != null && !d.path("metadata").has("deletionTimestamp")) {
                            delete(t, Json.text(d, "metadata", "namespace"), Json.text(d, "metadata", "name"), null);
                        }
                    }
                }
            }
            return !any;
        }
        if (finalizer.startsWith(HOLD_PREFIX) && finalizer.endsWith("s")) {
            try {
                long seconds = Long.parseLong(finalizer.substring(HOLD_PREFIX.length(), finalizer.length() - 1));
                Instant since = Instant.parse(Json.text(o, "metadata", "deletionTimestamp"));
                return !Instant.now().isBefore(since.plusSeconds(seconds));
            } catch (RuntimeException e) {
                return false;
            }
        }
        return false;
    }

    /** Test-only finalizer: {@code testbed.e2ekit.io/hold-5s} holds the object 5 s after its deletion. */
    static final String HOLD_PREFIX = "testbed.e2ekit.io/hold-";

    private static boolean contains(ArrayNode a, String s) {
        for (JsonNode n : a) {
            if (s.equals(n.asText())) {
                return true;
            }
        }
        return false;
    }
}
