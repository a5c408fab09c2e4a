package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * One container's status as the kubelet reports it: the image pulled as its pull policy says (or the pull's
 * failure and back-off), its configuration checked ({@link ContainerConfigCheck}), then run — by the pod runtime
 * ({@link RealContainers}) when it runs processes, else simulated (started at once, ready after the readiness delay;
 * crash-looping or failing when a test asked for it).
 */
final class KubeletContainers {
    private static final long JOB_RUN_MILLIS = 300;
    private static final long PULL_CYCLE_MILLIS = 3000;
    private static final long PULL_ERROR_MILLIS = 800;
    private static final long CRASH_PERIOD_MILLIS = 1500;

    private final KubeletParts parts;
    private final ContainerConfigCheck configCheck;
    private final RealContainers real;

    KubeletContainers(KubeletParts parts, ContainerConfigCheck configCheck) {
        this.parts = parts;
        this.configCheck = configCheck;
        real = new RealContainers(parts);
    }

    ObjectNode status(ContainerTurn turn, boolean runsToCompletion, boolean fails, String restartPolicy) {
        JsonNode pod = turn.pod();
        PodState rt = turn.rt();
        String cname = turn.cname();
        String image = turn.image();
        String policy = Optional.ofNullable(Json.text(turn.c(), "imagePullPolicy"))
                .orElse(NodeImages.isLatest(image) ? "Always" : "IfNotPresent");
        Optional<String> imageId = parts.nodes().imageId(turn.node(), image);
        long age = Duration.between(rt.firstSeen, turn.now()).toMillis();
        String field = turn.field();
        boolean pulled = false;
        if ((policy.equals("Always") || imageId.isEmpty())
                && !policy.equals("Never")
                && parts.nodes().pull(turn.node(), image)) {
            imageId = parts.nodes().imageId(turn.node(), image);
            pulled = imageId.isPresent();
            if (pulled && !rt.eventsSent.contains("pulled/" + cname)) {
                parts.kit()
                        .event(
                                pod,
                                "Normal",
                                "Pulled",
                                "Successfully pulled image \"" + image + "\"",
                                "kubelet",
                                field);
                rt.eventsSent.add("pulled/" + cname);
            }
        }
        if (!pulled && (policy.equals("Always") || imageId.isEmpty())) {
            if (policy.equals("Never")) {
                String msg = "Container image \"" + image + "\" is not present with pull policy of Never";
                parts.kit().event(pod, "Warning", "ErrImageNeverPull", msg, "kubelet", field);
                parts.kit().event(pod, "Warning", "Failed", "Error: ErrImageNeverPull", "kubelet", field);
                return waiting(turn.c(), "ErrImageNeverPull", msg);
            }
            String pullMsg = parts.nodes().pullFailure(turn.node(), image).orElseGet(() -> pullFailure(image));
            parts.kit().event(pod, "Normal", "Pulling", "Pulling image \"" + image + "\"", "kubelet", field);
            parts.kit()
                    .event(
                            pod,
                            "Warning",
                            "Failed",
                            "Failed to pull image \"" + image + "\": " + pullMsg,
                            "kubelet",
                            field);
            parts.kit().event(pod, "Warning", "Failed", "Error: ErrImagePull", "kubelet", field);
            if (age % PULL_CYCLE_MILLIS < PULL_ERROR_MILLIS) {
                return waiting(turn.c(), "ErrImagePull", pullMsg);
            }
            parts.kit().event(pod, "Normal", "BackOff", "Back-off pulling image \"" + image + "\"", "kubelet", field);
            parts.kit().event(pod, "Warning", "Failed", "Error: ImagePullBackOff", "kubelet", field);
            return waiting(turn.c(), "ImagePullBackOff", "Back-off pulling image \"" + image + "\"");
        }
        String id = imageId.get();
        Optional<String> configProblem = configCheck.problem(Json.text(pod, "metadata", "namespace"), turn.c());
        if (configProblem.isPresent() && !rt.containers.containsKey(cname) && !rt.started.containsKey(cname)) {
            parts.kit().event(pod, "Warning", "Failed", "Error: " + configProblem.get(), "kubelet", field);
            return waiting(turn.c(), "CreateContainerConfigError", configProblem.get());
        }
        boolean crashFault = parts.faults().crashes(NodeImages.normalize(image));
        if (parts.runtime().runsProcesses() && !crashFault && !fails) {
            return real.status(
                    turn, id, runsToCompletion && restartPolicy.equals("Always") ? "OnFailure" : restartPolicy);
        }
        Instant started = rt.started.computeIfAbsent(cname, k -> turn.now());
        if (!rt.eventsSent.contains("started/" + cname)) {
            logStarted(rt, started, cname, image, id);
        }
        startEvents(parts.kit(), pod, cname, image, field);
        rt.eventsSent.add("started/" + cname);
        ObjectNode cs = reportedImage(parts.nodes(), Json.obj().put("name", cname), turn.node(), image, id);
        int restarts = 0;
        boolean crash = parts.faults().crashes(NodeImages.normalize(image));
        String startedAt = started.truncatedTo(ChronoUnit.SECONDS).toString();
        if (crash && !(runsToCompletion && "Never".equals(restartPolicy))) {
            long sinceStart = Duration.between(started, turn.now()).toMillis();
            restarts = (int) (sinceStart / CRASH_PERIOD_MILLIS) + 1;
            cs.put("containerID", containerId(pod, cname, restarts));
            cs.put("ready", false).put("restartCount", restarts).put("started", false);
            crashLoopBackOff(parts.kit(), pod, cs, cname, Math.min(300, 10 << Math.min(5, restarts - 1)), field);
            cs.putObject("lastState")
                    .putObject("terminated")
                    .put("exitCode", 1)
                    .put("reason", "Error")
                    .put("startedAt", startedAt)
                    .put("finishedAt", startedAt)
                    .put("containerID", containerId(pod, cname, restarts - 1));
            if (!rt.eventsSent.contains("crashlog/" + cname)) {
                logExited(rt, cname, 1);
                rt.eventsSent.add("crashlog/" + cname);
            }
            return cs;
        }
        cs.put("containerID", containerId(pod, cname, 0)).put("restartCount", 0);
        long running = Duration.between(started, turn.now()).toMillis();
        if (runsToCompletion && (running >= JOB_RUN_MILLIS || crash)) {
            int exit = fails || crash ? 1 : 0;
            Instant finished = started.plusMillis(JOB_RUN_MILLIS);
            cs.put("ready", false).put("started", false);
            cs.putObject("state")
                    .putObject("terminated")
                    .put("exitCode", exit)
                    .put("reason", exit == 0 ? "Completed" : "Error")
                    .put("startedAt", startedAt)
                    .put("finishedAt", finished.truncatedTo(ChronoUnit.SECONDS).toString())
                    .put("containerID", containerId(pod, cname, 0));
            if (!rt.eventsSent.contains("exit/" + cname)) {
                logExited(rt, cname, exit);
                rt.eventsSent.add("exit/" + cname);
            }
            return cs;
        }
        boolean ready = running >= parts.faults().readinessDelay().toMillis() && !runsToCompletion
                || runsToCompletion
                        && running >= parts.faults().readinessDelay().toMillis();
        cs.put("ready", ready).put("started", true);
        cs.putObject("state").putObject("running").put("startedAt", startedAt);
        return cs;
    }

    /** The node's log line for a started container (its run's start, image and image ID). */
    static void logStarted(PodState rt, Instant at, String cname, String image, String imageId) {
        rt.log
                .append(at)
                .append(" fake-kubelet: started container ")
                .append(cname)
                .append(" (image ")
                .append(image)
                .append(", ")
                .append(imageId)
                .append(")\n");
    }

    /** The node's log line for a container that exited with {@code code}. */
    static void logExited(PodState rt, String cname, int code) {
        rt.log
                .append("fake-kubelet: container ")
                .append(cname)
                .append(" exited with code ")
                .append(code)
                .append('\n');
    }

    /**
     * The kubelet's events for a container it starts from an image on the node: kubernetes
     * pkg/kubelet/images/image_manager.go EnsureImageExists ("Pulled": already present on machine), then
     * pkg/kubelet/kuberuntime/kuberuntime_container.go startContainer ("Created", "Started").
     */
    static void startEvents(FakeControllers kit, JsonNode pod, String cname, String image, String field) {
        kit.event(
                pod,
                "Normal",
                "Pulled",
                "Container image \"" + image + "\" already present on machine",
                "kubelet",
                field);
        kit.event(pod, "Normal", "Created", "Created container " + cname, "kubelet", field);
        kit.event(pod, "Normal", "Started", "Started container " + cname, "kubelet", field);
    }

    /**
     * A container waiting out its restart back-off, as kubernetes pkg/kubelet/kuberuntime/kuberuntime_manager.go
     * doBackOff says it: state {@code waiting} with reason CrashLoopBackOff and the message "back-off &lt;n&gt;s
     * restarting failed container=&lt;c&gt; pod=&lt;name&gt;_&lt;ns&gt;(&lt;uid&gt;)", and a Warning "BackOff" event.
     */
    static void crashLoopBackOff(
            FakeControllers kit, JsonNode pod, ObjectNode cs, String cname, long backoffSeconds, String field) {
        String podRef = Json.text(pod, "metadata", "name") + "_" + Json.text(pod, "metadata", "namespace") + "("
                + Json.text(pod, "metadata", "uid") + ")";
        cs.putObject("state")
                .putObject("waiting")
                .put("reason", "CrashLoopBackOff")
                .put(
                        "message",
                        "back-off " + backoffSeconds + "s restarting failed container=" + cname + " pod=" + podRef);
        kit.event(
                pod,
                "Warning",
                "BackOff",
                "Back-off restarting failed container " + cname + " in pod " + podRef,
                "kubelet",
                field);
    }

    /**
     * {@code image} and {@code imageID} as the kubelet copies them from the CRI's container status
     * ({@link CriImage}: first repo tag, first repo digest, else the config digest {@code id}).
     */
    static ObjectNode reportedImage(NodeImages nodes, ObjectNode cs, String node, String image, String id) {
        CriImage cri =
                nodes.criImage(node, image).filter(c -> c.id().equals(id)).orElse(CriImage.of(id, List.of()));
        return cs.put("image", cri.image()).put("imageID", cri.imageRef());
    }

    private static String pullFailure(String image) {
        String full = NodeImages.normalize(image);
        int slash = full.indexOf('/');
        String registry = full.substring(0, slash);
        String host = registry.equals("docker.io") ? "registry-1.docker.io" : registry;
        String repoAndTag = full.substring(slash + 1);
        int colon = repoAndTag.lastIndexOf(':');
        String repo = colon < 0 ? repoAndTag : repoAndTag.substring(0, colon);
        String tag = colon < 0 ? "latest" : repoAndTag.substring(colon + 1);
        return "failed to pull and unpack image \"" + full + "\": failed to resolve reference \"" + full
                + "\": failed to do request: Head \"https://" + host + "/v2/" + repo + "/manifests/" + tag
                + "\": dial tcp: lookup " + host.replaceAll(":\\d+$", "") + ": no such host";
    }

    static ObjectNode waiting(JsonNode c, String reason, String message) {
        ObjectNode cs = Json.obj()
                .put("name", c.path("name").asText())
                .put("image", c.path("image").asText())
                .put("imageID", "")
                .put("ready", false)
                .put("restartCount", 0)
                .put("started", false);
        ObjectNode w = cs.putObject("state").putObject("waiting").put("reason", reason);
        if (message != null) {
            w.put("message", message);
        }
        return cs;
    }

    static String containerId(JsonNode pod, String container, int restart) {
        return "containerd://"
                + FakeControllers.sha256(Json.text(pod, "metadata", "uid") + "/" + container + "/" + restart);
    }
}
