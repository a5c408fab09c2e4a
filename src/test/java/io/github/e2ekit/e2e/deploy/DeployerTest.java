package io.github.e2ekit.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.ImageLoader;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.ObjectEntry;
import io.github.e2ekit.e2e.run.KindNodeDigests;
import io.github.e2ekit.e2e.teardown.RemoveImages;
import io.github.e2ekit.e2e.teardown.Teardown;
import io.github.e2ekit.e2e.teardown.TeardownReport;
import io.github.e2ekit.e2e.testbed.EveryEngine;
import io.github.e2ekit.e2e.testbed.TestBed;
import io.github.e2ekit.e2e.testbed.TestImages;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * deploy and its teardown on the test bed: real node images, fake API server with a simulated kubelet.
 * Runs once per engine on the machine (Docker, Podman): the image has a short name, as users write it,
 * so the rendered manifests, the node's image and the freshness check meet Podman's naming.
 */
@EveryEngine
class DeployerTest {
    private static Engine engine;
    private static TestBed bed;
    private static TestImages images;
    private static ImageBinding app;
    private static Path bedDir;
    /** What the project property e2e.image.app holds: the reference as configured. */
    private static String shortReference;

    @TempDir
    Path dir;
    /** The engine of this invocation (declared so the class-invocation methods below receive it). */
    @Parameter
    Engine current;

    private Ledger ledger;
    private final List<String> log = new ArrayList<>();
    private String run;

    @BeforeParameterizedClassInvocation
    static void start(Engine e) throws Exception {
        engine = e;
        bedDir = Files.createTempDirectory("e2e-deployer-test");
        bed = TestBed.start(
                engine,
                "deploy-" + e.kind().kindProvider() + "-"
                        + ProcessHandle.current().pid(),
                0,
                bedDir.resolve("kubeconfig"));
        images = new TestImages(engine);
        ImageReference ref = ImageReference.parse("deploytest-app:" + images.run());
        String id = images.busybox(engine.buildName(ref), "app");
        new ImageLoader(engine, Ledger.start(bedDir.resolve("load.json"), "r", "s"), bed.clusterName())
                .load(bed.nodes().nodes(), ref, id);
        // as DeployMojo binds it: the manifests name the image as the engine stores it
        app = new ImageBinding("app", ref.repository(), engine.storedName(ref), "ab".repeat(32), id);
        shortReference = ref.toString();
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        if (bed != null) {
            bed.close();
        }
        if (images != null) {
            images.close();
        }
        if (bedDir != null) {
            try (var s = Files.walk(bedDir)) {
                s.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    @BeforeEach
    void setUp() {
        run = Long.toHexString(System.nanoTime()).substring(0, 8);
        ledger = Ledger.start(dir.resolve("ledger.json"), run, "svc");
        bed.kubernetes().clearFaults();
    }

    private Path manifest(String name, String yaml) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }

    static String deployment(String name, String image, String policy) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %1$s
                spec:
                  replicas: 1
                  selector:
                    matchLabels: {app: %1$s}
                  template:
                    metadata:
                      labels: {app: %1$s}
                    spec:
                      containers:
                      - name: main
                        image: %2$s
                        %3$s
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: %1$s
                spec:
                  selector: {app: %1$s}
                  ports: [{port: 8080, targetPort: 8080}]
                """.formatted(name, image, policy == null ? "" : "imagePullPolicy: " + policy);
    }

    private Deployer.Result deploy(String ns, Duration timeout, List<List<Path>> stages) {
        return deploy(ns, timeout, stages, HealPolicy.DEFAULT);
    }

    private Deployer.Result deploy(String ns, Duration timeout, List<List<Path>> stages, HealPolicy heal) {
        KubeApi api = KubeApi.connect(bed.kubeconfig());
        ManifestRenderer renderer = new ManifestRenderer(
                Map.of("e2e.image.app", shortReference), List.of(app), run, "svc", "2030-01-01T00:00:00Z");
        return new Deployer(api, ledger, log::add)
                .resolvingOn(nodeDigests())
                .deploy(
                        new DeployPlan(ns, stages, timeout, heal),
                        renderer,
                        List.of(app),
                        Map.of(ManifestRenderer.RUN, run),
                        Map.of(),
                        dir.resolve("diagnostics"));
    }

    /** The test bed's nodes, where the freshness check resolves the digests pods report. */
    private static NodeDigests nodeDigests() {
        return new KindNodeDigests(engine, bed.clusterName(), bed.nodes().nodes());
    }

    private TeardownReport teardown() {
        return new Teardown(engine, ledger)
                .run(
                        KubeApi.connect(bed.kubeconfig()),
                        RemoveImages.NONE,
                        io.github.e2ekit.e2e.teardown.ClusterDeletion.NEVER,
                        null);
    }

    @Test
    void stagesBecomeReadyInOrderAndPodsProvablyRunThisRunsImage() throws Exception {
        Path first = manifest("first.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                data: {a: "1"}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: e2e-test-reader-%s}
                rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
                """.formatted(run) + "---\n" + deployment("db", "${e2e.image.app}", null));
        Path second = manifest("second.yaml", deployment("app", "deploytest-app:whatever-tag-the-file-says", null));
        String ns = "e2e-svc-" + run;
        Deployer.Result r = deploy(ns, Duration.ofSeconds(30), List.of(List.of(first), List.of(second)));
        assertThat(r.namespaceCreated()).isTrue();
        assertThat(r.fresh())
                .singleElement()
                .satisfies(f -> assertThat(f.pods()).isEqualTo(2));
        // proven although the pods report the import's manifest digest, as on kind, not the image ID
        assertThat(new CoreV1Api(bed.kubernetes().client())
                        .listNamespacedPod(ns)
                        .execute()
                        .getItems())
                .flatExtracting(p -> p.getStatus().getContainerStatuses())
                .allSatisfy(cs -> assertThat(cs.getImageID())
                        .startsWith("docker.io/library/import-")
                        .doesNotContain(app.imageId().substring(7)));
        // the manifests name the image as the engine stores it (Podman: localhost/deploytest-app:<tag>)
        var deployed = new io.kubernetes.client.openapi.apis.AppsV1Api(
                        bed.kubernetes().client())
                .readNamespacedDeployment("app", ns)
                .execute();
        assertThat(deployed.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .isEqualTo(app.reference())
                .isEqualTo(
                        engine.kind() == io.github.e2ekit.e2e.image.EngineKind.PODMAN
                                ? "localhost/" + shortReference
                                : shortReference);
        assertThat(log).anyMatch(l -> l.startsWith("stage 2/2"));
        List<ObjectEntry> objects = ledger.read(d -> d.objects);
        assertThat(objects).allMatch(o -> o.state == EntryState.CREATED && o.uid != null);
        assertThat(objects).anyMatch(o -> o.kind.equals("ClusterRole") && o.namespace == null);

        TeardownReport report = teardown();
        assertThat(report.failures()).isEmpty();
        assertThat(report.removed())
                .anyMatch(s -> s.startsWith("Namespace/" + ns))
                .anyMatch(s -> s.startsWith("ClusterRole/e2e-test-reader-" + run));
        assertThatThrownBy(() -> new CoreV1Api(bed.kubernetes().client())
                        .readNamespace(ns)
                        .execute())
                .hasMessageContaining("Not Found");
        assertThat(teardown().removed()).isEmpty();
    }

    @Test
    void aCrdIsEstablishedBeforeItsCustomResourcesAreApplied() throws Exception {
        Path m = manifest("crd.yaml", """
                apiVersion: example.e2ekit.io/v1
                kind: Widget
                metadata: {name: w1}
                spec: {size: 3}
                ---
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: widgets%1$s.example.e2ekit.io}
                spec:
                  group: example.e2ekit.io
                  scope: Namespaced
                  names: {plural: widgets%1$s, singular: widget%1$s, kind: Widget, listKind: WidgetList}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
                """.formatted(run));
        Deployer.Result r = deploy("e2e-crd-" + run, Duration.ofSeconds(20), List.of(List.of(m)));
        assertThat(r.applied()).extracting(AppliedObject::kind).containsExactly("CustomResourceDefinition", "Widget");
        assertThat(teardown().failures()).isEmpty();
    }

    @Test
    void aRedeployIsJudgedOnlyByItsNewPodsNeverReadyFromTheOldOnes() throws Exception {
        String ns = "e2e-redeploy-" + run;
        Deployer.Result first = deploy(
                ns,
                Duration.ofSeconds(30),
                List.of(List.of(manifest("v1.yaml", deployment("web", "${e2e.image.app}", null)))));
        assertThat(first.fresh())
                .singleElement()
                .satisfies(f -> assertThat(f.pods()).isEqualTo(1));
        // the new template needs a ConfigMap nobody creates: the old pod stays ready, the rollout never finishes
        String needsConfig = deployment("web", "${e2e.image.app}", null)
                .replace(
                        "        image: ${e2e.image.app}\n",
                        "        image: ${e2e.image.app}\n        env: [{name: X, valueFrom: {configMapKeyRef: {name: absent,"
                                + " key: x}}}]\n");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> deploy(
                        ns,
                        Duration.ofSeconds(30),
                        List.of(List.of(manifest("v2.yaml", needsConfig))),
                        new HealPolicy(Duration.ofSeconds(2), 2)))
                .isInstanceOf(DeployException.class)
                .hasMessageContaining("CreateContainerConfigError")
                .hasMessageContaining("configmap \"absent\" not found")
                .hasMessageContaining("<deploy><healGrace>");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        // a third template that can start rolls out; the old pods are gone, the proof counts the new pod
        String v3 = deployment("web", "${e2e.image.app}", null)
                .replace(
                        "        image: ${e2e.image.app}\n",
                        "        image: ${e2e.image.app}\n        env: [{name: X, value: \"3\"}]\n");
        Deployer.Result third = deploy(ns, Duration.ofSeconds(30), List.of(List.of(manifest("v3.yaml", v3))));
        assertThat(third.fresh())
                .singleElement()
                .satisfies(f -> assertThat(f.pods()).isEqualTo(1));
        var pods = new CoreV1Api(bed.kubernetes().client())
                .listNamespacedPod(ns).labelSelector("app=web").execute().getItems().stream()
                        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                        .toList();
        assertThat(pods)
                .singleElement()
                .satisfies(p -> assertThat(p.getSpec().getContainers().get(0).getEnv())
                        .anySatisfy(e -> assertThat(e.getValue()).isEqualTo("3")));
        assertThat(teardown().failures()).isEmpty();
    }

    @Test
    void aFailingMigrationJobIsReportedWithItsExitCodeAndLogLongBeforeTheTimeout() throws Exception {
        Path m = manifest(
                "migrate.yaml",
                TestManifests.job(
                        "migrate",
                        "${e2e.image.app}",
                        "command: [\"/bin/busybox\", \"sh\", \"-c\", \"echo applying 001_init.sql; exit 3\"]"));
        org.junit.jupiter.api.Assumptions.assumeTrue(
                engine.kind() != io.github.e2ekit.e2e.image.EngineKind.PODMAN,
                "the test bed's process runtime does not see exec exits on Podman 4.3 yet");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> deploy("e2e-migrate-" + run, Duration.ofSeconds(60), List.of(List.of(m))))
                .isInstanceOf(DeployException.class)
                .hasMessageContaining("Job migrate will not complete")
                .hasMessageContaining("exited with code 3")
                .hasMessageContaining("applying 001_init.sql");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
        assertThat(teardown().failures()).isEmpty();
    }

    @Test
    void crashLoopFailsFastWithDiagnosticsOnDisk() throws Exception {
        bed.kubernetes().crashLoop(app.reference());
        Path m = manifest("app.yaml", deployment("crashy", "${e2e.image.app}", null));
        long start = System.nanoTime();
        String ns = "e2e-crash-" + run;
        assertThatThrownBy(() -> deploy(ns, Duration.ofMinutes(2), List.of(List.of(m))))
                .isInstanceOf(DeployException.class)
                .hasMessageContaining("CrashLoopBackOff")
                .hasMessageContaining(
                        "diagnostics: " + dir.resolve("diagnostics").resolve(ns));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        Path diag = dir.resolve("diagnostics").resolve(ns);
        assertThat(diag.resolve("events.txt")).exists();
        try (var pods = Files.list(diag.resolve("pods"))) {
            assertThat(pods.toList()).anyMatch(p -> p.getFileName().toString().startsWith("crashy-"));
        }
        assertThat(Files.readString(diag.resolve("workloads.yaml"))).contains("crashy");
        assertThat(teardown().failures()).isEmpty();
    }

    @Test
    void anImageNotLoadedIsReportedAsErrImageNeverPull() throws Exception {
        Path m = manifest("absent.yaml", deployment("absent", "localhost/deploytest/never-loaded:1", "Never"));
        assertThatThrownBy(() -> deploy("e2e-absent-" + run, Duration.ofSeconds(30), List.of(List.of(m))))
                .hasMessageContaining("ErrImageNeverPull")
                .hasMessageContaining("was 'load' run for it?");
        assertThat(teardown().failures()).isEmpty();
    }

    @Test
    void aTimeoutNamesTheWorkloadAndWritesDiagnostics() throws Exception {
        bed.kubernetes().readinessDelay(Duration.ofSeconds(30));
        Path m = manifest("slow.yaml", deployment("slow", "${e2e.image.app}", null));
        String ns = "e2e-slow-" + run;
        assertThatThrownBy(() -> deploy(ns, Duration.ofSeconds(2), List.of(List.of(m))))
                .hasMessageContaining("Deployment/slow")
                .hasMessageContaining("not ready after");
        assertThat(dir.resolve("diagnostics").resolve(ns).resolve("events.txt")).exists();
        assertThat(teardown().failures()).isEmpty();
    }

    @Test
    void aPodRunningAnotherImageIsStale() throws Exception {
        ImageBinding lying =
                new ImageBinding("app", app.repository(), app.reference(), app.digest(), "sha256:" + "0".repeat(64));
        Path m = manifest("stale.yaml", deployment("stale", "${e2e.image.app}", null));
        KubeApi api = KubeApi.connect(bed.kubeconfig());
        ManifestRenderer renderer = new ManifestRenderer(
                Map.of("e2e.image.app", shortReference), List.of(lying), run, "svc", "2030-01-01T00:00:00Z");
        assertThatThrownBy(() -> new Deployer(api, ledger, log::add)
                        .resolvingOn(nodeDigests())
                        .deploy(
                                new DeployPlan("e2e-stale-" + run, List.of(List.of(m)), Duration.ofSeconds(30)),
                                renderer,
                                List.of(lying),
                                Map.of(),
                                Map.of(),
                                dir.resolve("diagnostics")))
                .hasMessageContaining("STALE: pod stale-")
                .hasMessageContaining("(image " + app.imageId() + " on node "
                        + bed.nodes().nodes().get(0).name() + ")")
                .hasMessageContaining("this run built sha256:000");
        assertThat(teardown().failures()).isEmpty();
    }

    @Test
    void transientApiErrorsAreRetried() throws Exception {
        bed.kubernetes().failNextRequests("/apis/apps/v1/namespaces/", 500, 2);
        bed.kubernetes().failNextRequests("/api/v1/namespaces/e2e-retry-" + run + "/services", 429, 2);
        Path m = manifest("retry.yaml", deployment("retry", "${e2e.image.app}", null));
        deploy("e2e-retry-" + run, Duration.ofSeconds(30), List.of(List.of(m)));
        assertThat(teardown().failures()).isEmpty();
    }

    @Test
    void aPreExistingNamespaceAndItsOtherObjectsSurviveTeardown() throws Exception {
        CoreV1Api core = new CoreV1Api(bed.kubernetes().client());
        String ns = "shared-" + run;
        core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(ns)))
                .execute();
        core.createNamespacedConfigMap(ns, new V1ConfigMap().metadata(new V1ObjectMeta().name("unrelated")))
                .execute();
        Path m = manifest("shared.yaml", deployment("mine", "${e2e.image.app}", null));
        Deployer.Result r = deploy(ns, Duration.ofSeconds(30), List.of(List.of(m)));
        assertThat(r.namespaceCreated()).isFalse();
        TeardownReport report = teardown();
        assertThat(report.failures()).isEmpty();
        assertThat(core.readNamespace(ns).execute().getMetadata().getName()).isEqualTo(ns);
        assertThat(core.readNamespacedConfigMap("unrelated", ns).execute()).isNotNull();
        assertThat(core.listNamespacedService(ns).execute().getItems()).isEmpty();
        core.deleteNamespace(ns).execute();
    }

    @Test
    void badManifestsFailBeforeAnythingIsCreated() throws Exception {
        Path bad = manifest("bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: [\n");
        assertThatThrownBy(() -> deploy("e2e-bad-" + run, Duration.ofSeconds(5), List.of(List.of(bad))))
                .hasMessageContaining("invalid YAML in " + bad + " line");
        Path always = manifest("always.yaml", deployment("always", "${e2e.image.app}", "Always"));
        assertThatThrownBy(() -> deploy("e2e-bad-" + run, Duration.ofSeconds(5), List.of(List.of(always))))
                .hasMessageContaining("imagePullPolicy Always");
        Path unknown = manifest("unknown.yaml", deployment("u", "${e2e.image.nope}", null));
        assertThatThrownBy(() -> deploy("e2e-bad-" + run, Duration.ofSeconds(5), List.of(List.of(unknown))))
                .hasMessageContaining("no <image> with id 'nope'");
        List<ObjectEntry> objects = ledger.read(d -> d.objects);
        assertThat(objects).isEmpty();
    }

    @Test
    void aKustomizeOverlayAndAHelmChartDeployAsStagesWithThisRunsImage() throws Exception {
        Files.createDirectories(dir.resolve("overlay"));
        manifest("overlay/app.yaml", deployment("kweb", "deploytest-app:from-the-overlay", null));
        manifest("overlay/kustomization.yaml", "resources: [app.yaml]\nnamePrefix: k-\n");
        Files.createDirectories(dir.resolve("chart/templates"));
        manifest("chart/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n");
        manifest("chart/values.yaml", "image: {repository: deploytest-app, tag: chart-default}\n");
        manifest(
                "chart/templates/web.yaml",
                deployment(
                        "{{ .Release.Name }}-web", "\"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"", null));
        String ns = "e2e-svc-" + run;
        KubeApi api = KubeApi.connect(bed.kubeconfig());
        ManifestRenderer renderer = new ManifestRenderer(Map.of(), List.of(app), run, "svc", "2030-01-01T00:00:00Z")
                .withSources(new ManifestSources("/usr/bin/kubectl", "svc", ns, Map.of()));
        Deployer.Result r = new Deployer(api, ledger, log::add)
                .resolvingOn(nodeDigests())
                .deploy(
                        new DeployPlan(
                                ns,
                                List.of(List.of(dir.resolve("overlay")), List.of(dir.resolve("chart"))),
                                Duration.ofSeconds(30)),
                        renderer,
                        List.of(app),
                        Map.of(ManifestRenderer.RUN, run),
                        Map.of(),
                        dir.resolve("diagnostics"));
        assertThat(r.fresh())
                .singleElement()
                .satisfies(f -> assertThat(f.pods()).isEqualTo(2));
        var apps =
                new io.kubernetes.client.openapi.apis.AppsV1Api(bed.kubernetes().client());
        for (String name : List.of("k-kweb", "svc-web")) {
            var d = apps.readNamespacedDeployment(name, ns).execute();
            assertThat(d.getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getImage())
                    .isEqualTo(app.reference());
            assertThat(d.getMetadata().getLabels()).containsEntry(ManifestRenderer.RUN, run);
        }
        assertThat(teardown().failures()).isEmpty();
    }
}
