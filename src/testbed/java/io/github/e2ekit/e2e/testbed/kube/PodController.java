package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * What the controllers that create pods share (ReplicaSet, StatefulSet, DaemonSet, Job): the API server, the
 * controllers' kit, the pods resource and the kind of workload each reconciles; a pod made from a workload's
 * template with a controller reference to it (kubernetes {@code pkg/controller/controller_utils.go}
 * {@code RealPodControl.CreatePods}, {@code GetPodFromTemplate}, {@code metav1.NewControllerRef}).
 */
abstract class PodController {
    final FakeApiDispatcher api;
    final FakeControllers kit;
    final ResourceType pods;
    /** The workloads this controller reconciles, the owners of the pods it creates. */
    final ResourceType workloads;

    PodController(FakeApiDispatcher api, FakeControllers kit, String group, String plural) {
        this.api = api;
        this.kit = kit;
        pods = api.typeOf("", "v1", "pods");
        workloads = api.typeOf(group, "v1", plural);
    }

    /** One reconciliation of every workload of this kind. */
    abstract void sync();

    /**
     * The name of a pod the API server generates for {@code workload}: its name, a dash, five random characters
     * (controller_utils.go {@code getPodsPrefix}; apiserver {@code pkg/storage/names/generate.go}
     * {@code SimpleNameGenerator}).
     */
    static String generatedPodName(JsonNode workload) {
        return Json.text(workload, "metadata", "name") + "-" + FakeApiDispatcher.randomSuffix(5);
    }

    /**
     * Creates pod {@code podName} from {@code workload}'s template in its namespace, controlled by it; on
     * {@code nodeName} when not null (a DaemonSet binds its pods), with {@code extraLabels} added to the template's.
     */
    void createPod(JsonNode workload, String podName, String nodeName, Map<String, String> extraLabels) {
        kit.createPod(
                Json.text(workload, "metadata", "namespace"),
                podName,
                workload.path("spec").path("template"),
                FakeControllers.ownerRef(
                        workloads.groupVersion(),
                        workloads.kind(),
                        Json.text(workload, "metadata", "name"),
                        Json.text(workload, "metadata", "uid")),
                nodeName,
                extraLabels);
    }

    /** Writes {@code workload}'s status when it changed. */
    void writeStatus(JsonNode workload, ObjectNode status) {
        FakeControllers.writeStatus(api, workloads, workload, status);
    }
}
