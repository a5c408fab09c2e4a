package io.github.e2ekit.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.testbed.kube.FakeKubernetes;
import io.github.e2ekit.e2e.testbed.kube.InMemoryNodeImages;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.util.PatchUtils;
import io.kubernetes.client.util.Yaml;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The readiness wait against the test bed's controllers (in-memory kubelet): revisions, heal grace. */
class ReadinessWaitTest {
    private static final String APP = "localhost/e2e/app:1";
    private static final String APP2 = "localhost/e2e/app:2";
    private static FakeKubernetes kube;
    private static KubeApi api;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        kube = new FakeKubernetes(new InMemoryNodeImages("kind-control-plane")
                .load(APP, "sha256:" + "a".repeat(64))
                .load(APP2, "sha256:" + "b".repeat(64)));
        api = KubeApi.connect(kube.writeKubeconfig(dir.resolve("kubeconfig"), "rw"));
    }

    @AfterAll
    static void stop() {
        kube.close();
    }

    private static String namespace(String prefix) throws Exception {
        String ns = prefix + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
        new CoreV1Api(kube.client())
                .createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(ns)))
                .execute();
        return ns;
    }

    private static AppliedObject create(String ns, String name, String image) throws Exception {
        V1Deployment d = Yaml.loadAs(TestManifests.deployment(name, image), V1Deployment.class);
        d.getSpec().replicas(2);
        V1Deployment created =
                new AppsV1Api(kube.client()).createNamespacedDeployment(ns, d).execute();
        return new AppliedObject(
                "apps/v1",
                "Deployment",
                ns,
                name,
                created.getMetadata().getUid(),
                true,
                new Manifest(
                        new java.util.LinkedHashMap<>(Map.of("apiVersion", "apps/v1", "kind", "Deployment")), "test"));
    }

    private static void patch(String ns, String name, String json) throws Exception {
        PatchUtils.patch(
                V1Deployment.class,
                () -> new AppsV1Api(kube.client())
                        .patchNamespacedDeployment(name, ns, new V1Patch(json))
                        .buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
                kube.client());
    }

    @Test
    void aRedeployWhoseNewPodsCannotStartFailsOnThemThoughOldPodsAreReady() throws Exception {
        String ns = namespace("rw-cfg");
        AppliedObject web = create(ns, "web", APP);
        new ReadinessWait(api, l -> {}).await(List.of(web), Duration.ofSeconds(10));
        patch(
                ns,
                "web",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"" + APP2
                        + "\",\"env\":[{\"name\":\"X\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"absent\",\"key\":\"x\"}}}]}]}}}}");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> new ReadinessWait(api, l -> {}, new HealPolicy(Duration.ofSeconds(1), 2))
                        .await(List.of(web), Duration.ofSeconds(20)))
                .isInstanceOfSatisfying(
                        NotReadyException.class, e -> assertThat(e.reason()).isEqualTo("CreateContainerConfigError"))
                .hasMessageContaining("CreateContainerConfigError")
                .hasMessageContaining("configmap \"absent\" not found");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(8));
    }

    @Test
    void aRedeployIsNotReadyUntilTheOldPodsAreGone() throws Exception {
        String ns = namespace("rw-roll");
        AppliedObject web = create(ns, "web", APP);
        new ReadinessWait(api, l -> {}).await(List.of(web), Duration.ofSeconds(10));
        kube.readinessDelay(Duration.ofMillis(500));
        try {
            patch(
                    ns,
                    "web",
                    "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"" + APP2
                            + "\"}]}}}}");
            new ReadinessWait(api, l -> {}).await(List.of(web), Duration.ofSeconds(20));
            var pods = new CoreV1Api(kube.client())
                    .listNamespacedPod(ns).execute().getItems().stream()
                            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                            .toList();
            assertThat(pods)
                    .hasSize(2)
                    .allSatisfy(
                            p -> assertThat(p.getSpec().getContainers().get(0).getImage())
                                    .isEqualTo(APP2));
        } finally {
            kube.clearFaults();
        }
    }
}
