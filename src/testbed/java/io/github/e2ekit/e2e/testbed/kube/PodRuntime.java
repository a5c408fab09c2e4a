package io.github.e2ekit.e2e.testbed.kube;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the simulated kubelet uses to run a pod's containers. {@link #none()} runs nothing (the kubelet then
 * simulates running containers, as it always did for in-memory node images); the test bed's
 * {@code NodeProcessRuntime} starts real processes inside kind-like node containers.
 *
 * <p>Implementations must be thread-safe: the kubelet calls them from the controller loop, the API server's
 * port-forward from its own threads.
 */
public interface PodRuntime extends AutoCloseable {

    /** One pod as the runtime sees it: where it runs and which object it belongs to. */
    record PodRef(String namespace, String name, String uid, String node) {
        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }

    /**
     * The parts of a pod spec's container the runtime needs. Empty lists mean "not given in the spec";
     * {@code runAsUser}/{@code runAsGroup} are the effective security context (the container's, else the pod's),
     * null when neither sets them; {@code podPorts} are the container ports every container of the pod declares.
     */
    record ContainerSpec(
            String name,
            String image,
            List<String> command,
            List<String> args,
            Map<String, String> env,
            List<Integer> ports,
            Long runAsUser,
            Long runAsGroup,
            List<Integer> podPorts) {
        public ContainerSpec {
            command = List.copyOf(command);
            args = List.copyOf(args);
            env = Map.copyOf(env);
            ports = List.copyOf(ports);
            podPorts = List.copyOf(podPorts);
        }

        public ContainerSpec(
                String name,
                String image,
                List<String> command,
                List<String> args,
                Map<String, String> env,
                List<Integer> ports) {
            this(name, image, command, args, env, ports, null, null, ports);
        }
    }

    /**
     * One port of a Service as kube-proxy sees it: its cluster IP and port, and the ready endpoints behind it
     * (pod and target port), as the EndpointSlice controller lists them.
     */
    record ServiceRoute(String namespace, String service, String clusterIp, int port, List<Endpoint> endpoints) {
        public ServiceRoute {
            endpoints = List.copyOf(endpoints);
        }
    }

    /** A ready pod behind a Service port, and the container port the traffic goes to. */
    record Endpoint(PodRef pod, int port) {}

    /** How a readiness probe asks a container. */
    sealed interface Probe {
        /** {@code httpGet}: ready when a GET answers 2xx. */
        record HttpGet(int port, String path) implements Probe {}

        /** {@code tcpSocket}: ready when the port accepts a connection. */
        record TcpSocket(int port) implements Probe {}

        /** {@code exec}: ready when the command exits 0. */
        record Exec(List<String> command) implements Probe {}
    }

    /**
     * A container could not be started. {@link #reason()} becomes the container's waiting reason (for example
     * {@code CreateContainerError}), {@link #eventReason()} the reason of the Warning event the kubelet records
     * (for example {@code PortConflict}).
     */
    final class StartException extends Exception {
        private final String reason;
        private final String eventReason;

        public StartException(String reason, String eventReason, String message) {
            super(message);
            this.reason = reason;
            this.eventReason = eventReason;
        }

        public String reason() {
            return reason;
        }

        public String eventReason() {
            return eventReason;
        }
    }

    /**
     * A two-way byte stream to a port of a pod, like a socket: {@link #input()} gives what the pod sends and
     * ends when the pod side closes; {@link #output()} goes to the pod.
     */
    interface Connection extends Closeable {
        InputStream input();

        OutputStream output();

        /**
         * Why the connection failed (for example "connection refused"), known once {@link #input()} has ended;
         * empty when it ended normally.
         */
        Optional<String> failure();

        @Override
        void close();
    }

    /** Whether containers really run. When false the kubelet simulates them and the other methods are unused. */
    boolean runsProcesses();

    /**
     * Starts a container's process from {@code imageRef} on the pod's node; starting again after it exited
     * restarts it (same root file system).
     */
    void start(PodRef pod, ContainerSpec container, String imageRef) throws StartException;

    /** The exit code once the container's process has ended; empty while it runs or when it was never started. */
    Optional<Integer> exitCode(PodRef pod, String container);

    /** Runs one readiness probe against a running container; true when it passed. Blocks at most a few seconds. */
    boolean probe(PodRef pod, String container, Probe probe);

    /**
     * Why the container's last probe failed, worded as the kubelet's probers word it (for example "HTTP probe failed
     * with statuscode: 503"); empty when unknown.
     */
    default Optional<String> probeFailure(PodRef pod, String container) {
        return Optional.empty();
    }

    /** Stops every container of the pod and removes what was set up for them. Idempotent. */
    void stopPod(PodRef pod);

    /**
     * Sends the stop signal (SIGTERM) to every running container of the pod, as the kubelet does when the pod is
     * deleted (kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer → CRI StopContainer with
     * the grace period; containerd signals the container's init process). The containers go on running until they
     * exit ({@link #exitCode}); {@link #kill} ends them when the grace period is over. The default sends nothing: its
     * containers then behave like processes that ignore SIGTERM.
     */
    default void terminate(PodRef pod) {}

    /**
     * Ends what still runs of the pod with SIGKILL (the grace period is over) and removes what was set up for it.
     * The default is {@link #stopPod}.
     */
    default void kill(PodRef pod) {
        stopPod(pod);
    }

    /** The container's output so far, when the runtime keeps it. */
    default Optional<String> logs(PodRef pod, String container) {
        return Optional.empty();
    }

    /**
     * The container's output from byte {@code offset} on, when the runtime keeps it (for following a log). The default
     * cuts {@link #logs}; a runtime whose {@code logs} is shortened should read from the offset itself.
     */
    default Optional<String> logsFrom(PodRef pod, String container, long offset) {
        return logs(pod, container).map(s -> {
            byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int from = (int) Math.min(b.length, Math.max(0, offset));
            return new String(b, from, b.length - from, java.nio.charset.StandardCharsets.UTF_8);
        });
    }

    /**
     * The Services of the cluster and their ready endpoints, after every controller pass (kube-proxy's input).
     * The default does nothing: without processes there is nothing to connect.
     */
    default void route(List<ServiceRoute> routes) {}

    /** Opens a connection to {@code port} inside the pod's network namespace. */
    Connection connect(PodRef pod, int port) throws IOException;

    /** Stops everything still running. */
    @Override
    void close();

    /** A runtime that runs nothing: the kubelet simulates containers. */
    static PodRuntime none() {
        return new SimulatedPodRuntime();
    }
}
