package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * The DaemonSet controller: one pod per node, bound to it; on a template change (unless {@code OnDelete}) one
 * outdated pod at a time is replaced once all are ready; status counts scheduled, ready and updated pods.
 */
final class DaemonSetController extends PodController {
    private final NodeImages nodes;

    DaemonSetController(FakeApiDispatcher api, FakeControllers kit, NodeImages nodes) {
        super(api, kit, "apps", "daemonsets");
        this.nodes = nodes;
    }

    @Override
    void sync() {
        List<String> nodeNames = nodes.nodes();
        for (JsonNode ds : api.list(workloads, null)) {
            String ns = Json.text(ds, "metadata", "namespace");
            String uid = Json.text(ds, "metadata", "uid");
            String hash = FakeControllers.templateHash(ds.path("spec").path("template"));
            long generation = ds.path("metadata").path("generation").asLong(1);
            List<JsonNode> owned = FakeControllers.ownedBy(api.list(pods, ns), uid);
            boolean allReady = owned.stream().allMatch(FakeControllers::isReady);
            boolean deletedOne = false;
            for (String node : nodeNames) {
                List<JsonNode> onNode = owned.stream()
                        .filter(p -> node.equals(Json.text(p, "spec", "nodeName")))
                        .toList();
                if (onNode.isEmpty()) {
                    createPod(
                            ds,
                            generatedPodName(ds),
                            node,
                            Map.of(
                                    "controller-revision-hash",
                                    hash,
                                    "pod-template-generation",
                                    String.valueOf(generation)));
                } else if (!deletedOne
                        && allReady
                        && !hash.equals(Json.text(onNode.get(0), "metadata", "labels", "controller-revision-hash"))
                        && !"OnDelete".equals(Json.text(ds, "spec", "updateStrategy", "type"))) {
                    kit.deletePod(onNode.get(0));
                    deletedOne = true;
                }
            }
            List<JsonNode> now = FakeControllers.ownedBy(api.list(pods, ns), uid);
            int ready = (int) now.stream().filter(FakeControllers::isReady).count();
            int updated = (int) now.stream()
                    .filter(p -> hash.equals(Json.text(p, "metadata", "labels", "controller-revision-hash")))
                    .count();
            ObjectNode st = Json.obj()
                    .put("currentNumberScheduled", now.size())
                    .put("desiredNumberScheduled", nodeNames.size())
                    .put("numberMisscheduled", 0)
                    .put("numberReady", ready)
                    .put("observedGeneration", generation)
                    .put("updatedNumberScheduled", updated)
                    .put("numberAvailable", ready);
            if (nodeNames.size() - ready > 0) {
                st.put("numberUnavailable", nodeNames.size() - ready);
            }
            if (ready == 0) {
                st.remove("numberAvailable");
            }
            writeStatus(ds, st);
        }
    }
}
