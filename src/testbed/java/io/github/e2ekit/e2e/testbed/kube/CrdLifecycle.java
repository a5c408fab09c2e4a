package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CustomResourceDefinitions as kube-apiextensions treats them: discovery lists a new CRD's resources only a
 * little after it was created (the discovery controller runs asynchronously), and a CRD being deleted stays
 * {@code Terminating} until its custom resources are gone, refusing new ones with 405.
 */
final class CrdLifecycle {

    /** apiextensions-apiserver pkg/registry/customresourcedefinition/etcd.go Delete adds this finalizer. */
    static final String CLEANUP = "customresourcecleanup.apiextensions.k8s.io";
    /**
     * How long after creation discovery starts listing a CRD's resources (apiextensions-apiserver
     * pkg/apiserver/customresource_discovery_controller.go works off a queue; aggregated discovery lags more).
     */
    static final Duration DISCOVERY_DELAY = Duration.ofMillis(1500);

    private final FakeApiDispatcher api;
    private final Deletion deletion;
    private final Map<String, Instant> created = new ConcurrentHashMap<>();

    CrdLifecycle(FakeApiDispatcher api, Deletion deletion) {
        this.api = api;
        this.deletion = deletion;
    }

    /** Called once a CRD is stored: discovery shows it from {@link #DISCOVERY_DELAY} on. */
    void created(String uid) {
        created.put(uid, Instant.now());
    }

    /** Whether discovery lists this CRD's resources yet. */
    boolean discoverable(JsonNode crd) {
        Instant at = created.get(Json.text(crd, "metadata", "uid"));
        return at == null || !Instant.now().isBefore(at.plus(DISCOVERY_DELAY));
    }

    /**
     * apiextensions-apiserver pkg/apiserver/customresource_handler.go serveResource: creating a custom resource
     * while its CRD is terminating answers 405 "create not allowed while custom resource definition is terminating".
     */
    MockResponse admitWrite(ResourceType type, String name, String verb) {
        JsonNode crd = definitionOf(type);
        if (crd == null || !crd.path("metadata").has("deletionTimestamp")) {
            return null;
        }
        return FakeApiDispatcher.status(
                405,
                "MethodNotAllowed",
                verb + " not allowed while custom resource definition is terminating",
                type,
                name);
    }

    /**
     * apiextensions-apiserver pkg/controller/finalizer/crd_finalizer.go: a deleted CRD gets the condition
     * Terminating=True (InstanceDeletionInProgress), its custom resources are deleted, and the cleanup finalizer
     * is removed once none is left.
     */
    void pass() {
        ResourceType crdType = crdType();
        for (JsonNode crd : api.list(crdType, null)) {
            if (!crd.path("metadata").has("deletionTimestamp")) {
                continue;
            }
            String crdName = Json.text(crd, "metadata", "name");
            String group = Json.text(crd, "spec", "group");
            String kind = Json.text(crd, "spec", "names", "kind");
            int left = 0;
            for (JsonNode o : api.allStored()) {
                String av = Json.text(o, "apiVersion");
                if (av != null && av.startsWith(group + "/") && kind.equals(Json.text(o, "kind"))) {
                    left++;
                    ResourceType t = api.typeOfObject(o);
                    if (t != null && !o.path("metadata").has("deletionTimestamp")) {
                        deletion.delete(
                                t, Json.text(o, "metadata", "namespace"), Json.text(o, "metadata", "name"), null);
                    }
                }
            }
            ObjectNode copy = ((ObjectNode) crd).deepCopy();
            ArrayNode conds = Json.with(copy, "status").withArray("conditions");
            boolean has = false;
            for (JsonNode c : conds) {
                if ("Terminating".equals(Json.text(c, "type"))) {
                    has = true;
                }
            }
            if (!has) {
                conds.addObject()
                        .put("type", "Terminating")
                        .put("status", "True")
                        .put("reason", "InstanceDeletionInProgress")
                        .put("message", "CustomResource deletion is in progress")
                        .put("lastTransitionTime", Json.now());
            }
            if (left == 0) {
                ArrayNode kept = Json.arr();
                copy.path("metadata").path("finalizers").forEach(f -> {
                    if (!CLEANUP.equals(f.asText())) {
                        kept.add(f);
                    }
                });
                Json.with(copy, "metadata").set("finalizers", kept);
            }
            api.writeStored(crdType, null, crdName, copy, true);
            deletion.collectIfFinalized(crdType, null, crdName);
        }
    }

    private JsonNode definitionOf(ResourceType type) {
        if (ResourceType.BUILT_IN.contains(type)) {
            return null;
        }
        return api.find(crdType(), null, type.plural() + "." + type.group());
    }

    private static ResourceType crdType() {
        return ResourceType.BUILT_IN.get(ResourceType.BUILT_IN.size() - 1);
    }
}
