package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The StatefulSet controller: pods named {@code <set>-<ordinal>}, created in order (one at a time, each after the
 * previous is ready, unless {@code podManagementPolicy: Parallel}), removed from the highest ordinal, replaced
 * highest first on a rolling update once the others are ready; status with current and update revisions.
 */
final class StatefulSetController extends PodController {

    StatefulSetController(FakeApiDispatcher api, FakeControllers kit) {
        super(api, kit, "apps", "statefulsets");
    }

    @Override
    void sync() {
        for (JsonNode s : api.list(workloads, null)) {
            String ns = Json.text(s, "metadata", "namespace");
            String name = Json.text(s, "metadata", "name");
            String uid = Json.text(s, "metadata", "uid");
            int desired = s.path("spec").path("replicas").asInt(1);
            String revision =
                    name + "-" + FakeControllers.templateHash(s.path("spec").path("template"));
            boolean parallel = "Parallel".equals(Json.text(s, "spec", "podManagementPolicy"));
            boolean onDelete = "OnDelete".equals(Json.text(s, "spec", "updateStrategy", "type"));
            List<JsonNode> owned = FakeControllers.ownedBy(api.list(pods, ns), uid);
            Map<Integer, JsonNode> byOrdinal = new java.util.TreeMap<>();
            for (JsonNode p : owned) {
                String pn = Json.text(p, "metadata", "name");
                try {
                    byOrdinal.put(Integer.parseInt(pn.substring(name.length() + 1)), p);
                } catch (RuntimeException e) {
                    kit.deletePod(p);
                }
            }
            // scale down, highest ordinal first
            List<Integer> extra = byOrdinal.keySet().stream()
                    .filter(i -> i >= desired)
                    .sorted(Comparator.reverseOrder())
                    .toList();
            if (!extra.isEmpty()) {
                kit.deletePod(byOrdinal.remove(extra.get(0)));
            } else {
                for (int i = 0; i < desired; i++) {
                    if (!byOrdinal.containsKey(i)) {
                        Map<String, String> extraLabels = Map.of(
                                "controller-revision-hash",
                                revision,
                                "statefulset.kubernetes.io/pod-name",
                                name + "-" + i,
                                "apps.kubernetes.io/pod-index",
                                String.valueOf(i));
                        createPod(s, name + "-" + i, null, extraLabels);
                        if (!parallel) {
                            break;
                        }
                    } else if (!parallel && !FakeControllers.isReady(byOrdinal.get(i))) {
                        break;
                    }
                }
                // rolling update: replace the highest outdated pod when all others are ready
                if (!onDelete && byOrdinal.size() == desired) {
                    List<Integer> outdated = byOrdinal.entrySet().stream()
                            .filter(e -> !revision.equals(
                                    Json.text(e.getValue(), "metadata", "labels", "controller-revision-hash")))
                            .map(Map.Entry::getKey)
                            .sorted(Comparator.reverseOrder())
                            .toList();
                    if (!outdated.isEmpty()) {
                        int victim = outdated.get(0);
                        boolean othersReady = byOrdinal.entrySet().stream()
                                .allMatch(e -> e.getKey() == victim || FakeControllers.isReady(e.getValue()));
                        if (othersReady) {
                            kit.deletePod(byOrdinal.get(victim));
                        }
                    }
                }
            }
            List<JsonNode> now = FakeControllers.ownedBy(api.list(pods, ns), uid);
            int ready = (int) now.stream().filter(FakeControllers::isReady).count();
            int updated = (int) now.stream()
                    .filter(p -> revision.equals(Json.text(p, "metadata", "labels", "controller-revision-hash")))
                    .count();
            String current = updated == now.size() && now.size() == desired
                    ? revision
                    : Optional.ofNullable(Json.text(s, "status", "currentRevision"))
                            .orElse(revision);
            ObjectNode st = Json.obj()
                    .put(
                            "observedGeneration",
                            s.path("metadata").path("generation").asLong(1))
                    .put("replicas", now.size())
                    .put("readyReplicas", ready)
                    .put("currentReplicas", current.equals(revision) ? updated : now.size() - updated)
                    .put("updatedReplicas", updated)
                    .put("availableReplicas", ready)
                    .put("currentRevision", current)
                    .put("updateRevision", revision)
                    .put("collisionCount", 0);
            for (String f : List.of("readyReplicas", "currentReplicas", "updatedReplicas")) {
                if (st.get(f).asInt() == 0) {
                    st.remove(f);
                }
            }
            writeStatus(s, st);
        }
    }
}
