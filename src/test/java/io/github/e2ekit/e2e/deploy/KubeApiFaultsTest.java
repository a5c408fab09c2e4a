package io.github.e2ekit.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.ObjectEntry;
import io.github.e2ekit.e2e.teardown.ClusterDeletion;
import io.github.e2ekit.e2e.teardown.RemoveImages;
import io.github.e2ekit.e2e.teardown.Teardown;
import io.github.e2ekit.e2e.teardown.TeardownReport;
import io.github.e2ekit.e2e.testbed.kube.ApiFaults;
import io.github.e2ekit.e2e.testbed.kube.FakeKubernetes;
import io.github.e2ekit.e2e.testbed.kube.InMemoryNodeImages;
import io.github.e2ekit.e2e.testbed.kube.LoopbackPodRuntime;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API server misbehaving mid-run ({@link ApiFaults}): every kind of call the plugin makes goes through
 * {@link KubeApi}'s one retry policy, so a transient answer is retried and the run stays green; an answer that stays
 * bad fails with one line naming the call, and teardown still leaves nothing behind.
 */
class KubeApiFaultsTest {
    private static final String IMAGE = "localhost/e2e/faultapp:1";
    private static final ImageBinding APP =
            new ImageBinding("app", "localhost/e2e/faultapp", IMAGE, "ab".repeat(32), "sha256:" + "b".repeat(64));
    private static HttpServer http;
    private static FakeKubernetes kube;
    private static Path kubeconfig;

    @TempDir
    Path dir;

    private Ledger ledger;
    private String run;
    private final List<String> log = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", ex -> {
            byte[] body = "pong".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();
        kube = new FakeKubernetes(
                new InMemoryNodeImages("kind-control-plane").load(IMAGE, APP.imageId()),
                new LoopbackPodRuntime().expose(8080, http.getAddress().getPort()));
        kubeconfig =
                kube.writeKubeconfig(Files.createTempDirectory("kube-faults").resolve("kubeconfig"), "faults");
    }

    @AfterAll
    static void stop() throws Exception {
        if (kube != null) {
            kube.close();
        }
        if (http != null) {
            http.stop(0);
        }
        Files.deleteIfExists(kubeconfig);
        Files.deleteIfExists(kubeconfig.getParent());
    }

    @BeforeEach
    void setUp() {
        run = Long.toHexString(System.nanoTime()).substring(0, 8);
        ledger = Ledger.start(dir.resolve("ledger.json"), run, "svc");
    }

    @AfterEach
    void clearFaults() {
        kube.faults().clear();
    }

    private Path manifest() throws Exception {
        String deployment = TestManifests.deployment(
                "app", "${e2e.image.app}", "imagePullPolicy: Never", "ports: [{containerPort: 8080}]");
        return Files.writeString(dir.resolve("app.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                data: {a: "1"}
                ---
                %s---
                apiVersion: v1
                kind: Service
                metadata: {name: app}
                spec:
                  selector: {app: app}
                  ports: [{port: 80, targetPort: 8080}]
                """.formatted(deployment));
    }

    private Deployer.Result deploy(KubeApi api, String ns) throws Exception {
        ManifestRenderer renderer =
                new ManifestRenderer(Map.of("e2e.image.app", IMAGE), List.of(APP), run, "svc", "2030-01-01T00:00:00Z");
        return new Deployer(api, ledger, log::add)
                .deploy(
                        new DeployPlan(ns, List.of(List.of(manifest())), Duration.ofSeconds(60)),
                        renderer,
                        List.of(APP),
                        ManifestRenderer.runLabels(run, "svc"),
                        Map.of(),
                        dir.resolve("diagnostics"));
    }

    private static String get(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    private List<ObjectEntry> objects() {
        List<ObjectEntry> out = ledger.read(d -> List.copyOf(d.objects));
        return out;
    }

    /** Teardown removes without a failure all the run made: the namespace is gone, the ledger says REMOVED. */
    private void assertTeardownLeavesNothing(KubeApi api, String ns) {
        TeardownReport report = new Teardown(null, ledger).run(api, RemoveImages.NONE, ClusterDeletion.NEVER, null);
        assertThat(report.failures()).isEmpty();
        assertThat(api.readNamespace(ns)).as("namespace " + ns).isEmpty();
        assertThat(objects()).extracting(o -> o.kind + " " + o.state).allMatch(s -> s.endsWith(" REMOVED"));
    }

    @Test
    void oneUnavailableAnswerOnEveryKindOfCallIsRetriedAndTheRunIsGreen() throws Exception {
        String ns = "e2e-faults-" + run;
        ApiFaults f = kube.faults();
        String nsPath = "/api/v1/namespaces/" + ns;
        List<ApiFaults.Rule> rules = List.of(
                f.on("GET", "/apis?").status(503), // discovery
                f.on("POST", "/api/v1/namespaces").status(503), // namespace create
                f.on("POST", nsPath + "/configmaps").status(503), // apply: create
                f.on("POST", "/apis/apps/v1/namespaces/" + ns + "/deployments").status(503),
                f.on("POST", nsPath + "/services").status(503),
                f.on("GET", "/apis/apps/v1/namespaces/" + ns + "/deployments/app")
                        .status(503), // reads
                f.on("GET", "/apis/apps/v1/namespaces/" + ns + "/replicasets").status(503),
                f.on("GET", nsPath + "/pods").status(503),
                f.on("GET", nsPath + "/services/app").status(503),
                f.on("GET", nsPath + "/pods/[^/]+/portforward").status(503), // port-forward
                f.on("DELETE", nsPath).status(503), // deletes
                f.on("GET", nsPath).status(503)); // the wait for the deleted namespace to go
        KubeApi api = KubeApi.connect(kubeconfig);

        Deployer.Result result = deploy(api, ns);
        assertThat(result.namespaceCreated()).isTrue();
        assertThat(result.fresh())
                .singleElement()
                .satisfies(x -> assertThat(x.pods()).isEqualTo(1));
        try (PortForwarder forward = new Endpoints(api).open(new EndpointSpec("app", "app", 80, "/", ns, false))) {
            assertThat(get(forward.localPort())).isEqualTo("200 pong");
        }
        assertThat(objects()).extracting(o -> o.state).containsOnly(EntryState.CREATED);

        assertTeardownLeavesNothing(api, ns);
        assertThat(rules).allSatisfy(r -> assertThat(r.fired()).as("fault hit").isEqualTo(1));
    }

    @Test
    void tooManyRequestsIsRetriedAfterTheServersRetryAfter() {
        String ns = "e2e-busy-" + run;
        KubeApi api = KubeApi.connect(kubeconfig);
        ApiFaults.Rule busy = kube.faults().on("POST", "/api/v1/namespaces").status(429, 1);

        long start = System.nanoTime();
        assertThat(Namespaces.ensure(api, ledger, ns, ManifestRenderer.runLabels(run, "svc"), Map.of()))
                .isTrue();

        assertThat(busy.fired()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("waited Retry-After: 1")
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertTeardownLeavesNothing(api, ns);
    }

    @Test
    void anAnswerThatStaysBadFailsWithOneLineAndTeardownLeavesNothing() throws Exception {
        String ns = "e2e-broken-" + run;
        KubeApi api = KubeApi.connect(kubeconfig);
        ApiFaults.Rule broken = kube.faults()
                .on("POST", "/apis/apps/v1/namespaces/" + ns + "/deployments")
                .status(500)
                .always();

        assertThatThrownBy(() -> deploy(api, ns))
                .isInstanceOf(DeployException.class)
                .satisfies(e -> assertThat(e.getMessage())
                        .doesNotContain("\n")
                        .contains(
                                "create Deployment/app on ",
                                kube.url(),
                                "HTTP 500",
                                "still after " + KubeRetry.ATTEMPTS + " attempts"));
        assertThat(broken.fired()).isEqualTo(KubeRetry.ATTEMPTS);
        // the ledger says what is known: what was created before exists, the Deployment may or may not
        assertThat(objects())
                .extracting(o -> o.kind + " " + o.state)
                .containsExactly("Namespace CREATED", "ConfigMap CREATED", "Service CREATED", "Deployment INTENDED");

        kube.faults().clear();
        assertTeardownLeavesNothing(api, ns);
    }

    @Test
    void aCreateWhoseAnswerWasLostIsRecordedAsThisRunsAndRemovedAtTeardown() throws Exception {
        String ns = "e2e-lost-" + run;
        ApiFaults.Rule lostNamespace =
                kube.faults().on("POST", "/api/v1/namespaces").loseAnswer();
        ApiFaults.Rule lostConfigMap = kube.faults()
                .on("POST", "/api/v1/namespaces/" + ns + "/configmaps")
                .loseAnswer();
        KubeApi api = KubeApi.connect(kubeconfig);

        Deployer.Result result = deploy(api, ns);

        assertThat(lostNamespace.fired()).isEqualTo(1);
        assertThat(lostConfigMap.fired()).isEqualTo(1);
        assertThat(result.namespaceCreated())
                .as("the retry's 409 names a namespace with this run's label")
                .isTrue();
        List<ObjectEntry> objects = objects();
        assertThat(objects).allSatisfy(o -> {
            assertThat(o.state).isEqualTo(EntryState.CREATED);
            assertThat(o.patched).isFalse();
            assertThat(o.uid).isNotNull();
        });
        assertThat(objects.get(0).uid)
                .isEqualTo(api.readNamespace(ns).orElseThrow().getMetadata().getUid());

        assertTeardownLeavesNothing(api, ns);
    }

    @Test
    void aReplacedJobWhoseCreateAnswerWasLostIsTheNewOne() throws Exception {
        String ns = "e2e-job-" + run;
        KubeApi api = KubeApi.connect(kubeconfig);
        Namespaces.ensure(api, ledger, ns, ManifestRenderer.runLabels(run, "svc"), Map.of());
        ManifestRenderer renderer = new ManifestRenderer(Map.of(), List.of(), run, "svc", "2030-01-01T00:00:00Z");
        Applier applier = new Applier(api, ledger);
        String firstUid = applier.apply(
                        renderer.render(List.of(Files.writeString(
                                        dir.resolve("job1.yaml"), TestManifests.job("migrate", "localhost/m:1"))))
                                .get(0),
                        ns)
                .uid();
        // apply creates first (answered 409: it exists), then replaces the Job: its create is the second POST
        ApiFaults.Rule lost = kube.faults()
                .on("POST", "/apis/batch/v1/namespaces/" + ns + "/jobs")
                .nth(2)
                .loseAnswer();

        AppliedObject replaced = applier.apply(
                renderer.render(List.of(Files.writeString(
                                dir.resolve("job2.yaml"), TestManifests.job("migrate", "localhost/m:2"))))
                        .get(0),
                ns);

        assertThat(lost.fired()).isEqualTo(1);
        assertThat(replaced.uid()).isNotEqualTo(firstUid);
        assertThat(objects())
                .filteredOn(o -> o.kind.equals("Job"))
                .extracting(o -> o.uid + " " + o.state)
                .contains(replaced.uid() + " CREATED");
        assertTeardownLeavesNothing(api, ns);
    }

    @Test
    void aClosedConnectionAndAnAnswerSlowerThanTheReadTimeoutAreRetried() throws Exception {
        String ns = "e2e-slow-" + run;
        KubeApi api = KubeApi.connect(kubeconfig, Duration.ofSeconds(1));
        ApiFaults.Rule closed = kube.faults()
                .on("POST", "/api/v1/namespaces/" + ns + "/services")
                .closeConnection();
        ApiFaults.Rule slow = kube.faults()
                .on("GET", "/apis/apps/v1/namespaces/" + ns + "/deployments/app")
                .delay(Duration.ofMillis(2500));

        Deployer.Result result = deploy(api, ns);

        assertThat(result.applied()).extracting(AppliedObject::kind).contains("Service", "Deployment");
        assertThat(closed.fired()).isEqualTo(1);
        assertThat(slow.fired()).isEqualTo(1);
        assertTeardownLeavesNothing(api, ns);
    }

    @Test
    void aDroppedPortForwardStreamEndsOnlyItsConnectionAndTheNextOneIsForwarded() throws Exception {
        String ns = "e2e-drop-" + run;
        KubeApi api = KubeApi.connect(kubeconfig);
        deploy(api, ns);
        ApiFaults.Rule cut = kube.faults()
                .on("GET", "/api/v1/namespaces/" + ns + "/pods/[^/]+/portforward")
                .cutAfter(Duration.ofMillis(300));

        try (PortForwarder forward = new Endpoints(api).open(new EndpointSpec("app", "app", 80, "/", ns, false));
                Socket first = new Socket("127.0.0.1", forward.localPort())) {
            first.setSoTimeout(10_000);
            InputStream in = first.getInputStream();
            assertThat(in.read())
                    .as("the first connection ends when its stream is cut")
                    .isEqualTo(-1);
            assertThat(cut.fired()).isEqualTo(1);
            assertThat(get(forward.localPort())).isEqualTo("200 pong");
        }
        kube.faults()
                .on("GET", "/api/v1/namespaces/" + ns + "/pods/[^/]+/portforward")
                .status(503)
                .always();
        try (PortForwarder forward = new Endpoints(api).open(new EndpointSpec("app", "app", 80, "/", ns, false))) {
            assertThatThrownBy(() -> get(forward.localPort())).isInstanceOf(java.io.IOException.class);
            assertThat(forward.lastFailure()).contains("port-forward Pod/", kube.url(), "HTTP 503");
        }
        kube.faults().clear();
        assertTeardownLeavesNothing(api, ns);
    }

    @Test
    void aServerThatDoesNotAnswerIsNamedWithItsKubeconfig() throws Exception {
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        Path dead = Files.writeString(
                dir.resolve("dead-kubeconfig"),
                Files.readString(kubeconfig).replace(kube.url(), "http://127.0.0.1:" + deadPort));
        KubeApi api = KubeApi.connect(dead);

        assertThatThrownBy(() -> Namespaces.ensure(
                        api, ledger, "e2e-dead-" + run, ManifestRenderer.runLabels(run, "svc"), Map.of()))
                .isInstanceOf(KubeApiException.class)
                .satisfies(e -> assertThat(e.getMessage())
                        .doesNotContain("\n")
                        .contains(
                                "create Namespace/e2e-dead-" + run,
                                "http://127.0.0.1:" + deadPort,
                                "no answer",
                                dead.toString(),
                                "still after " + KubeRetry.ATTEMPTS + " attempts"));
        // no attempt reached a server, so nothing can exist: the ledger does not claim anything
        assertThat(objects()).isEmpty();
    }

    @Test
    void retryAfterIsReadInSecondsAndCapped() {
        assertThat(KubeRetry.retryAfterMillis("1", 100)).isEqualTo(1000);
        assertThat(KubeRetry.retryAfterMillis(null, 100)).isEqualTo(100);
        assertThat(KubeRetry.retryAfterMillis("Wed, 21 Oct 2015 07:28:00 GMT", 100))
                .isEqualTo(100);
        assertThat(KubeRetry.retryAfterMillis("3600", 100)).isEqualTo(10_000);
    }
}
