package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** The garbage collector: pods and ReplicaSets whose owners are all gone are deleted. */
final class GarbageCollector {
    private final FakeApiDispatcher api;
    private final Consumer<Set<String>> retainOwners;
    private final ResourceType pods;
    private final ResourceType replicaSets;
    private final List<ResourceType> ownerTypes;

    /** {@code retainOwners} is told the uids of the owners that still exist, so state of the others is dropped. */
    GarbageCollector(FakeApiDispatcher api, Consumer<Set<String>> retainOwners) {
        this.api = api;
        this.retainOwners = retainOwners;
        pods = api.typeOf("", "v1", "pods");
        replicaSets = api.typeOf("apps", "v1", "replicasets");
        ownerTypes = List.of(
                replicaSets,
                api.typeOf("apps", "v1", "deployments"),
                api.typeOf("apps", "v1", "statefulsets"),
                api.typeOf("apps", "v1", "daemonsets"),
                api.typeOf("batch", "v1", "jobs"));
    }

    /** Deletes objects whose owners (all of them) are gone, as the garbage collector does. */
    void collect() {
        List<JsonNode> candidates = new ArrayList<>();
        candidates.addAll(api.list(pods, null));
        candidates.addAll(api.list(replicaSets, null));
        Set<String> uids = new HashSet<>();
        for (ResourceType t : ownerTypes) {
            api.list(t, null).forEach(o -> uids.add(Json.text(o, "metadata", "uid")));
        }
        retainOwners.accept(uids);
        for (JsonNode o : candidates) {
            JsonNode owners = o.path("metadata").path("ownerReferences");
            if (!owners.isArray() || owners.isEmpty() || o.path("metadata").hasNonNull("deletionTimestamp")) {
                continue;
            }
            boolean anyAlive = false;
            for (JsonNode ref : owners) {
                if (uids.contains(ref.path("uid").asText())) {
                    anyAlive = true;
                }
            }
            if (!anyAlive) {
                ResourceType t = "Pod".equals(Json.text(o, "kind")) ? pods : replicaSets;
                api.internal(
                        "DELETE",
                        t.objectPath(Json.text(o, "metadata", "namespace"), Json.text(o, "metadata", "name")),
                        (String) null);
            }
        }
    }
}
