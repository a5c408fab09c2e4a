package io.github.e2ekit.e2e.testbed.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.github.e2ekit.e2e.testbed.Kubectl;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real kubectl against the fake API server without container processes (pods' ports are local sockets,
 * {@link LoopbackPodRuntime}): the protocols kubectl speaks, each as kind would answer them. The same commands
 * against a test bed with real pod processes: {@code testbed.KubectlCrossCheckTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubectlProtocolsTest {
    private static final String IMAGE = "localhost/protocols/web:1";
    private static final String MANIFEST = """
      apiVersion: v1
      kind: Namespace
      metadata: {name: proto}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: proto}
      spec:
        replicas: REPLICAS
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers: [{name: web, image: IMAGE, imagePullPolicy: Never, ports: [{containerPort: 8080}]}]
      """.replace("IMAGE", IMAGE);

    private HttpServer http;
    private FakeKubernetes kube;
    private Kubectl kubectl;
    private Path dir;

    @BeforeAll
    void start() throws Exception {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", ex -> {
            byte[] body = ("served " + ex.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();
        kube = new FakeKubernetes(
                new InMemoryNodeImages().load(IMAGE, "sha256:" + "b".repeat(64)),
                new LoopbackPodRuntime().expose(8080, http.getAddress().getPort()));
        dir = Files.createTempDirectory("kubectl-protocols");
        kubectl = Kubectl.require(kube.writeKubeconfig(dir.resolve("kubeconfig"), "protocols"));
    }

    @AfterAll
    void stop() {
        if (kube != null) {
            kube.close();
        }
        if (http != null) {
            http.stop(0);
        }
    }

    private Kubectl.Result apply(int replicas) throws Exception {
        Path file = dir.resolve("manifest.yaml");
        Files.writeString(file, MANIFEST.replace("REPLICAS", Integer.toString(replicas)));
        return kubectl.run(Duration.ofSeconds(30), "apply", "-f", file.toString());
    }

    @Test
    void applyValidatesThroughOpenApiV3AndPatchesWithStrategicMerge() throws Exception {
        Kubectl.Result first = apply(1);
        assertThat(first.exitCode()).as(first.out()).isZero();
        assertThat(first.stdout()).contains("namespace/proto", "deployment.apps/web");
        Kubectl.Result again = apply(1);
        assertThat(again.stdout()).as(again.out()).contains("deployment.apps/web unchanged");
        Kubectl.Result scaled = apply(2);
        assertThat(scaled.stdout()).as(scaled.out()).contains("deployment.apps/web configured");
        assertThat(scaled.stderr()).doesNotContain("warning");
        JsonNode d =
                Json.parse(kubectl.run(Duration.ofSeconds(20), "-n", "proto", "get", "deployment", "web", "-o", "json")
                        .stdout());
        assertThat(d.path("spec").path("replicas").asInt()).isEqualTo(2);
        assertThat(d.path("metadata").path("annotations").has("kubectl.kubernetes.io/last-applied-configuration"))
                .isTrue();
        apply(1);
    }

    @Test
    void logsFollowKeepsStreamingAndAWaitingContainerGetsTheKubeletsAnswer() throws Exception {
        kubectl.run(Duration.ofSeconds(20), "create", "ns", "logs");
        Kubectl.Result created = kubectl.run(
                Duration.ofSeconds(20), "-n", "logs", "run", "talk", "--image=" + IMAGE, "--image-pull-policy=Never");
        assertThat(created.exitCode()).as(created.out()).isZero();
        Kubectl.Result ready = kubectl.run(
                Duration.ofSeconds(30), "-n", "logs", "wait", "--for=condition=Ready", "pod/talk", "--timeout=20s");
        assertThat(ready.exitCode()).as(ready.out()).isZero();
        // kubectl logs -f: the log so far, and the stream stays open (the container runs)
        Process follow = kubectl.start(Map.of(), "-n", "logs", "logs", "-f", "talk");
        try {
            String first = new java.io.BufferedReader(
                            new java.io.InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(first).contains("started container talk");
            Thread.sleep(1000);
            assertThat(follow.isAlive()).as("kubectl logs -f still following").isTrue();
        } finally {
            follow.destroy();
            follow.waitFor();
        }
        // a container that never started: kubectl prints the kubelet's reason
        kubectl.run(
                Duration.ofSeconds(20),
                "-n",
                "logs",
                "run",
                "never",
                "--image=localhost/protocols/missing:1",
                "--image-pull-policy=Never");
        Kubectl.Result waiting = null;
        for (int i = 0; i < 50; i++) {
            waiting = kubectl.run(Duration.ofSeconds(20), "-n", "logs", "logs", "-f", "never");
            if (waiting.stderr().contains("ErrImageNeverPull")) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(waiting.exitCode()).isNotZero();
        assertThat(waiting.stderr())
                .as(waiting.out())
                .contains("container \"never\" in pod \"never\" is waiting to start: ErrImageNeverPull");
    }

    @Test
    void rolloutStatusFollowsTheWatchUntilTheDelayedPodsAreReady() throws Exception {
        kube.readinessDelay(Duration.ofSeconds(2));
        try {
            kubectl.run(Duration.ofSeconds(20), "delete", "ns", "slow", "--ignore-not-found", "--wait");
            kubectl.run(Duration.ofSeconds(20), "create", "ns", "slow");
            Kubectl.Result created = kubectl.run(
                    Duration.ofSeconds(20),
                    "-n",
                    "slow",
                    "create",
                    "deployment",
                    "web",
                    "--image=" + IMAGE,
                    "--replicas=1");
            assertThat(created.exitCode()).as(created.out()).isZero();
            Kubectl.Result status = kubectl.run(
                    Duration.ofSeconds(40), "-n", "slow", "rollout", "status", "deployment/web", "--timeout=30s");
            assertThat(status.exitCode()).as(status.out()).isZero();
            // the first answer was "waiting": the success came from a watch event, not from the initial list
            assertThat(status.stdout())
                    .contains("Waiting for deployment \"web\" rollout to finish")
                    .contains("deployment \"web\" successfully rolled out");
        } finally {
            kube.clearFaults();
        }
    }

    @Test
    void rolloutStatusAcceptsDaemonSetsAndStatefulSetsWithTheDefaultedUpdateStrategy() throws Exception {
        Path file = dir.resolve("sets.yaml");
        Files.writeString(file, """
        apiVersion: v1
        kind: Namespace
        metadata: {name: sets}
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: ds, namespace: sets}
        spec:
          selector: {matchLabels: {app: ds}}
          template:
            metadata: {labels: {app: ds}}
            spec:
              containers: [{name: c, image: IMAGE, imagePullPolicy: Never}]
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: sts, namespace: sets}
        spec:
          serviceName: sts
          replicas: 1
          selector: {matchLabels: {app: sts}}
          template:
            metadata: {labels: {app: sts}}
            spec:
              containers: [{name: c, image: IMAGE, imagePullPolicy: Never}]
        """.replace("IMAGE", IMAGE));
        Kubectl.Result applied = kubectl.run(Duration.ofSeconds(30), "apply", "-f", file.toString());
        assertThat(applied.exitCode()).as(applied.out()).isZero();
        Kubectl.Result ds =
                kubectl.run(Duration.ofSeconds(40), "-n", "sets", "rollout", "status", "daemonset/ds", "--timeout=30s");
        assertThat(ds.exitCode()).as(ds.out()).isZero();
        assertThat(ds.stdout()).endsWith("daemon set \"ds\" successfully rolled out\n");
        Kubectl.Result sts = kubectl.run(
                Duration.ofSeconds(40), "-n", "sets", "rollout", "status", "statefulset/sts", "--timeout=30s");
        assertThat(sts.exitCode()).as(sts.out()).isZero();
        // rollingUpdate.partition defaults to 0, so kubectl reports the partitioned form, as on kind
        assertThat(sts.stdout()).endsWith("partitioned roll out complete: 1 new pods have been updated...\n");
        JsonNode got =
                Json.parse(kubectl.run(Duration.ofSeconds(20), "-n", "sets", "get", "daemonset", "ds", "-o", "json")
                        .stdout());
        assertThat(Json.text(got, "spec", "updateStrategy", "type")).isEqualTo("RollingUpdate");
    }

    @Test
    void waitForDeleteEndsWhenTheWatchSaysDeleted() throws Exception {
        kubectl.run(Duration.ofSeconds(20), "create", "ns", "gone");
        kubectl.run(Duration.ofSeconds(20), "-n", "gone", "create", "configmap", "c", "--from-literal=a=b");
        CompletableFuture<Kubectl.Result> waiting = CompletableFuture.supplyAsync(() -> kubectl.run(
                Duration.ofSeconds(40), "-n", "gone", "wait", "--for=delete", "configmap/c", "--timeout=30s"));
        Thread.sleep(1500);
        assertThat(waiting).isNotDone();
        kubectl.run(Duration.ofSeconds(20), "-n", "gone", "delete", "configmap", "c", "--wait=false");
        Kubectl.Result r = waiting.get();
        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.stdout()).contains("configmap/c condition met");
    }

    /** One replica of web applied, and {@code kubectl rollout status} says it rolled out. */
    private void applyAndRollOut() throws Exception {
        assertThat(apply(1).exitCode()).isZero();
        assertThat(kubectl.run(
                                Duration.ofSeconds(40),
                                "-n",
                                "proto",
                                "rollout",
                                "status",
                                "deployment/web",
                                "--timeout=30s")
                        .exitCode())
                .isZero();
    }

    /** kubectl 1.31 tunnels SPDY through a WebSocket first; with the feature off it upgrades the HTTP connection. */
    @ParameterizedTest
    @ValueSource(strings = {"true", "false"})
    void portForwardCarriesHttpToThePodOverEitherTransport(String websockets) throws Exception {
        applyAndRollOut();
        int local = Kubectl.freePort();
        try (Kubectl.Forward f = kubectl.portForward(
                        Map.of("KUBECTL_PORT_FORWARD_WEBSOCKETS", websockets), "proto", "deployment/web", local, 8080)
                .awaitListening(local, Duration.ofSeconds(20))) {
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            for (String path : new String[] {"/one", "/two"}) {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("served " + path);
            }
            assertThat(f.process().isAlive()).as(f.output()).isTrue();
            assertThat(f.output()).contains("Handling connection for " + local);
        }
    }

    @Test
    void portForwardToAPortNothingListensOnReportsTheKubeletErrorAndExits() throws Exception {
        applyAndRollOut();
        int local = Kubectl.freePort();
        try (Kubectl.Forward f = kubectl.portForward(Map.of(), "proto", "deployment/web", local, 9999)
                .awaitListening(local, Duration.ofSeconds(20))) {
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            try {
                client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local + "/"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                // the connection is closed without an answer, as on kind
            }
            // kubectl (client-go portforward.go handleConnection) closes the whole connection on an error-stream
            // message
            assertThat(f.process().waitFor(15, java.util.concurrent.TimeUnit.SECONDS))
                    .as(f.output())
                    .isTrue();
            assertThat(f.process().exitValue()).isNotZero();
            assertThat(f.output())
                    .contains(
                            "error forwarding port 9999 to pod proto/web-",
                            "connection refused",
                            "lost connection to pod");
        }
    }
}
