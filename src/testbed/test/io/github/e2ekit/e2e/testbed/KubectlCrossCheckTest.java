package io.github.e2ekit.e2e.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.e2ekit.e2e.deploy.AppliedObject;
import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.deploy.Manifest;
import io.github.e2ekit.e2e.deploy.ReadinessWait;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.ImageLoader;
import io.github.e2ekit.e2e.ledger.Ledger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The real kubectl against a test bed whose pods are real processes in kind-like nodes: each command gets what
 * it would get from kind. The tests run in order on one namespace: apply, rollout status, wait, get -o json,
 * port-forward, delete --wait.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlCrossCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RUN = Duration.ofSeconds(90);

    private Engine engine;
    private Path dir;
    private String cluster;
    private TestBed bed;
    private TestImages images;
    private String marker;
    private Kubectl kubectl;
    private Path manifest;

    @BeforeAll
    void startBed() throws Exception {
        dir = Files.createTempDirectory("kubectl-cross-check");
        kubectl = Kubectl.require(dir.resolve("kubeconfig"));
        engine = TestEngine.require();
        cluster = "kubectl-" + ProcessHandle.current().pid();
        bed = TestBed.start(engine, cluster, 0, dir.resolve("kubeconfig"));
        images = new TestImages(engine);
        marker = "kubectl-cross-check-" + images.run();
        ImageReference web = ImageReference.parse("localhost/testbed/kubectl-web:" + images.run());
        String id = images.httpd(web.toString(), marker);
        new ImageLoader(engine, Ledger.start(dir.resolve("ledger.json"), "r", "s"), bed.clusterName())
                .load(bed.nodes().nodes(), web, id);
        manifest = dir.resolve("app.yaml");
        Files.writeString(manifest, """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: xc
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  namespace: xc
                spec:
                  replicas: 1
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                      - name: web
                        image: IMAGE
                        imagePullPolicy: IfNotPresent
                        ports:
                        - containerPort: 8080
                        readinessProbe:
                          httpGet: {path: /marker.txt, port: 8080}
                          periodSeconds: 1
                ---
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: once
                  namespace: xc
                spec:
                  backoffLimit: 0
                  template:
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: once
                        image: IMAGE
                        imagePullPolicy: IfNotPresent
                        command: ["busybox", "cat", "/www/marker.txt"]
                """.replace("IMAGE", web.toString()));
    }

    @AfterAll
    void stopBed() throws Exception {
        try {
            if (bed != null) {
                bed.close();
            }
        } finally {
            if (images != null) {
                images.close();
            }
            if (dir != null) {
                NodeImage.deleteTree(dir);
            }
        }
    }

    @Test
    @Order(1)
    void applyCreatesEveryObjectAndASecondApplyChangesNothing() {
        Kubectl.Result first = kubectl.run(RUN, "apply", "-f", manifest.toString());
        assertThat(first.exitCode()).as(first.out()).isZero();
        assertThat(first.stdout().lines())
                .containsExactly("namespace/xc created", "deployment.apps/web created", "job.batch/once created");
        Kubectl.Result second = kubectl.run(RUN, "apply", "-f", manifest.toString());
        assertThat(second.exitCode()).as(second.out()).isZero();
        assertThat(second.stdout().lines())
                .containsExactly("namespace/xc unchanged", "deployment.apps/web unchanged", "job.batch/once unchanged");
    }

    @Test
    @Order(2)
    void rolloutStatusWaitsUntilTheProbedPodIsAvailable() {
        Kubectl.Result r = kubectl.run(RUN, "-n", "xc", "rollout", "status", "deployment/web", "--timeout=60s");
        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.stdout()).endsWith("deployment \"web\" successfully rolled out\n");
    }

    @Test
    @Order(3)
    void waitForAvailableAndCompleteAgreesWithThePluginsReadinessWait() throws Exception {
        Kubectl.Result available =
                kubectl.run(RUN, "-n", "xc", "wait", "--for=condition=Available", "deployment/web", "--timeout=60s");
        assertThat(available.exitCode()).as(available.out()).isZero();
        assertThat(available.stdout()).isEqualTo("deployment.apps/web condition met\n");
        Kubectl.Result complete =
                kubectl.run(RUN, "-n", "xc", "wait", "--for=condition=Complete", "job/once", "--timeout=60s");
        assertThat(complete.exitCode()).as(() -> complete.out() + state()).isZero();
        assertThat(complete.stdout()).isEqualTo("job.batch/once condition met\n");

        // what kubectl judges ready, the plugin's wait judges ready too (it returns instead of timing out)
        KubeApi api = KubeApi.connect(bed.kubeconfig());
        List<AppliedObject> objects = List.of(
                applied("apps/v1", "Deployment", "deployment", "web"), applied("batch/v1", "Job", "job", "once"));
        new ReadinessWait(api, line -> {}).await(objects, Duration.ofSeconds(30));
    }

    @Test
    @Order(4)
    void getJsonShowsTheAvailableDeploymentAndTheRunningPodOfItsImage() throws Exception {
        JsonNode d = getJson("deployment", "web");
        assertThat(d.path("status").path("availableReplicas").asInt()).isEqualTo(1);
        assertThat(d.path("status").path("observedGeneration").asLong())
                .isGreaterThanOrEqualTo(d.path("metadata").path("generation").asLong());
        assertThat(condition(d, "Available")).isEqualTo("True");
        JsonNode pods = getJson("pods", "-l", "app=web");
        assertThat(pods.path("kind").asText()).isEqualTo("List");
        assertThat(pods.path("items")).hasSize(1);
        JsonNode pod = pods.path("items").get(0);
        assertThat(pod.path("status").path("phase").asText()).isEqualTo("Running");
        assertThat(condition(pod, "Ready")).isEqualTo("True");
        JsonNode job = getJson("job", "once");
        assertThat(job.path("status").path("succeeded").asInt()).isEqualTo(1);
        assertThat(condition(job, "Complete")).isEqualTo("True");
        // by the Job's pod label: "kubectl logs job/once" needs the spec.selector a real API server defaults
        // (pkg/registry/batch/job/strategy.go generateSelector), which the test bed does not set yet
        Kubectl.Result log = kubectl.run(RUN, "-n", "xc", "logs", "-l", "batch.kubernetes.io/job-name=once");
        assertThat(log.stdout()).as(log.out()).contains(marker);
    }

    @Test
    @Order(5)
    void portForwardCarriesAnHttpGetToThePodsProcessOverSpdyAndOverTheWebSocketTunnel() throws Exception {
        String pod = getJson("pods", "-l", "app=web")
                .path("items")
                .get(0)
                .path("metadata")
                .path("name")
                .asText();
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (String websockets : List.of("true", "false")) {
            int local = Kubectl.freePort();
            try (Kubectl.Forward f = kubectl.portForward(
                            Map.of("KUBECTL_PORT_FORWARD_WEBSOCKETS", websockets), "xc", "pod/" + pod, local, 8080)
                    .awaitListening(local, Duration.ofSeconds(30))) {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local + "/marker.txt"))
                                .timeout(Duration.ofSeconds(20))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as("websockets=" + websockets).isEqualTo(200);
                assertThat(r.body()).isEqualTo(marker);
                HttpResponse<String> missing = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local + "/nope"))
                                .timeout(Duration.ofSeconds(20))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(missing.statusCode()).isEqualTo(404);
                assertThat(f.process().isAlive()).as(f.output()).isTrue();
            }
        }
    }

    @Test
    @Order(6)
    void rolloutStatusOfADeploymentWhoseImageIsAbsentTimesOut() {
        Kubectl.Result created = kubectl.run(
                RUN,
                "-n",
                "xc",
                "create",
                "deployment",
                "absent",
                "--image=localhost/testbed/not-loaded:" + images.run());
        assertThat(created.exitCode()).as(created.out()).isZero();
        Kubectl.Result r = kubectl.run(RUN, "-n", "xc", "rollout", "status", "deployment/absent", "--timeout=4s");
        assertThat(r.exitCode()).as(r.out()).isNotZero();
        assertThat(r.stdout())
                .contains("Waiting for deployment \"absent\" rollout to finish: 0 of 1 updated replicas "
                        + "are available...");
        assertThat(r.stderr()).contains("timed out waiting for the condition");
    }

    @Test
    @Order(7)
    void deleteNamespaceWaitsUntilItIsGone() {
        Kubectl.Result r = kubectl.run(RUN, "delete", "namespace", "xc", "--wait", "--timeout=80s");
        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.stdout()).isEqualTo("namespace \"xc\" deleted\n");
        Kubectl.Result after = kubectl.run(RUN, "get", "namespace", "xc");
        assertThat(after.exitCode()).isEqualTo(1);
        assertThat(after.stderr()).contains("Error from server (NotFound): namespaces \"xc\" not found");
        Kubectl.Result pods = kubectl.run(RUN, "get", "pods", "-n", "xc", "-o", "json");
        assertThat(pods.stdout()).contains("\"items\": []");
    }

    /** What the API holds in the namespace, for failure messages. */
    private String state() {
        return kubectl.run(RUN, "-n", "xc", "get", "jobs,pods", "-o", "yaml").stdout()
                + kubectl.run(RUN, "-n", "xc", "get", "events").stdout();
    }

    private JsonNode getJson(String... what) throws Exception {
        String[] args = new String[what.length + 5];
        args[0] = "-n";
        args[1] = "xc";
        args[2] = "get";
        System.arraycopy(what, 0, args, 3, what.length);
        args[what.length + 3] = "-o";
        args[what.length + 4] = "json";
        Kubectl.Result r = kubectl.run(RUN, args);
        assertThat(r.exitCode()).as(r.out()).isZero();
        return JSON.readTree(r.stdout());
    }

    private AppliedObject applied(String apiVersion, String kind, String resource, String name) throws Exception {
        JsonNode o = getJson(resource, name);
        Map<String, Object> raw = JSON.convertValue(o, new com.fasterxml.jackson.core.type.TypeReference<>() {});
        return new AppliedObject(
                apiVersion,
                kind,
                "xc",
                name,
                o.path("metadata").path("uid").asText(),
                true,
                new Manifest(raw, manifest.toString()));
    }

    private static String condition(JsonNode o, String type) {
        for (JsonNode c : o.path("status").path("conditions")) {
            if (type.equals(c.path("type").asText())) {
                return c.path("status").asText();
            }
        }
        return null;
    }
}
