package io.github.e2ekit.e2e.testbed.kube;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A fake Kubernetes API server for tests: fabric8's CRUD mock server, corrected where it differs from a real
 * API server, plus a simulated kubelet and controllers for Deployments, ReplicaSets, StatefulSets, DaemonSets,
 * Jobs and bare Pods.
 *
 * <p>Corrections over the plain CRUD mock: creating in a missing namespace gives 404; 404 and 409 answers carry
 * a {@code Status} body; writes to the main resource keep the stored {@code status} and only {@code /status}
 * writes change it (query strings included); JSON merge patch follows RFC 7386; strategic merge patch and
 * server-side apply are approximated (merge by {@code name} in lists, no field ownership); {@code /version};
 * deleting a Namespace deletes its contents; discovery documents under {@code /api} and {@code /apis}
 * (including created CRDs, which become Established); missing {@code apiVersion}/{@code kind} are filled from
 * the URL as a real server does.
 *
 * <p>Containers: with {@link PodRuntime#none()} (the default) the kubelet simulates them: a container whose
 * image is on its node runs at once and forever. With a real runtime (the test bed's
 * {@code NodeProcessRuntime}) each container is a process started from its image; its exit code decides
 * between {@code CrashLoopBackOff} (with back-off restarts), {@code Completed} and {@code Error}; a
 * {@code readinessProbe} ({@code httpGet}, {@code tcpSocket}, {@code exec}) decides readiness; init containers run
 * one after the other; {@code pods/log} returns the process's output. {@code pods/portforward} is served over
 * WebSocket ({@code v4.channel.k8s.io}, what client-java uses), over SPDY/3.1 and over SPDY tunnelled in a
 * WebSocket (what kubectl uses), bridged through the runtime.
 *
 * <p>HTTP: {@link ApiFront} (Vert.x) serves HTTP streaming watches with resource-version semantics
 * ({@link WatchStream}), SPDY port-forwarding and OpenAPI v3 discovery, and hands every other request to the
 * CRUD dispatcher. The fabric8 mock's own web server is not started (it would record every request forever).
 *
 * <p>Deletion as on a real server ({@link Deletion}, {@link NamespaceLifecycle}, {@link CrdLifecycle}): objects
 * with finalizers stay with a {@code deletionTimestamp}; a deleted pod stays Terminating until its kubelet has
 * stopped its containers (SIGTERM, SIGKILL after its grace period: {@link PodTermination}); namespaces stay
 * {@code Terminating} until emptied;
 * DELETE preconditions are honoured. Writes are validated ({@link Validation}: names, labels, annotations,
 * immutable fields, a Job's restartPolicy). A finalizer {@code testbed.e2ekit.io/hold-<N>s} is released N s
 * after deletion (a slow operator, for tests).
 *
 * <p>Known simplifications: field selectors are evaluated on plain dotted paths only; StatefulSets and
 * DaemonSets get no conditions (a real cluster sets none either). Injected faults ({@link #failNextRequests}) and
 * {@link #requestCount()} cover the CRUD requests only, not watches, OpenAPI or port-forwarding. No
 * {@code /scale} subresource ({@code kubectl scale} answers NotFound); a Job's {@code spec.selector} is not
 * defaulted ({@code kubectl logs job/x} then picks any pod of the namespace).
 *
 * <p>Workloads as upstream runs them, each controller in its own class citing its source: Deployments roll out
 * through ReplicaSets within maxSurge/maxUnavailable ({@link DeploymentController}), Jobs retry with back-off and
 * set {@code FailureTarget} before {@code Failed} ({@link JobController}), the kubelet restarts with its back-off
 * and probes every {@code periodSeconds} ({@link KubeletProbes}) and waits for missing ConfigMaps/Secrets
 * ({@link ContainerConfigCheck}). Every Kubernetes duration is scaled by {@link TestBedTime} (system property
 * {@code e2e.testbed.timeScale}, default 0.1); the order of events is never changed.
 */
public final class FakeKubernetes implements AutoCloseable {

    private final ApiFront server;
    private final FakeApiDispatcher dispatcher;
    private final FakeControllers controllers;
    private final Thread loop;
    private final Path ownKubeconfig;
    private final NodeImages nodeImages;
    private final PodRuntime podRuntime;
    private volatile ApiClient client;
    private volatile boolean closed;

    /** Starts the server on 127.0.0.1 at a free port and the simulated controllers; containers are simulated. */
    public FakeKubernetes(NodeImages nodeImages) {
        this(nodeImages, PodRuntime.none());
    }

    /**
     * Starts the server on 127.0.0.1 at a free port and the simulated controllers, whose kubelet runs containers
     * with {@code podRuntime} (closed with this server).
     */
    public FakeKubernetes(NodeImages nodeImages, PodRuntime podRuntime) {
        this.nodeImages = Objects.requireNonNull(nodeImages, "nodeImages");
        this.podRuntime = Objects.requireNonNull(podRuntime, "podRuntime");
        this.dispatcher = new FakeApiDispatcher();
        this.server = new ApiFront(dispatcher);
        this.controllers = new FakeControllers(dispatcher, nodeImages, podRuntime);
        dispatcher.logs(controllers::logs);
        dispatcher.logFollow(controllers::logFrom);
        dispatcher.podRuntime(podRuntime);
        controllers.bootstrap();
        this.loop = new Thread(this::runLoop, "fake-kubernetes-controllers-" + server.port());
        loop.setDaemon(true);
        loop.start();
        try {
            ownKubeconfig = Files.createTempFile("fake-kubeconfig", ".yaml");
            ownKubeconfig.toFile().deleteOnExit();
            writeKubeconfig(ownKubeconfig, "fake");
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
    }

    /** Base URL, {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** The port the server listens on. */
    public int port() {
        return server.port();
    }

    /** What runs the pods' containers ({@link PodRuntime#none()} when they are simulated). */
    public PodRuntime podRuntime() {
        return podRuntime;
    }

    /** The node/image source the simulated kubelet consults. */
    public NodeImages nodeImages() {
        return nodeImages;
    }

    /**
     * Writes a kubeconfig whose cluster, context and user are all named {@code kind-<clusterName>}, with the
     * current context set to it. Returns {@code file}.
     */
    public Path writeKubeconfig(Path file, String clusterName) throws IOException {
        String n = "kind-" + clusterName;
        String yaml = "apiVersion: v1\n"
                + "kind: Config\n"
                + "clusters:\n"
                + "- name: " + n + "\n"
                + "  cluster:\n"
                + "    server: " + url() + "\n"
                + "contexts:\n"
                + "- name: " + n + "\n"
                + "  context:\n"
                + "    cluster: " + n + "\n"
                + "    user: " + n + "\n"
                + "current-context: " + n + "\n"
                + "preferences: {}\n"
                + "users:\n"
                + "- name: " + n + "\n"
                + "  user:\n"
                + "    token: fake-token-" + clusterName + "\n";
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    /** A client-java client for this server, built from a kubeconfig (created once). */
    public ApiClient client() {
        ApiClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    try (Reader r = Files.newBufferedReader(ownKubeconfig)) {
                        client = ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(r))
                                .build();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                c = client;
            }
        }
        return c;
    }

    // ------------------------------------------------------------------ faults

    /** Containers of this image crash-loop: waiting {@code CrashLoopBackOff}, restartCount &gt; 0. */
    public FakeKubernetes crashLoop(String imageRef) {
        controllers.crashLoop(imageRef);
        return this;
    }

    /** Running containers become Ready only this long after they started. */
    public FakeKubernetes readinessDelay(Duration delay) {
        controllers.readinessDelay(delay);
        return this;
    }

    /** Pods of Jobs with this name, or running this image, fail (exit code 1); the Job ends Failed. */
    public FakeKubernetes failJobs(String jobNameOrImage) {
        controllers.failJobs(jobNameOrImage);
        return this;
    }

    /**
     * The next {@code count} requests whose path (with query) starts with {@code pathPrefix} are answered with
     * {@code status} and a {@code Status} body (429 and 503 also carry {@code Retry-After: 0}).
     */
    public FakeKubernetes failNextRequests(String pathPrefix, int status, int count) {
        dispatcher.failNextRequests(pathPrefix, status, count);
        return this;
    }

    /** Faults of the HTTP front (status answers, closed connections, delays, cut streams), see {@link ApiFaults}. */
    public ApiFaults faults() {
        return server.faults();
    }

    /**
     * Simulated containers of this image ignore SIGTERM: a deleted pod running it stays (Terminating) for its whole
     * grace period, then is killed. Others exit at once on SIGTERM. See {@link PodTermination}.
     */
    public FakeKubernetes ignoreSigterm(String imageRef) {
        controllers.ignoreSigterm(imageRef);
        return this;
    }

    /** Removes the kubelet faults (crash loops, readiness delay, failing jobs, ignored SIGTERM). */
    public FakeKubernetes clearFaults() {
        controllers.clearFaults();
        return this;
    }

    // ------------------------------------------------------------------ counters

    /** Requests received over HTTP (the fake's own controllers are not counted). */
    /** How many {@code pods/log?follow=true} streams the server still serves. */
    public int openLogStreams() {
        return server.openLogStreams();
    }

    public long requestCount() {
        return dispatcher.externalRequests();
    }

    /** Completed controller passes; tests can wait for one more pass instead of sleeping. */
    public long controllerPasses() {
        return controllers.passes();
    }

    // ------------------------------------------------------------------ lifecycle

    private void runLoop() {
        while (!closed) {
            try {
                controllers.pass();
                dispatcher.lifecyclePass();
            } catch (RuntimeException e) {
                // keep the simulation alive: a test might have deleted something mid-pass
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops the controllers, every container process the pod runtime runs, and the server. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.interrupt();
        try {
            loop.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            controllers.close();
            podRuntime.close();
        } catch (RuntimeException e) {
            System.err.println("fake kubernetes: could not stop all pod processes: " + e.getMessage());
        }
        server.close();
        if (ownKubeconfig != null) {
            try {
                Files.deleteIfExists(ownKubeconfig);
            } catch (IOException e) {
                // temp file; deleteOnExit is the fallback
            }
        }
    }
}
