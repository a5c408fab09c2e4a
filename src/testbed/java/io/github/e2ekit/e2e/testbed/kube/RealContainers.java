package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Containers whose processes the pod runtime really runs: start, exit, restart back-off and readiness probes. */
final class RealContainers {
    private final KubeletParts parts;

    RealContainers(KubeletParts parts) {
        this.parts = parts;
    }

    /**
     * The status of a container whose process the pod runtime really runs: started when it is not running,
     * restarted after a back-off as the pod's restart policy says, ready when its readiness probe passes.
     * {@code restartPolicy} for init containers is never {@code Always} (they restart on failure only).
     */
    ObjectNode status(ContainerTurn turn, String imageId, String restartPolicy) {
        JsonNode pod = turn.pod();
        Instant now = turn.now();
        String cname = turn.cname();
        RealContainer k = turn.rt().containers.computeIfAbsent(cname, n -> new RealContainer());
        startIfDue(turn, k, imageId);
        if (k.running) {
            Optional<Integer> exit;
            try {
                exit = parts.runtime().exitCode(turn.ref(), cname);
            } catch (RuntimeException e) {
                exit = Optional.empty();
            }
            if (exit.isPresent()) {
                int code = exit.get();
                k.running = false;
                k.lastExit = code;
                k.lastStartedAt = k.startedAt;
                k.lastFinishedAt = now;
                k.probe.reset();
                KubeletContainers.logExited(turn.rt(), cname, code);
                if (code != 0) {
                    hintAtPortConflict(turn, code);
                }
                boolean restart = restartPolicy.equals("Always") || restartPolicy.equals("OnFailure") && code != 0;
                if (restart) {
                    k.pendingRestart = true;
                    k.backoff = KubeletProbes.restartBackoff(k.restarts);
                    k.nextStart = now.plus(TestBedTime.scaled(k.backoff));
                    // the first restart is immediate: no CrashLoopBackOff before it
                    startIfDue(turn, k, imageId);
                } else {
                    k.finished = true;
                }
            }
        }
        ObjectNode cs = KubeletContainers.reportedImage(
                parts.nodes(), Json.obj().put("name", cname), turn.node(), turn.image(), imageId);
        cs.put("containerID", KubeletContainers.containerId(pod, cname, k.restarts))
                .put("restartCount", k.restarts);
        if (k.lastExit != null && !k.finished) {
            cs.putObject("lastState")
                    .set(
                            "terminated",
                            terminated(
                                    pod,
                                    cname,
                                    k.lastExit,
                                    k.lastStartedAt,
                                    k.lastFinishedAt,
                                    k.pendingRestart ? k.restarts : k.restarts - 1));
        }
        if (k.running && Duration.between(k.startedAt, now).compareTo(KubeletProbes.relistPeriod()) < 0) {
            // not yet seen by the kubelet's PLEG relist: the status still shows what the last relist saw
            cs.put("ready", false).put("started", false);
            if (k.lastExit == null) {
                cs.putObject("state").putObject("waiting").put("reason", "ContainerCreating");
            } else {
                cs.remove("lastState");
                cs.put("restartCount", Math.max(0, k.restarts - 1));
                cs.putObject("state")
                        .set(
                                "terminated",
                                terminated(pod, cname, k.lastExit, k.lastStartedAt, k.lastFinishedAt, k.restarts - 1));
            }
        } else if (k.running) {
            boolean ready =
                    Duration.between(k.startedAt, now).compareTo(parts.faults().readinessDelay()) >= 0
                            && parts.probes().ready(turn.ref(), turn.c(), k.probe, k.startedAt, now);
            String failure = k.probe.failure();
            if (!ready && failure != null) {
                // kubernetes pkg/kubelet/prober/prober.go runProbeWithRetries/probe: every failed probe is a Warning
                // "Unhealthy" event "<type> probe failed: <output>" (the API server aggregates repeats; here: once
                // each)
                parts.kit()
                        .event(
                                pod,
                                "Warning",
                                "Unhealthy",
                                "Readiness probe failed: " + failure,
                                "kubelet",
                                turn.field());
            }
            cs.put("ready", ready).put("started", true);
            cs.putObject("state").putObject("running").put("startedAt", seconds(k.startedAt));
        } else if (k.finished) {
            cs.put("ready", false).put("started", false);
            cs.putObject("state")
                    .set(
                            "terminated",
                            terminated(pod, cname, k.lastExit, k.lastStartedAt, k.lastFinishedAt, k.restarts));
        } else if (k.startError != null) {
            cs.put("ready", false).put("started", false);
            cs.putObject("state")
                    .putObject("waiting")
                    .put("reason", k.startErrorReason)
                    .put("message", k.startError);
        } else {
            cs.put("ready", false).put("started", false);
            KubeletContainers.crashLoopBackOff(
                    parts.kit(), pod, cs, cname, Math.max(1, k.backoff.toSeconds()), turn.field());
        }
        return cs;
    }

    /** Starts (or restarts) a container whose back-off is over; a restart counts once its container starts. */
    private void startIfDue(ContainerTurn turn, RealContainer k, String imageId) {
        if (k.running || k.finished || turn.now().isBefore(k.nextStart)) {
            return;
        }
        String cname = turn.cname();
        String image = turn.image();
        try {
            parts.runtime().start(turn.ref(), containerSpec(turn.pod(), turn.c(), turn.rt()), image);
            k.running = true;
            k.startedAt = turn.now();
            k.startError = null;
            k.run++;
            k.probe.reset();
            if (k.pendingRestart) {
                k.restarts++;
                k.pendingRestart = false;
            }
            KubeletContainers.logStarted(turn.rt(), turn.now(), cname, image, imageId);
            KubeletContainers.startEvents(parts.kit(), turn.pod(), cname, image, turn.field());
        } catch (PodRuntime.StartException e) {
            startFailed(turn, k, e.reason(), e.eventReason(), e.getMessage());
        } catch (RuntimeException e) {
            // one pod's broken start must not stop the kubelet's pass over the others
            startFailed(turn, k, "RunContainerError", "Failed", "failed to start container " + cname + ": " + e);
        }
    }

    private void startFailed(ContainerTurn turn, RealContainer k, String reason, String eventReason, String message) {
        k.startError = message;
        k.startErrorReason = reason;
        k.nextStart = turn.now().plusSeconds(1);
        parts.kit().event(turn.pod(), "Warning", eventReason, message, "kubelet", turn.field());
        parts.kit().event(turn.pod(), "Warning", "Failed", "Error: " + message, "kubelet", turn.field());
    }

    /**
     * A container that exits because its address is in use most likely met another container of its pod on the
     * same port (the containers of a pod share its network namespace): says so in a {@code PortConflict} event.
     */
    private void hintAtPortConflict(ContainerTurn turn, int code) {
        String out;
        try {
            out = parts.runtime().logs(turn.ref(), turn.cname()).orElse("");
        } catch (RuntimeException e) {
            return;
        }
        String tail = out.length() > 4096 ? out.substring(out.length() - 4096) : out;
        if (tail.toLowerCase(java.util.Locale.ROOT).contains("address in use")
                || tail.toLowerCase(java.util.Locale.ROOT).contains("address already in use")) {
            parts.kit()
                    .event(
                            turn.pod(),
                            "Warning",
                            "PortConflict",
                            "container " + turn.cname() + " exited with code " + code + " and says its "
                                    + "address is already in use: the containers of a pod share its network namespace, so they cannot "
                                    + "listen on the same port",
                            "kubelet",
                            turn.field());
        }
    }

    private static ObjectNode terminated(
            JsonNode pod, String cname, int exitCode, Instant started, Instant finished, int restart) {
        return Json.obj()
                .put("exitCode", exitCode)
                .put("reason", exitCode == 0 ? "Completed" : "Error")
                .put("startedAt", seconds(started))
                .put("finishedAt", seconds(finished))
                .put("containerID", KubeletContainers.containerId(pod, cname, Math.max(0, restart)));
    }

    private static String seconds(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The container as the pod runtime needs it; env values from simple field references are resolved. */
    private PodRuntime.ContainerSpec containerSpec(JsonNode pod, JsonNode c, PodState rt) {
        List<String> command = new ArrayList<>();
        c.path("command").forEach(x -> command.add(x.asText()));
        List<String> args = new ArrayList<>();
        c.path("args").forEach(x -> args.add(x.asText()));
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (JsonNode e : c.path("env")) {
            String name = e.path("name").asText();
            if (e.has("value")) {
                env.put(name, e.path("value").asText());
            } else if (e.path("valueFrom").has("fieldRef")) {
                String path =
                        e.path("valueFrom").path("fieldRef").path("fieldPath").asText();
                String v = switch (path) {
                    case "metadata.name" -> Json.text(pod, "metadata", "name");
                    case "metadata.namespace" -> Json.text(pod, "metadata", "namespace");
                    case "metadata.uid" -> Json.text(pod, "metadata", "uid");
                    case "spec.nodeName" -> Json.text(pod, "spec", "nodeName");
                    case "spec.serviceAccountName" -> Json.text(pod, "spec", "serviceAccountName");
                    case "status.podIP" -> rt.podIp;
                    case "status.hostIP" -> parts.kit().nodeIp(Json.text(pod, "spec", "nodeName"));
                    default -> null;
                };
                if (v != null) {
                    env.put(name, v);
                }
            } else {
                env.put(name, "");
            }
        }
        List<Integer> ports = new ArrayList<>();
        c.path("ports").forEach(p -> ports.add(p.path("containerPort").asInt()));
        // kubernetes pkg/securitycontext/util.go DetermineEffectiveSecurityContext: the container's fields win over
        // the pod's
        JsonNode podSc = pod.path("spec").path("securityContext");
        JsonNode sc = c.path("securityContext");
        Long uid = longOrNull(sc.has("runAsUser") ? sc.get("runAsUser") : podSc.get("runAsUser"));
        Long gid = longOrNull(sc.has("runAsGroup") ? sc.get("runAsGroup") : podSc.get("runAsGroup"));
        List<Integer> podPorts = new ArrayList<>();
        for (String kind : List.of("initContainers", "containers")) {
            pod.path("spec")
                    .path(kind)
                    .forEach(x -> x.path("ports")
                            .forEach(p -> podPorts.add(p.path("containerPort").asInt())));
        }
        return new PodRuntime.ContainerSpec(
                c.path("name").asText(), c.path("image").asText(), command, args, env, ports, uid, gid, podPorts);
    }

    private static Long longOrNull(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? null : Long.valueOf(n.asLong());
    }
}
