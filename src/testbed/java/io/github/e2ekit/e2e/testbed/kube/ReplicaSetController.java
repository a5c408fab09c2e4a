package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The ReplicaSet controller: keeps each ReplicaSet's active pods at its replica count, then writes its status. */
final class ReplicaSetController extends PodController {

    ReplicaSetController(FakeApiDispatcher api, FakeControllers kit) {
        super(api, kit, "apps", "replicasets");
    }

    /**
     * The ReplicaSet controller (kubernetes pkg/controller/replicaset/replica_set.go manageReplicas): it counts only
     * active pods (controller_utils.go FilterActivePods: not terminating, not Succeeded/Failed), so a pod being
     * deleted is replaced at once; it removes not-ready and newer pods first when scaling down.
     */
    @Override
    void sync() {
        List<JsonNode> allPods =
                api.list(pods, null).stream().filter(FakeControllers::isActive).toList();
        for (JsonNode rs : api.list(workloads, null)) {
            String ns = Json.text(rs, "metadata", "namespace");
            String uid = Json.text(rs, "metadata", "uid");
            int desired = rs.path("spec").path("replicas").asInt(1);
            List<JsonNode> owned = new ArrayList<>(FakeControllers.ownedBy(allPods, uid));
            for (int i = owned.size(); i < desired; i++) {
                createPod(rs, generatedPodName(rs), null, Map.of());
            }
            if (owned.size() > desired) {
                owned.sort(Comparator.comparing((JsonNode p) -> FakeControllers.isReady(p))
                        .thenComparing(p -> Json.text(p, "metadata", "creationTimestamp"), Comparator.reverseOrder()));
                for (int i = 0; i < owned.size() - desired; i++) {
                    kit.deletePod(owned.get(i));
                }
            }
            List<JsonNode> now = FakeControllers.ownedBy(
                    api.list(pods, ns).stream()
                            .filter(FakeControllers::isActive)
                            .toList(),
                    uid);
            int ready = (int) now.stream().filter(FakeControllers::isReady).count();
            ObjectNode st = Json.obj().put("replicas", now.size());
            int labelled = now.size();
            st.put("fullyLabeledReplicas", labelled)
                    .put("readyReplicas", ready)
                    .put("availableReplicas", ready)
                    .put(
                            "observedGeneration",
                            rs.path("metadata").path("generation").asLong(1));
            if (ready == 0) {
                st.remove("readyReplicas");
                st.remove("availableReplicas");
            }
            writeStatus(rs, st);
        }
    }
}
