package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kubelet of every node: binds unscheduled pods to a node (as the scheduler would), runs their containers
 * ({@link KubeletContainers}), stops those of deleted pods ({@link PodTermination}) and writes each pod's status:
 * phase, conditions, IPs and container statuses. State that a real kubelet keeps in the container runtime is kept
 * per pod uid ({@link PodState}) and dropped when the pod is gone.
 */
final class Kubelet {
    private final FakeApiDispatcher api;
    private final FakeControllers kit;
    private final NodeImages nodes;
    private final PodRuntime runtime;
    private final KubeletProbes probes;
    private final KubeletFaults faults = new KubeletFaults();
    private final KubeletContainers containers;
    private final PodTermination termination;
    private final ResourceType pods;
    private final Map<String, PodState> podStates = new ConcurrentHashMap<>();
    private final AtomicInteger nextPodIp = new AtomicInteger(2);
    private final AtomicInteger nextNode = new AtomicInteger();

    Kubelet(FakeApiDispatcher api, FakeControllers kit, NodeImages nodes, PodRuntime runtime) {
        this.api = api;
        this.kit = kit;
        this.nodes = nodes;
        this.runtime = runtime;
        this.probes = new KubeletProbes(runtime);
        this.containers = new KubeletContainers(
                new KubeletParts(kit, nodes, runtime, faults, probes), new ContainerConfigCheck(api));
        this.termination = new PodTermination(api, runtime);
        pods = api.typeOf("", "v1", "pods");
    }

    KubeletFaults faults() {
        return faults;
    }

    void ignoreSigterm(String imageRef) {
        termination.ignoreSigterm(imageRef);
    }

    void clearFaults() {
        termination.clearFaults();
        faults.clear();
    }

    /** The events already sent for a pod (kept with the pod's state). */
    Set<String> eventsSent(String uid) {
        return podStates.computeIfAbsent(uid, u -> new PodState(podIp())).eventsSent;
    }

    /** One pass over every pod: bind, run or stop its containers, write its status. */
    void sync() {
        List<String> nodeNames = nodes.nodes();
        Set<String> live = new HashSet<>();
        List<JsonNode> allPods = api.list(pods, null);
        allPods.forEach(p -> live.add(Json.text(p, "metadata", "uid")));
        // stop the processes of deleted pods first: a pod recreated under the same name reuses their place
        for (Map.Entry<String, PodState> e : podStates.entrySet()) {
            if (!live.contains(e.getKey())) {
                stopPod(e.getValue());
                podStates.remove(e.getKey());
            }
        }
        for (JsonNode p : allPods) {
            String uid = Json.text(p, "metadata", "uid");
            String node = Json.text(p, "spec", "nodeName");
            if (node == null || node.isEmpty()) {
                if (nodeNames.isEmpty()) {
                    continue;
                }
                node = nodeNames.get(Math.floorMod(nextNode.getAndIncrement(), nodeNames.size()));
                ObjectNode copy = ((ObjectNode) p).deepCopy();
                Json.with(copy, "spec").put("nodeName", node);
                FakeApiDispatcher.Resp r = api.internal(
                        "PUT",
                        pods.objectPath(Json.text(p, "metadata", "namespace"), Json.text(p, "metadata", "name")),
                        copy);
                if (!r.ok()) {
                    continue;
                }
                p = r.json();
                kit.event(
                        p,
                        "Normal",
                        "Scheduled",
                        "Successfully assigned " + Json.text(p, "metadata", "namespace") + "/"
                                + Json.text(p, "metadata", "name") + " to " + node,
                        "default-scheduler",
                        null);
            }
            PodState rt = podStates.computeIfAbsent(uid, u -> new PodState(podIp()));
            if (p.path("metadata").hasNonNull("deletionTimestamp")) {
                // being deleted: stop the containers (PodTermination), never start or restart them
                List<String> running = rt.containers.entrySet().stream()
                        .filter(e -> e.getValue().running)
                        .map(Map.Entry::getKey)
                        .toList();
                termination.step(p, rt.ref, running);
                continue;
            }
            ObjectNode st = podStatus(p, node, rt);
            FakeControllers.writeStatus(api, pods, p, st);
        }
        for (Map.Entry<String, PodState> e : podStates.entrySet()) {
            if (!live.contains(e.getKey())) {
                stopPod(e.getValue());
                podStates.remove(e.getKey());
            }
        }
        termination.retain(live);
    }

    private String podIp() {
        int n = nextPodIp.getAndIncrement();
        return "10.244." + (n / 250) + "." + (n % 250 + 1);
    }

    private ObjectNode podStatus(JsonNode pod, String node, PodState rt) {
        Instant now = Instant.now();
        JsonNode old = pod.path("status");
        String restartPolicy =
                Optional.ofNullable(Json.text(pod, "spec", "restartPolicy")).orElse("Always");
        String jobName = ownerOfKind(pod, "Job");
        boolean jobFails = jobName != null && faults.fails(jobName);
        ObjectNode st = Json.obj();
        ArrayNode initStatuses = Json.arr();
        boolean initDone = true;
        boolean initFailed = false;
        boolean real = runtime.runsProcesses();
        for (JsonNode c : pod.path("spec").path("initContainers")) {
            // a real runtime runs init containers one after the other; the simulation runs them side by side
            ObjectNode cs = real && !initDone
                    ? KubeletContainers.waiting(c, "PodInitializing", null)
                    : containers.status(new ContainerTurn(pod, node, rt, c, now), true, false, restartPolicy);
            initStatuses.add(cs);
            JsonNode term = cs.path("state").path("terminated");
            if (term.isMissingNode()) {
                initDone = false;
            } else if (real && term.path("exitCode").asInt() != 0) {
                initDone = false;
                initFailed = true;
            }
        }
        ArrayNode statuses = Json.arr();
        boolean allRunning = true;
        boolean allTerminated = true;
        boolean anyFailed = false;
        for (JsonNode c : pod.path("spec").path("containers")) {
            ObjectNode cs;
            if (!initDone) {
                cs = KubeletContainers.waiting(c, "PodInitializing", null);
            } else {
                boolean fails = jobFails
                        || faults.fails(NodeImages.normalize(c.path("image").asText()));
                cs = containers.status(
                        new ContainerTurn(pod, node, rt, c, now),
                        jobName != null,
                        fails && jobName != null,
                        restartPolicy);
            }
            statuses.add(cs);
            JsonNode state = cs.path("state");
            allRunning &= state.has("running") && cs.path("ready").asBoolean();
            allTerminated &= state.has("terminated");
            if (state.has("terminated")
                    && state.path("terminated").path("exitCode").asInt() != 0) {
                anyFailed = true;
            }
        }
        String phase;
        if (initFailed) {
            phase = "Failed";
        } else if (allTerminated
                && statuses.size() > 0
                && !restartPolicy.equals("Always")
                && !(restartPolicy.equals("OnFailure") && anyFailed)) {
            // kubernetes pkg/kubelet/kubelet_pods.go getPhase: containers that will restart keep the pod Running
            phase = anyFailed ? "Failed" : "Succeeded";
        } else if (allTerminated && statuses.size() > 0) {
            phase = "Running";
        } else if (statuses.size() > 0 && initDone && anyStarted(statuses)) {
            phase = "Running";
        } else {
            phase = "Pending";
        }
        JsonNode oldConds = old.path("conditions");
        ArrayNode conds = Json.arr();
        boolean ready = allRunning && !"Succeeded".equals(phase) && !"Failed".equals(phase);
        boolean sandbox = !"Succeeded".equals(phase) && !"Failed".equals(phase);
        conds.add(FakeControllers.condition(
                oldConds, "PodReadyToStartContainers", sandbox ? "True" : "False", null, null, false));
        conds.add(FakeControllers.condition(
                oldConds,
                "Initialized",
                initDone ? "True" : "False",
                initDone ? null : "ContainersNotInitialized",
                initDone ? null : "containers with incomplete status: " + names(initStatuses, false),
                false));
        String notReady = names(statuses, true);
        String terminalReason = "Succeeded".equals(phase) ? "PodCompleted" : "PodFailed";
        boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
        // kubernetes pkg/kubelet/status/generate.go GeneratePodReadyCondition: Ready takes ContainersReady's status,
        // reason and message (GenerateContainersReadyCondition) when the containers are not ready
        for (String type : List.of("Ready", "ContainersReady")) {
            conds.add(FakeControllers.condition(
                    oldConds,
                    type,
                    ready ? "True" : "False",
                    ready ? null : terminal ? terminalReason : "ContainersNotReady",
                    ready || terminal ? null : "containers with unready status: " + notReady,
                    false));
        }
        conds.add(FakeControllers.condition(oldConds, "PodScheduled", "True", null, null, false));
        st.set("conditions", conds);
        st.put("phase", phase);
        String hostIp = kit.nodeIp(node);
        st.put("hostIP", hostIp);
        st.putArray("hostIPs").addObject().put("ip", hostIp);
        st.put("podIP", rt.podIp);
        st.putArray("podIPs").addObject().put("ip", rt.podIp);
        st.put("startTime", rt.firstSeen.truncatedTo(ChronoUnit.SECONDS).toString());
        if (!initStatuses.isEmpty()) {
            st.set("initContainerStatuses", initStatuses);
        }
        st.set("containerStatuses", statuses);
        st.put("qosClass", "BestEffort");
        return st;
    }

    private static boolean anyStarted(ArrayNode statuses) {
        for (JsonNode s : statuses) {
            if (s.path("state").has("running")
                    || s.path("state").has("terminated")
                    || s.has("lastState") && s.path("lastState").has("terminated")) {
                return true;
            }
        }
        return false;
    }

    private static String names(ArrayNode statuses, boolean unready) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : statuses) {
            boolean done =
                    unready ? s.path("ready").asBoolean() : s.path("state").has("terminated");
            if (!done) {
                out.add(s.path("name").asText());
            }
        }
        return "[" + String.join(" ", out) + "]";
    }

    private static String ownerOfKind(JsonNode obj, String kind) {
        for (JsonNode ref : obj.path("metadata").path("ownerReferences")) {
            if (kind.equals(ref.path("kind").asText())) {
                return ref.path("name").asText();
            }
        }
        return null;
    }

    String logs(String namespace, String pod, String container) {
        JsonNode p = api.find(pods, namespace, pod);
        PodState rt = p == null ? null : podStates.get(Json.text(p, "metadata", "uid"));
        if (rt == null) {
            return "";
        }
        PodRuntime.PodRef ref = rt.ref;
        if (ref != null && runtime.runsProcesses()) {
            String c = container;
            if (c == null || c.isEmpty()) {
                JsonNode first = p.path("spec").path("containers").path(0);
                c = first.path("name").asText();
            }
            if (rt.containers.containsKey(c)) {
                Optional<String> out = runtime.logs(ref, c);
                if (out.isPresent()) {
                    return out.get();
                }
            }
        }
        return rt.log.toString();
    }

    FakeControllers.LogPiece logFrom(String namespace, String pod, String container, long offset) {
        JsonNode p = api.find(pods, namespace, pod);
        PodState rt = p == null ? null : podStates.get(Json.text(p, "metadata", "uid"));
        if (rt == null) {
            return new FakeControllers.LogPiece("", true);
        }
        PodRuntime.PodRef ref = rt.ref;
        if (ref != null && runtime.runsProcesses() && rt.containers.containsKey(container)) {
            // the exit is read first, so the text read after it holds everything the container wrote
            boolean exited = runtime.exitCode(ref, container).isPresent();
            Optional<String> out = runtime.logsFrom(ref, container, offset);
            if (out.isPresent()) {
                return new FakeControllers.LogPiece(out.get(), exited);
            }
        }
        byte[] all = rt.log.toString().getBytes(StandardCharsets.UTF_8);
        int from = (int) Math.min(all.length, Math.max(0, offset));
        return new FakeControllers.LogPiece(new String(all, from, all.length - from, StandardCharsets.UTF_8), false);
    }

    /** Stops the probes and every process the pod runtime still runs. */
    void close() {
        probes.close();
        for (PodState st : podStates.values()) {
            stopPod(st);
        }
        podStates.clear();
    }

    private void stopPod(PodState st) {
        PodRuntime.PodRef ref = st.ref;
        if (ref != null) {
            try {
                runtime.stopPod(ref);
            } catch (RuntimeException e) {
                // the runtime's close() is the fallback
            }
        }
    }
}
