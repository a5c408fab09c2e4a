package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet's part of a pod's graceful deletion. Once the API server gave the pod a {@code deletionTimestamp}
 * ({@link Deletion}), the kubelet stops its containers: SIGTERM first, SIGKILL when the grace period
 * ({@code deletionGracePeriodSeconds}, scaled by {@link TestBedTime}) is over (kubernetes
 * pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer). It does not restart them any more. Once none
 * runs, it reports the final status — every container terminated, the pod in a terminal phase (Succeeded when all
 * exited 0, else Failed: kubelet_pods.go getPhase with podIsTerminal, since 1.27) and Ready False — and deletes the
 * pod with grace 0 and its uid as precondition (pkg/kubelet/status/status_manager.go canBeDeleted → Delete). Watches
 * see MODIFIED (deletionTimestamp), MODIFIED (final status), DELETED, in that order.
 *
 * <p>Until then the pod keeps the status it had: Ready stays what the probes said (the kubelet probes readiness
 * until the containers stopped: kubelet.go SyncTerminatingPod removes the probes after killPod); what leaves at
 * once is its place among the ReplicaSet's active pods and the Service's endpoints, both decided by the
 * {@code deletionTimestamp} (kubernetes pkg/controller/controller_utils.go IsPodActive; endpointslice
 * util/controller_utils.go ShouldPodBeInEndpoints). Simplification: readiness is not probed again while the pod
 * terminates.
 *
 * <p>Simulated containers ({@link PodRuntime#none()}) exit on SIGTERM at once (exit code 0), except those whose
 * image was named by {@link #ignoreSigterm}: they run until the grace period is over and are killed (137).
 */
final class PodTermination {

    private final FakeApiDispatcher api;
    private final PodRuntime runtime;
    private final ResourceType pods;
    private final Set<String> ignoringImages = ConcurrentHashMap.newKeySet();
    /** Pod uid → when the grace period is over. */
    private final Map<String, Instant> killAt = new ConcurrentHashMap<>();

    PodTermination(FakeApiDispatcher api, PodRuntime runtime) {
        this.api = api;
        this.runtime = runtime;
        this.pods = api.typeOf("", "v1", "pods");
    }

    /** Simulated containers of this image ignore SIGTERM: they run for the whole grace period. */
    void ignoreSigterm(String imageRef) {
        ignoringImages.add(NodeImages.normalize(imageRef));
    }

    void clearFaults() {
        ignoringImages.clear();
    }

    /** Forgets pods that are gone. */
    void retain(Set<String> liveUids) {
        killAt.keySet().retainAll(liveUids);
    }

    /**
     * One kubelet pass over a pod that has a {@code deletionTimestamp}. {@code ref} is null when the runtime never
     * started anything for it; {@code running} names the containers whose processes the runtime runs.
     */
    void step(JsonNode pod, PodRuntime.PodRef ref, List<String> running) {
        String uid = Json.text(pod, "metadata", "uid");
        Instant now = Instant.now();
        boolean real = runtime.runsProcesses() && ref != null;
        Instant deadline = killAt.computeIfAbsent(uid, u -> {
            if (real) {
                runtime.terminate(ref);
            }
            return now.plus(TestBedTime.seconds(
                    pod.path("metadata").path("deletionGracePeriodSeconds").asLong(0)));
        });
        Map<String, Integer> exits = new HashMap<>();
        boolean allExited = true;
        if (real) {
            for (String c : running) {
                Optional<Integer> exit;
                try {
                    exit = runtime.exitCode(ref, c);
                } catch (RuntimeException e) {
                    exit = Optional.empty();
                }
                if (exit.isPresent()) {
                    exits.put(c, exit.get());
                } else {
                    allExited = false;
                }
            }
        } else if (!runtime.runsProcesses()) {
            Map<String, String> images = new HashMap<>();
            pod.path("spec")
                    .path("containers")
                    .forEach(c ->
                            images.put(c.path("name").asText(), c.path("image").asText()));
            for (JsonNode cs : pod.path("status").path("containerStatuses")) {
                String name = cs.path("name").asText();
                if (!cs.path("state").has("running")) {
                    continue;
                }
                if (ignoringImages.contains(NodeImages.normalize(images.getOrDefault(name, "")))) {
                    allExited = false;
                } else {
                    exits.put(name, 0);
                }
            }
        }
        if (!allExited && now.isBefore(deadline)) {
            return; // still running within its grace period
        }
        if (!allExited && real) {
            runtime.kill(ref);
        }
        writeFinalStatus(pod, exits, now);
        ObjectNode options = Json.obj().put("gracePeriodSeconds", 0);
        options.putObject("preconditions").put("uid", uid);
        api.internal(
                "DELETE",
                pods.objectPath(Json.text(pod, "metadata", "namespace"), Json.text(pod, "metadata", "name")),
                options);
        killAt.remove(uid);
    }

    /** Every container that ran is terminated (137 when it had to be killed); the phase is terminal. */
    private void writeFinalStatus(JsonNode pod, Map<String, Integer> exits, Instant now) {
        ObjectNode status = pod.path("status").isObject() ? ((ObjectNode) pod.path("status")).deepCopy() : Json.obj();
        boolean allZero = true;
        String finished = now.truncatedTo(ChronoUnit.SECONDS).toString();
        for (JsonNode n : status.path("containerStatuses")) {
            ObjectNode cs = (ObjectNode) n;
            String name = cs.path("name").asText();
            JsonNode runningState = cs.path("state").path("running");
            if (!runningState.isMissingNode()) {
                int code = exits.getOrDefault(name, 137);
                cs.putObject("state")
                        .putObject("terminated")
                        .put("exitCode", code)
                        .put("reason", code == 0 ? "Completed" : "Error")
                        .put("startedAt", runningState.path("startedAt").asText(finished))
                        .put("finishedAt", finished)
                        .put("containerID", cs.path("containerID").asText(""));
            }
            JsonNode term = cs.path("state").path("terminated");
            if (term.isMissingNode() || term.path("exitCode").asInt() != 0) {
                allZero = false;
            }
            cs.put("ready", false).put("started", false);
        }
        String phase = allZero && status.path("containerStatuses").size() > 0 ? "Succeeded" : "Failed";
        status.put("phase", phase);
        String reason = phase.equals("Succeeded") ? "PodCompleted" : "PodFailed";
        JsonNode oldConds = pod.path("status").path("conditions");
        ArrayNode conds = Json.arr();
        for (JsonNode c : oldConds) {
            String type = c.path("type").asText();
            switch (type) {
                case "Ready", "ContainersReady" ->
                    conds.add(FakeControllers.condition(oldConds, type, "False", reason, null, false));
                case "PodReadyToStartContainers" ->
                    conds.add(FakeControllers.condition(oldConds, type, "False", null, null, false));
                default -> conds.add(c);
            }
        }
        status.set("conditions", conds);
        FakeControllers.writeStatus(api, pods, pod, status);
    }
}
