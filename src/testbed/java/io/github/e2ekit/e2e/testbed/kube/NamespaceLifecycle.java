package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Namespaces that are being deleted, as a real cluster treats them: writes into them are refused, re-creating
 * them answers 409, and the namespace controller empties them before the namespace goes.
 */
final class NamespaceLifecycle {

    private final FakeApiDispatcher api;
    private final Deletion deletion;

    NamespaceLifecycle(FakeApiDispatcher api, Deletion deletion) {
        this.api = api;
        this.deletion = deletion;
    }

    /**
     * Admission of a create, or null when allowed. apiserver pkg/admission/plugin/namespace/lifecycle/admission.go
     * (NamespaceLifecycle): 403 Forbidden "unable to create new content in namespace X because it is being
     * terminated"; apiserver pkg/registry/generic/registry/store.go Create: re-creating an object that is being
     * deleted answers 409 AlreadyExists "object is being deleted: …".
     */
    MockResponse admitCreate(ResourceType type, String namespace, String name) {
        if (type.kind().equals("Namespace") && name != null) {
            JsonNode existing = api.find(type, null, name);
            if (existing != null && existing.path("metadata").has("deletionTimestamp")) {
                return FakeApiDispatcher.status(
                        409,
                        "AlreadyExists",
                        "object is being deleted: namespaces \"" + name + "\" already exists",
                        type,
                        name);
            }
            return null;
        }
        if (!type.namespaced() || namespace == null) {
            return null;
        }
        JsonNode ns = api.find(FakeApiDispatcher.namespaceType(), null, namespace);
        if (ns != null && ns.path("metadata").has("deletionTimestamp")) {
            ObjectNode st = FakeApiDispatcher.statusBody(
                    403,
                    "Forbidden",
                    type.qualifiedName() + " \""
                            + (name == null ? "" : name) + "\" is forbidden: unable to create new content in namespace "
                            + namespace
                            + " because it is being terminated",
                    type,
                    name);
            Json.with(st, "details")
                    .putArray("causes")
                    .addObject()
                    .put("reason", "NamespaceTerminating")
                    .put("message", "namespace " + namespace + " is being terminated")
                    .put("field", "metadata.namespace");
            return new MockResponse()
                    .setResponseCode(403)
                    .setHeader("Content-Type", "application/json")
                    .setBody(Json.write(st));
        }
        return null;
    }

    /**
     * One pass of the namespace controller (kubernetes pkg/controller/namespace/deletion/
     * namespaced_resources_deleter.go): every object in a terminating namespace is deleted (objects with
     * finalizers stay until those are removed); while some remain, the conditions NamespaceContentRemaining and
     * NamespaceFinalizersRemaining say which; once empty, the {@code kubernetes} finalizer is removed from
     * {@code spec.finalizers} and the namespace goes when {@code metadata.finalizers} is empty too.
     */
    void pass() {
        for (JsonNode ns : api.list(FakeApiDispatcher.namespaceType(), null)) {
            if (ns.path("metadata").has("deletionTimestamp")) {
                api.locked(() -> finalizeOne(Json.text(ns, "metadata", "name")));
            }
        }
    }

    private void finalizeOne(String name) {
        ResourceType nsType = FakeApiDispatcher.namespaceType();
        for (JsonNode o : api.allStored()) {
            if (name.equals(Json.text(o, "metadata", "namespace"))
                    && !o.path("metadata").has("deletionTimestamp")) {
                ResourceType t = api.typeOfObject(o);
                if (t != null) {
                    deletion.delete(
                            t, name, Json.text(o, "metadata", "name"), "{\"propagationPolicy\":\"Background\"}");
                }
            }
        }
        Map<String, Integer> remaining = new TreeMap<>();
        Map<String, Integer> finalizers = new TreeMap<>();
        for (JsonNode o : api.allStored()) {
            if (name.equals(Json.text(o, "metadata", "namespace"))) {
                ResourceType t = api.typeOfObject(o);
                // kubernetes pkg/controller/namespace/deletion/status_condition_utils.go: "%s.%s" of resource and
                // group,
                // so a core resource reads "pods." (empty group)
                remaining.merge(t == null ? Json.text(o, "kind") : t.plural() + "." + t.group(), 1, Integer::sum);
                o.path("metadata").path("finalizers").forEach(f -> finalizers.merge(f.asText(), 1, Integer::sum));
            }
        }
        ObjectNode ns = (ObjectNode) api.find(nsType, null, name);
        if (ns == null) {
            return;
        }
        ObjectNode status = Json.with(ns, "status");
        status.put("phase", "Terminating");
        ArrayNode conds = status.putArray("conditions");
        String now = Json.now();
        condition(
                conds,
                "NamespaceContentRemaining",
                !remaining.isEmpty(),
                remaining.isEmpty() ? "ContentRemoved" : "SomeResourcesRemain",
                remaining.isEmpty()
                        ? "All content successfully removed"
                        : "Some resources are remaining: " + describe(remaining, "has %d resource instances"),
                now);
        condition(
                conds,
                "NamespaceFinalizersRemaining",
                !finalizers.isEmpty(),
                finalizers.isEmpty() ? "ContentHasNoFinalizers" : "SomeFinalizersRemain",
                finalizers.isEmpty()
                        ? "All content-preserving finalizers finished"
                        : "Some content in the namespace has finalizers remaining: "
                                + describe(finalizers, "in %d resource instances"),
                now);
        if (remaining.isEmpty()) {
            ArrayNode specFinalizers = Json.arr();
            ns.path("spec").path("finalizers").forEach(f -> {
                if (!f.asText().equals("kubernetes")) {
                    specFinalizers.add(f);
                }
            });
            Json.with(ns, "spec").set("finalizers", specFinalizers);
        }
        api.writeStored(nsType, null, name, ns, true);
        JsonNode meta = ns.path("metadata");
        if (remaining.isEmpty()
                && ns.path("spec").path("finalizers").isEmpty()
                && (!meta.path("finalizers").isArray()
                        || meta.path("finalizers").isEmpty())) {
            // kubernetes pkg/registry/core/namespace/storage/storage.go: goes once both finalizer lists are empty
            api.removeStored(nsType, null, name);
        }
    }

    private static void condition(
            ArrayNode conds, String type, boolean isTrue, String reason, String message, String now) {
        conds.addObject()
                .put("type", type)
                .put("status", isTrue ? "True" : "False")
                .put("reason", reason)
                .put("message", message)
                .put("lastTransitionTime", now);
    }

    private static String describe(Map<String, Integer> counts, String format) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            sb.append(sb.length() == 0 ? "" : ", ")
                    .append(e.getKey())
                    .append(' ')
                    .append(String.format(format, e.getValue()));
        }
        return sb.toString();
    }

    /** Names of objects still in a namespace (for tests). */
    List<String> contents(String namespace) {
        return api.allStored().stream()
                .filter(o -> namespace.equals(Json.text(o, "metadata", "namespace")))
                .map(o -> Json.text(o, "kind") + "/" + Json.text(o, "metadata", "name"))
                .toList();
    }
}
