package io.github.e2ekit.e2e.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.ExecResult;
import io.github.e2ekit.e2e.kind.ImageLoader;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.NodeExec;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.kubernetes.client.PortForward;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSecurityContext;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Pods of the test bed really run: their containers are processes started from the images loaded into the
 * node's containerd, reachable through the API's port-forward, stopped and unmounted when the pods go.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodRuntimeTest {
    private Engine engine;
    private Path dir;
    private String cluster;
    private TestBed bed;
    private TestImages images;
    private ImageReference web;
    private String marker;
    private CoreV1Api core;
    private AppsV1Api apps;
    private KindNode node;
    private List<String> nodeVolumes;

    @BeforeAll
    void startBed() throws Exception {
        engine = TestEngine.require();
        dir = Files.createTempDirectory("pod-runtime-test");
        cluster = "pods-" + ProcessHandle.current().pid();
        bed = TestBed.start(engine, cluster, 0, dir.resolve("kubeconfig"));
        images = new TestImages(engine);
        marker = "marker-" + images.run() + "-from-the-node";
        web = ImageReference.parse("localhost/testbed/httpd:" + images.run());
        String id = images.httpd(web.toString(), marker);
        new ImageLoader(engine, Ledger.start(dir.resolve("ledger.json"), "r", "s"), bed.clusterName())
                .load(bed.nodes().nodes(), web, id);
        core = new CoreV1Api(bed.kubernetes().client());
        apps = new AppsV1Api(bed.kubernetes().client());
        node = bed.nodes().nodes().get(0);
        InspectContainerResponse inspect =
                engine.client().inspectContainerCmd(node.containerId()).exec();
        nodeVolumes = new ArrayList<>();
        inspect.getMounts().forEach(m -> {
            if (m.getName() != null) {
                nodeVolumes.add(m.getName());
            }
        });
    }

    @AfterAll
    void stopBed() throws Exception {
        try {
            if (bed != null) {
                // deleting a namespace deletes its pods, and the kubelet stops their processes
                core.deleteNamespace("clash").execute();
                await(
                        "namespace clash's containers stopped",
                        () -> node("/bin/busybox", "sh", "-c", "/bin/busybox ls -d /run/e2e-pods/clash_* 2>/dev/null")
                                        .stdout()
                                        .isBlank()
                                ? Boolean.TRUE
                                : null);
                // closing the API server stops what still runs and unmounts it
                assertThat(node("/bin/busybox", "ls", "-A", "/run/e2e-pods").stdout())
                        .isNotBlank();
                bed.kubernetes().close();
                assertThat(node("/bin/busybox", "ls", "-A", "/run/e2e-pods").stdout())
                        .isBlank();
                assertThat(node("/bin/busybox", "cat", "/proc/mounts").stdout()).doesNotContain("/run/e2e-pods");
                assertThat(bed.nodes().ctr(node, "snapshots", "ls")).doesNotContain("/run/e2e-pods");
                assertThat(node("/bin/busybox", "ps", "-o", "pid,stat,args").stdout())
                        .doesNotContain("httpd")
                        .doesNotContain("sleep")
                        .doesNotContain(" Z ");
                // every pod's network namespace is gone: every process left is in the node's
                assertThat(node(
                                        "/bin/busybox",
                                        "sh",
                                        "-c",
                                        "for p in /proc/[0-9]*; do /bin/busybox readlink "
                                                + "$p/ns/net; done | /bin/busybox sort -u")
                                .stdout()
                                .strip())
                        .isEqualTo(node("/bin/busybox", "readlink", "/proc/1/ns/net")
                                .stdout()
                                .strip());
            }
        } finally {
            // the nodes go even when an assertion above failed
            if (bed != null) {
                bed.close();
            }
            if (images != null) {
                images.close();
            }
            NodeImage.deleteTree(dir);
        }
        assertThat(KindLikeCluster.nodeContainers(engine, cluster)).isEmpty();
        assertThat(nodeVolumes).isNotEmpty();
        var volumes = engine.client().listVolumesCmd().exec().getVolumes();
        assertThat(
                        volumes == null
                                ? List.of()
                                : volumes.stream().map(v -> v.getName()).toList())
                .doesNotContainAnyElementsOf(nodeVolumes);
    }

    @Test
    void aDeploymentServesItsImageThroughPortForwardOnceItsReadinessProbeAnswers() throws Exception {
        namespace("serve");
        V1Container c = fromWeb("web")
                .ports(List.of(new V1ContainerPort().containerPort(8080)))
                .readinessProbe(probe("/marker.txt", 8080).periodSeconds(1));
        apps.createNamespacedDeployment("serve", deployment("web", c)).execute();
        awaitAvailable("serve", "web", 1);
        V1Pod pod = pods("serve", "web").get(0);
        String podName = pod.getMetadata().getName();
        assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
        String rootfs = "/run/e2e-pods/serve_" + podName + "_web/rootfs";
        assertThat(node("/bin/busybox", "grep", " " + rootfs + " ", "/proc/mounts")
                        .stdout())
                .contains("overlay");

        PortForward.PortForwardResult forward =
                new PortForward(bed.kubernetes().client()).forward("serve", podName, List.of(8080));
        String response;
        try {
            OutputStream out = forward.getOutboundStream(8080);
            out.write("GET /marker.txt HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            response = readAll(forward.getInputStream(8080));
        } finally {
            forward.close();
        }
        assertThat(response).startsWith("HTTP/1.").contains(" 200 ").endsWith(marker);

        // a second forward on the same pod works as well: one nc per WebSocket
        PortForward.PortForwardResult again =
                new PortForward(bed.kubernetes().client()).forward("serve", podName, List.of(8080));
        try {
            again.getOutboundStream(8080).write("GET /nope HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readAll(again.getInputStream(8080))).contains(" 404 ");
        } finally {
            again.close();
        }

        // two ports in one WebSocket; nothing listens on 9999: its error channel says so, as a real kubelet does
        PortForward.PortForwardResult two =
                new PortForward(bed.kubernetes().client()).forward("serve", podName, List.of(9999, 8080));
        try {
            // take the streams first: client-java refuses to hand them out once the WebSocket has closed
            InputStream data = two.getInputStream(8080);
            InputStream err = two.getErrorStream(9999);
            two.getOutboundStream(8080).write("GET /marker.txt HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(err.readNBytes(2)).containsExactly(0x0f, 0x27); // 9999, little-endian
            assertThat(readAll(err))
                    .startsWith("error forwarding port 9999 to pod serve/" + podName)
                    .contains("Connection refused");
            assertThat(readAll(data)).contains(" 200 ").endsWith(marker);
        } finally {
            two.close();
        }

        // a pod that does not exist: 404 with a Status, before any upgrade
        HttpResponse<String> missing = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(bed.kubernetes().url()
                                        + "/api/v1/namespaces/serve/pods/nope/portforward?ports=8080"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("\"kind\":\"Status\"").contains("pods \\\"nope\\\" not found");
        assertThatThrownBy(() -> new PortForward(bed.kubernetes().client()).forward("serve", "nope", List.of(8080)))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("404");
    }

    @Test
    void aCommandThatExitsNonZeroIsInCrashLoopBackOffWithItsExitCodeAndItsOutputInTheLog() throws Exception {
        namespace("crash");
        V1Container c = fromWeb("fails")
                .command(List.of("busybox", "sh", "-c", "echo \"giving up in $GREETING\" >&2; exit 3"))
                .env(List.of(new V1EnvVar().name("GREETING").value("pod-runtime-test")));
        apps.createNamespacedDeployment("crash", deployment("fails", c)).execute();
        V1ContainerStatus s = awaitWaiting("crash", "fails", 0, "CrashLoopBackOff");
        assertThat(s.getRestartCount()).isGreaterThan(0);
        assertThat(s.getReady()).isFalse();
        assertThat(s.getLastState().getTerminated().getExitCode()).isEqualTo(3);
        assertThat(s.getLastState().getTerminated().getReason()).isEqualTo("Error");
        String pod = pods("crash", "fails").get(0).getMetadata().getName();
        assertThat(core.readNamespacedPodLog(pod, "crash").execute()).contains("giving up in pod-runtime-test");
        // CrashLoopBackOff only after the first restart, which is immediate (kuberuntime_manager.go doBackOff);
        // after the first back-off (10 s × TestBedTime) the process is started again, from the same mount
        await("second crash", () -> {
            V1ContainerStatus cs = core.readNamespacedPod(pod, "crash")
                    .execute()
                    .getStatus()
                    .getContainerStatuses()
                    .get(0);
            return cs.getRestartCount() >= 2
                            && cs.getLastState().getTerminated().getExitCode() == 3
                    ? cs
                    : null;
        });
        // restartCount counts restarts made: 2 means the third run started (it may not have printed yet)
        assertThat(core.readNamespacedPodLog(pod, "crash").execute().split("giving up", -1))
                .hasSizeBetween(3, 4);
        await("Deployment fails unavailable", () -> {
            V1Deployment d = apps.readNamespacedDeployment("fails", "crash").execute();
            Integer available = d.getStatus() == null ? null : d.getStatus().getAvailableReplicas();
            return available == null || available == 0 ? d : null;
        });
    }

    @Test
    void deletingTheDeploymentStopsTheProcessAndUnmountsItsImage() throws Exception {
        namespace("gone");
        V1Container c = httpd("web", 8181).readinessProbe(probe("/marker.txt", 8181));
        apps.createNamespacedDeployment("gone", deployment("web", c)).execute();
        awaitAvailable("gone", "web", 1);
        String pod = pods("gone", "web").get(0).getMetadata().getName();
        String dirInNode = "/run/e2e-pods/gone_" + pod + "_web";
        String pid = node("/bin/busybox", "cat", dirInNode + "/pid").stdout().strip();
        assertThat(node("/bin/busybox", "cat", "/proc/" + pid + "/cmdline").stdout())
                .contains("httpd");

        apps.deleteNamespacedDeployment("web", "gone").execute();
        await("process stopped and image unmounted", () -> {
            boolean dirGone = !node("/bin/busybox", "test", "-e", dirInNode).ok();
            boolean unmounted = !node("/bin/busybox", "grep", "-q", dirInNode, "/proc/mounts")
                    .ok();
            boolean processGone =
                    !node("/bin/busybox", "test", "-e", "/proc/" + pid).ok();
            return dirGone && unmounted && processGone ? Boolean.TRUE : null;
        });
        assertThat(bed.nodes().ctr(node, "snapshots", "ls")).doesNotContain(dirInNode);
        assertThat(pods("gone", "web")).isEmpty();
    }

    /**
     * kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer: SIGTERM, SIGKILL once the grace
     * period (here scaled by TestBedTime) is over; the pod object goes when its containers have stopped
     * ({@code PodTermination}).
     */
    @Test
    void aDeletedPodGetsSigtermAndGoesWhenItExitsOrIsKilledAfterItsGracePeriod() throws Exception {
        namespace("term");
        V1Pod quick = new V1Pod()
                .metadata(new V1ObjectMeta().name("quick"))
                .spec(new V1PodSpec().containers(List.of(httpd("web", 8282))));
        V1Pod stubborn = new V1Pod()
                .metadata(new V1ObjectMeta().name("stubborn"))
                .spec(new V1PodSpec()
                        .terminationGracePeriodSeconds(20L)
                        .containers(List.of(fromWeb("loop")
                                .command(List.of(
                                        "busybox",
                                        "sh",
                                        "-c",
                                        // an ignored signal stays ignored across exec: httpd never hears SIGTERM
                                        "trap '' TERM; exec busybox httpd -f -p 8383 -h /www")))));
        core.createNamespacedPod("term", quick).execute();
        core.createNamespacedPod("term", stubborn).execute();
        for (String name : List.of("quick", "stubborn")) {
            await(name + " running", () -> {
                V1Pod p = core.readNamespacedPod(name, "term").execute();
                return p.getStatus() != null
                                && p.getStatus().getContainerStatuses() != null
                                && p.getStatus()
                                                .getContainerStatuses()
                                                .get(0)
                                                .getState()
                                                .getRunning()
                                        != null
                        ? p
                        : null;
            });
        }
        // Pods created without terminationGracePeriodSeconds get the default 30 s (and wait 30 × the time scale)
        Duration quickGrace = io.github.e2ekit.e2e.testbed.kube.TestBedTime.seconds(30);
        Duration stubbornGrace = io.github.e2ekit.e2e.testbed.kube.TestBedTime.seconds(20);
        String quickPid = node("/bin/busybox", "cat", "/run/e2e-pods/term_quick_web/pid")
                .stdout()
                .strip();

        long start = System.nanoTime();
        V1Pod answer = core.deleteNamespacedPod("quick", "term").execute();
        assertThat(answer.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(answer.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(30L);
        awaitGone("term", "quick");
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("httpd exits on SIGTERM: no need to wait")
                .isLessThan(quickGrace);
        assertThat(node("/bin/busybox", "test", "-e", "/proc/" + quickPid).ok()).isFalse();

        start = System.nanoTime();
        core.deleteNamespacedPod("stubborn", "term").execute();
        Thread.sleep(stubbornGrace.toMillis() / 2);
        V1Pod halfway = core.readNamespacedPod("stubborn", "term").execute();
        assertThat(halfway.getMetadata().getDeletionTimestamp())
                .as("SIGTERM ignored: still there")
                .isNotNull();
        awaitGone("term", "stubborn");
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("killed only after its grace period")
                .isGreaterThanOrEqualTo(stubbornGrace);
        await(
                "stubborn's processes gone",
                () -> node("/bin/busybox", "test", "-e", "/run/e2e-pods/term_stubborn_loop")
                                .ok()
                        ? null
                        : Boolean.TRUE);
    }

    @Test
    void twoContainersOfOnePodCannotListenOnTheSamePortAndSayWhyButTwoPodsCan() throws Exception {
        namespace("clash");
        V1Container a = httpd("a", 8282).ports(List.of(new V1ContainerPort().containerPort(8282)));
        V1Container b = httpd("b", 8282).ports(List.of(new V1ContainerPort().containerPort(8282)));
        // a container that does not declare the port crashes on it; an event says why. (No "sleep" before its
        // httpd: a child left when the container is stopped would end as a zombie of the node's containerd.
        // The kubelet starts a before c, so a listens first.)
        V1Container c = httpd("c", 8282);
        V1Deployment both = deployment("both", a);
        both.getSpec().getTemplate().getSpec().setContainers(List.of(a, b, c));
        apps.createNamespacedDeployment("clash", both).execute();
        V1ContainerStatus s = awaitWaiting("clash", "both", 1, "CreateContainerError");
        String pod = pods("clash", "both").get(0).getMetadata().getName();
        assertThat(s.getState().getWaiting().getMessage())
                .contains("port 8282")
                .contains("already in use")
                .contains("in pod clash/" + pod)
                .contains("the containers of a pod share its network namespace");
        CoreV1Event event = await(
                "PortConflict event",
                () -> core.listNamespacedEvent("clash").execute().getItems().stream()
                        .filter(e -> "PortConflict".equals(e.getReason())
                                && pod.equals(e.getInvolvedObject().getName())
                                && e.getMessage().contains("container b"))
                        .findFirst()
                        .orElse(null));
        assertThat(event.getType()).isEqualTo("Warning");
        CoreV1Event hint = await(
                "PortConflict event for c",
                () -> core.listNamespacedEvent("clash").execute().getItems().stream()
                        .filter(e -> "PortConflict".equals(e.getReason())
                                && e.getMessage().contains(" exited with code 1 "))
                        .findFirst()
                        .orElse(null));
        assertThat(hint.getMessage())
                .contains("says its address is already in use")
                .contains("share its network namespace");

        // another pod of the same node listens on the same port: it has a network namespace of its own
        V1Container other = httpd("web", 8282)
                .ports(List.of(new V1ContainerPort().containerPort(8282)))
                .readinessProbe(probe("/marker.txt", 8282).periodSeconds(1));
        apps.createNamespacedDeployment("clash", deployment("other", other)).execute();
        awaitAvailable("clash", "other", 1);
    }

    @Test
    void deploymentsOfTheSameImageAndPortInFourNamespacesRunSideBySideOnOneNode() throws Exception {
        List<String> namespaces = List.of("ds-1", "ds-2", "ds-3", "ds-4");
        List<CompletableFuture<Void>> created = new ArrayList<>();
        for (String ns : namespaces) {
            created.add(CompletableFuture.runAsync(() -> {
                try {
                    namespace(ns);
                    apps.createNamespacedDeployment(ns, deployment("datastorage", markerServer("data of " + ns)))
                            .execute();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        for (String ns : namespaces) {
            awaitAvailable(ns, "datastorage", 1);
        }
        List<String> netns = new ArrayList<>();
        for (String ns : namespaces) {
            V1Pod pod = pods(ns, "datastorage").get(0);
            assertThat(pod.getSpec().getNodeName()).isEqualTo(node.name());
            assertThat(get(ns, pod.getMetadata().getName(), 8080, "/m"))
                    .contains(" 200 ")
                    .endsWith("data of " + ns + "\n");
            netns.add(netnsInode(pod));
        }
        assertThat(netns)
                .doesNotHaveDuplicates()
                .doesNotContain(node("/bin/busybox", "readlink", "/proc/1/ns/net")
                        .stdout()
                        .strip());
    }

    @Test
    void aDeploymentWithTwoReplicasOnOneNodeBecomesAvailableAndDeletingItRemovesTheNetworkNamespaces()
            throws Exception {
        namespace("replicas");
        apps.createNamespacedDeployment("replicas", deployment("data", markerServer("replica"), 2))
                .execute();
        awaitAvailable("replicas", "data", 2);
        List<V1Pod> ps = pods("replicas", "data");
        assertThat(ps).hasSize(2);
        List<String> inodes = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        for (V1Pod p : ps) {
            assertThat(get("replicas", p.getMetadata().getName(), 8080, "/m")).endsWith("replica\n");
            inodes.add(netnsInode(p));
            dirs.add(sandboxDir(p));
        }
        assertThat(inodes).doesNotHaveDuplicates();
        // the pod's process runs in its network namespace; no holder process keeps it (a bind mount does)
        String inPod = "for p in /proc/[0-9]*; do [ \"$(/bin/busybox readlink $p/ns/net)\" = \"$1\" ] "
                + "&& /bin/busybox cat $p/cmdline | /bin/busybox tr '\\0' ' ' && echo; done";
        assertThat(node("/bin/busybox", "sh", "-c", inPod, "in-pod", inodes.get(0))
                        .stdout())
                .contains("httpd")
                .doesNotContain("sleep");

        apps.deleteNamespacedDeployment("data", "replicas").execute();
        await("network namespaces removed", () -> {
            for (String d : dirs) {
                if (node("/bin/busybox", "test", "-e", d).ok()
                        || node("/bin/busybox", "grep", "-q", d, "/proc/mounts").ok()) {
                    return null;
                }
            }
            return node("/bin/busybox", "sh", "-c", "/bin/busybox ls -d /run/e2e-pods/replicas_* 2>/dev/null")
                            .stdout()
                            .isBlank()
                    ? Boolean.TRUE
                    : null;
        });
        for (String inode : inodes) {
            assertThat(node("/bin/busybox", "sh", "-c", inPod, "in-pod", inode).stdout())
                    .isBlank();
        }
        assertThat(node("/bin/busybox", "ps", "-o", "args").stdout()).doesNotContain("sleep");
        assertThat(pods("replicas", "data")).isEmpty();
    }

    /** Until the pod {@code name} is no longer listed in {@code ns}. */
    private void awaitGone(String ns, String name) throws Exception {
        await(
                name + " gone",
                () -> core.listNamespacedPod(ns)
                                .fieldSelector("metadata.name=" + name)
                                .execute()
                                .getItems()
                                .isEmpty()
                        ? Boolean.TRUE
                        : null);
    }

    /** The web image's httpd serving /www on {@code port}. */
    private V1Container httpd(String name, int port) {
        return fromWeb(name).command(List.of("busybox", "httpd", "-f", "-p", Integer.toString(port), "-h", "/www"));
    }

    /** A container named {@code name} of the test image loaded into the node ({@code IfNotPresent}). */
    private V1Container fromWeb(String name) {
        return new V1Container().name(name).image(web.toString()).imagePullPolicy("IfNotPresent");
    }

    /** A readiness probe: GET {@code path} on {@code port}. */
    private static V1Probe probe(String path, int port) {
        return new V1Probe().httpGet(new V1HTTPGetAction().path(path).port(new IntOrString(port)));
    }

    /** Serves {@code /m}, written at start from the env var MARKER, on 8080; ready once it answers. */
    private V1Container markerServer(String marker) {
        return fromWeb("server")
                .command(List.of(
                        "busybox", "sh", "-c", "echo \"$MARKER\" > /www/m; exec busybox httpd -f -p 8080 -h /www"))
                .env(List.of(new V1EnvVar().name("MARKER").value(marker)))
                .ports(List.of(new V1ContainerPort().containerPort(8080)))
                .readinessProbe(probe("/m", 8080).periodSeconds(1));
    }

    /** A GET through the API's port-forward; the whole response. */
    private String get(String ns, String pod, int port, String path) throws Exception {
        PortForward.PortForwardResult forward =
                new PortForward(bed.kubernetes().client()).forward(ns, pod, List.of(port));
        try {
            OutputStream out = forward.getOutboundStream(port);
            out.write(("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return readAll(forward.getInputStream(port));
        } finally {
            forward.close();
        }
    }

    private static String sandboxDir(V1Pod p) {
        return "/run/e2e-pods/" + p.getMetadata().getNamespace() + "_"
                + p.getMetadata().getName() + "@" + p.getMetadata().getUid();
    }

    /** The pod's network namespace as {@code readlink /proc/<pid>/ns/net} names it. */
    private String netnsInode(V1Pod p) {
        ExecResult r = node("/bin/busybox", "stat", "-L", "-c", "%i", sandboxDir(p) + "/netns");
        assertThat(r.ok()).as(r.failureText()).isTrue();
        return "net:[" + r.stdout().strip() + "]";
    }

    private void awaitAvailable(String ns, String name, int replicas) throws Exception {
        await("Deployment " + ns + "/" + name + " available", () -> {
            V1Deployment d = apps.readNamespacedDeployment(name, ns).execute();
            return d.getStatus() != null && Objects.equals(d.getStatus().getAvailableReplicas(), replicas) ? d : null;
        });
    }

    /** The first pod of {@code app}'s container {@code index} once it waits with {@code reason}. */
    private V1ContainerStatus awaitWaiting(String ns, String app, int index, String reason) throws Exception {
        return await(app + " container " + index + " " + reason, () -> {
            List<V1Pod> ps = pods(ns, app);
            if (ps.isEmpty()
                    || ps.get(0).getStatus() == null
                    || ps.get(0).getStatus().getContainerStatuses() == null) {
                return null;
            }
            V1ContainerStatus cs = ps.get(0).getStatus().getContainerStatuses().get(index);
            return cs.getState() != null
                            && cs.getState().getWaiting() != null
                            && reason.equals(cs.getState().getWaiting().getReason())
                    ? cs
                    : null;
        });
    }

    @Test
    void aFailingReadinessProbeKeepsThePodUnreadyAndANotRunningPodCannotBeForwarded() throws Exception {
        namespace("unready");
        V1Container c = httpd("web", 8383).readinessProbe(probe("/missing", 8383));
        apps.createNamespacedDeployment("unready", deployment("web", c)).execute();
        V1Pod running = await("pod running", () -> {
            List<V1Pod> ps = pods("unready", "web");
            return !ps.isEmpty()
                            && ps.get(0).getStatus() != null
                            && "Running".equals(ps.get(0).getStatus().getPhase())
                    ? ps.get(0)
                    : null;
        });
        Thread.sleep(1500);
        V1Pod pod = core.readNamespacedPod(running.getMetadata().getName(), "unready")
                .execute();
        assertThat(pod.getStatus().getContainerStatuses().get(0).getReady()).isFalse();
        assertThat(apps.readNamespacedDeployment("web", "unready")
                        .execute()
                        .getStatus()
                        .getAvailableReplicas())
                .isIn(null, 0);

        V1Container absent = new V1Container()
                .name("absent")
                .image(web.repository() + ":not-loaded")
                .imagePullPolicy("Never");
        apps.createNamespacedDeployment("unready", deployment("absent", absent)).execute();
        V1Pod pending = await("pod pending", () -> {
            List<V1Pod> ps = pods("unready", "absent");
            return !ps.isEmpty()
                            && ps.get(0).getStatus() != null
                            && ps.get(0).getStatus().getContainerStatuses() != null
                    ? ps.get(0)
                    : null;
        });
        PortForward.PortForwardResult forward = new PortForward(bed.kubernetes().client())
                .forward("unready", pending.getMetadata().getName(), List.of(8080));
        try {
            InputStream err = forward.getErrorStream(8080);
            err.readNBytes(2);
            assertThat(readAll(err))
                    .contains("error forwarding port 8080 to pod unready/")
                    .contains("pod is not running (phase Pending)");
        } finally {
            forward.close();
        }
    }

    @Test
    void followingALogSendsTheLinesWrittenAfterTheRequestAndEndsWhenTheContainerExits() throws Exception {
        namespace("follow");
        V1Pod pod = new V1Pod()
                .metadata(new V1ObjectMeta().name("talker"))
                .spec(new V1PodSpec()
                        .restartPolicy("Never")
                        .containers(List.of(shell(
                                "talk", "echo one; busybox sleep 2; echo two; busybox sleep 1; " + "echo three"))));
        core.createNamespacedPod("follow", pod).execute();
        String before = await("first line", () -> {
            V1Pod p = core.readNamespacedPod("talker", "follow").execute();
            if (p.getStatus() == null
                    || p.getStatus().getContainerStatuses() == null
                    || p.getStatus().getContainerStatuses().get(0).getState().getRunning() == null) {
                return null;
            }
            String log = core.readNamespacedPodLog("talker", "follow").execute();
            return log != null && log.contains("one") ? log : null;
        });
        assertThat(before).isEqualTo("one\n"); // "two" and "three" are written after the request below
        InputStream follow = new io.kubernetes.client.PodLogs(bed.kubernetes().client())
                .streamNamespacedPodLog("follow", "talker", "talk");
        // kubelet getContainerLogs with follow: everything so far, then each line as written, ends on exit
        assertThat(readAll(follow)).isEqualTo("one\ntwo\nthree\n");
        // an exited container's log is served whole and ends at once; tailLines keeps the last lines
        InputStream tail = new io.kubernetes.client.PodLogs(bed.kubernetes().client())
                .streamNamespacedPodLog("follow", "talker", "talk", null, 2, false);
        assertThat(readAll(tail)).isEqualTo("two\nthree\n");
        // a container that is not among the pod's is refused, as the API server does (strategy.go LogLocation)
        assertThatThrownBy(
                        () -> new io.kubernetes.client.PodLogs(bed.kubernetes().client())
                                .streamNamespacedPodLog("follow", "talker", "nope"))
                .isInstanceOf(io.kubernetes.client.openapi.ApiException.class)
                .satisfies(e -> assertThat(((io.kubernetes.client.openapi.ApiException) e).getCode())
                        .isEqualTo(400));
    }

    @Test
    void jobsAndInitContainersRunToCompletionInOrder() throws Exception {
        namespace("jobs");
        BatchV1Api batch = new BatchV1Api(bed.kubernetes().client());
        batch.createNamespacedJob("jobs", job("ok", "echo done")).execute();
        batch.createNamespacedJob("jobs", job("fails", "exit 2")).execute();
        await("Job ok complete", () -> condition(batch, "ok", "Complete"));
        await("Job fails failed", () -> condition(batch, "fails", "Failed"));
        V1Pod failed = core.listNamespacedPod("jobs")
                .labelSelector("job-name=fails")
                .execute()
                .getItems()
                .get(0);
        assertThat(failed.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(failed.getStatus()
                        .getContainerStatuses()
                        .get(0)
                        .getState()
                        .getTerminated()
                        .getExitCode())
                .isEqualTo(2);

        // the init containers run one after the other, then the main container; the pod succeeds
        V1Pod pod = new V1Pod()
                .metadata(new V1ObjectMeta().name("init"))
                .spec(new V1PodSpec()
                        .restartPolicy("Never")
                        .initContainers(List.of(shell("first", "busybox sleep 1"), shell("second", "true")))
                        .containers(List.of(shell("main", "echo main ran"))));
        core.createNamespacedPod("jobs", pod).execute();
        V1Pod done = await("pod init succeeded", () -> {
            V1Pod p = core.readNamespacedPod("init", "jobs").execute();
            return p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase()) ? p : null;
        });
        var first =
                done.getStatus().getInitContainerStatuses().get(0).getState().getTerminated();
        var second =
                done.getStatus().getInitContainerStatuses().get(1).getState().getTerminated();
        assertThat(first.getExitCode()).isZero();
        assertThat(first.getReason()).isEqualTo("Completed");
        assertThat(second.getExitCode()).isZero();
        assertThat(second.getStartedAt()).isAfterOrEqualTo(first.getFinishedAt());
        assertThat(core.readNamespacedPodLog("init", "jobs").container("main").execute())
                .isEqualTo("main ran\n");
    }

    @Test
    void aPodReachesAnotherThroughItsServiceByNameAndRunsAsItsSecurityContextsUserWithDevShm() throws Exception {
        namespace("svc");
        V1Container c = fromWeb("web")
                .ports(List.of(new V1ContainerPort().containerPort(8080).name("http")))
                .readinessProbe(probe("/marker.txt", 8080).periodSeconds(1));
        apps.createNamespacedDeployment("svc", deployment("web", c)).execute();
        core.createNamespacedService(
                        "svc",
                        new V1Service()
                                .metadata(new V1ObjectMeta().name("web"))
                                .spec(new V1ServiceSpec()
                                        .selector(Map.of("app", "web"))
                                        .ports(List.of(
                                                new V1ServicePort().port(80).targetPort(new IntOrString("http"))))))
                .execute();
        awaitAvailable("svc", "web", 1);
        BatchV1Api batch = new BatchV1Api(bed.kubernetes().client());
        V1Container client = shell(
                "client",
                "busybox id -u; busybox id -g; busybox stat -c %a /dev/shm; "
                        + "busybox wget -q -O - http://web/marker.txt; echo; "
                        + "busybox wget -q -O - http://web.svc.svc.cluster.local:80/marker.txt");
        batch.createNamespacedJob(
                        "svc",
                        new V1Job()
                                .metadata(new V1ObjectMeta().name("client"))
                                .spec(new V1JobSpec()
                                        .backoffLimit(0)
                                        .template(new V1PodTemplateSpec()
                                                .spec(new V1PodSpec()
                                                        .restartPolicy("Never")
                                                        .securityContext(new V1PodSecurityContext()
                                                                .runAsUser(1234L)
                                                                .runAsGroup(4321L))
                                                        .containers(List.of(client))))))
                .execute();
        V1Pod done = await("client pod finished", () -> {
            List<V1Pod> l = core.listNamespacedPod("svc")
                    .labelSelector("job-name=client")
                    .execute()
                    .getItems();
            return !l.isEmpty()
                            && l.get(0).getStatus() != null
                            && List.of("Succeeded", "Failed")
                                    .contains(l.get(0).getStatus().getPhase())
                    ? l.get(0)
                    : null;
        });
        String log =
                core.readNamespacedPodLog(done.getMetadata().getName(), "svc").execute();
        assertThat(log).isEqualTo("1234\n4321\n1777\n" + marker + "\n" + marker);
        assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
    }

    private V1Job job(String name, String script) {
        return new V1Job()
                .metadata(new V1ObjectMeta().name(name))
                .spec(new V1JobSpec()
                        .backoffLimit(0)
                        .template(new V1PodTemplateSpec()
                                .spec(new V1PodSpec()
                                        .restartPolicy("Never")
                                        .containers(List.of(shell(name, script))))));
    }

    private V1Container shell(String name, String script) {
        return fromWeb(name).command(List.of("busybox", "sh", "-c", script));
    }

    private static V1Job condition(BatchV1Api batch, String name, String type) throws Exception {
        V1Job j = batch.readNamespacedJob(name, "jobs").execute();
        if (j.getStatus() == null || j.getStatus().getConditions() == null) {
            return null;
        }
        return j.getStatus().getConditions().stream()
                        .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                ? j
                : null;
    }

    // ------------------------------------------------------------------ helpers

    private void namespace(String name) throws Exception {
        core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(name)))
                .execute();
    }

    private List<V1Pod> pods(String ns, String app) throws Exception {
        return core.listNamespacedPod(ns).labelSelector("app=" + app).execute().getItems();
    }

    private ExecResult node(String... command) {
        return NodeExec.run(engine, node.containerId(), command);
    }

    private static String readAll(InputStream in) throws Exception {
        CompletableFuture<String> f = CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // the stream ended with the WebSocket
            }
            return out.toString(StandardCharsets.UTF_8);
        });
        return f.get(20, TimeUnit.SECONDS);
    }

    private <T> T await(String what, Eventually.Probe<T> probe) throws Exception {
        return Eventually.await(
                Duration.ofSeconds(30), () -> what + ": not reached within 30 s\n" + diagnostics(), probe);
    }

    /** What the pods and the node look like, for failure messages. */
    private String diagnostics() {
        StringBuilder sb = new StringBuilder();
        try {
            for (V1Pod p : core.listPodForAllNamespaces().execute().getItems()) {
                sb.append("pod ")
                        .append(p.getMetadata().getNamespace())
                        .append('/')
                        .append(p.getMetadata().getName())
                        .append(": ")
                        .append(p.getStatus())
                        .append('\n');
            }
            for (CoreV1Event e : core.listEventForAllNamespaces().execute().getItems()) {
                sb.append("event ")
                        .append(e.getInvolvedObject().getName())
                        .append(' ')
                        .append(e.getReason())
                        .append(": ")
                        .append(e.getMessage())
                        .append('\n');
            }
        } catch (Exception e) {
            sb.append("cannot list pods: ").append(e).append('\n');
        }
        ExecResult r = node(
                "/bin/busybox",
                "sh",
                "-c",
                "/bin/busybox ls -laR /run/e2e-pods | /bin/busybox head -50; "
                        + "for f in /run/e2e-pods/*/log; do echo \"== $f\"; /bin/busybox tail -5 \"$f\"; done; /bin/busybox ps");
        sb.append(r.stdout()).append(r.stderr());
        return sb.toString();
    }

    private static V1Deployment deployment(String name, V1Container container) {
        return deployment(name, container, 1);
    }

    private static V1Deployment deployment(String name, V1Container container, int replicas) {
        Map<String, String> labels = Map.of("app", name);
        return new V1Deployment()
                .metadata(new V1ObjectMeta().name(name))
                .spec(new V1DeploymentSpec()
                        .replicas(replicas)
                        .selector(new V1LabelSelector().matchLabels(labels))
                        .template(new V1PodTemplateSpec()
                                .metadata(new V1ObjectMeta().labels(labels))
                                .spec(new V1PodSpec().containers(List.of(container)))));
    }
}
