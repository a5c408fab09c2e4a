package io.github.e2ekit.e2e.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.ImageLoader;
import io.github.e2ekit.e2e.kind.NodeImageStore;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test bed end to end: an image loaded into real containerd is what the simulated kubelet runs. */
class TestBedTest {
    @TempDir
    Path dir;

    @Test
    void deploymentOfALoadedImageBecomesAvailableReportingItsImportDigestAndAnAbsentImageNeverPulls() throws Exception {
        Engine engine = TestEngine.require();
        String cluster = "bed-" + ProcessHandle.current().pid();
        try (TestBed bed = TestBed.start(engine, cluster, 1, dir.resolve("kubeconfig"));
                TestImages images = new TestImages(engine)) {
            ImageReference ref = ImageReference.parse("localhost/testbed/web:" + images.run());
            String id = images.busybox(ref.toString(), "web");
            new ImageLoader(engine, Ledger.start(dir.resolve("ledger.json"), "r", "s"), bed.clusterName())
                    .load(bed.nodes().nodes(), ref, id);

            var client = bed.kubernetes().client();
            CoreV1Api core = new CoreV1Api(client);
            AppsV1Api apps = new AppsV1Api(client);
            core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("bed")))
                    .execute();
            apps.createNamespacedDeployment("bed", deployment("web", ref.toString(), "IfNotPresent"))
                    .execute();
            apps.createNamespacedDeployment("bed", deployment("absent", ref.repository() + ":not-loaded", "Never"))
                    .execute();

            V1Deployment web = await(() -> {
                V1Deployment d = read(apps, "web");
                return d.getStatus() != null && Objects.equals(d.getStatus().getAvailableReplicas(), 1) ? d : null;
            });
            assertThat(web.getStatus().getReadyReplicas()).isEqualTo(1);
            V1ContainerStatus status = await(() -> containerStatus(core, "web"));
            // as containerd's CRI reports it (testbed/kube/CriImage): the repo digest ctr import --digests added
            String manifest = new NodeImageStore(engine, bed.nodes().nodes().get(0))
                    .list().stream()
                            .filter(i -> i.reference().equals(engine.nodeName(ref)))
                            .findFirst()
                            .orElseThrow()
                            .manifestDigest();
            assertThat(status.getImageID()).matches("docker\\.io/library/import-\\d{4}-\\d{2}-\\d{2}@" + manifest);
            assertThat(status.getImage()).isEqualTo(engine.nodeName(ref));
            assertThat(manifest).isNotEqualTo(id);

            V1ContainerStatus absent = await(() -> {
                V1ContainerStatus s = containerStatus(core, "absent");
                return s != null && s.getState() != null && s.getState().getWaiting() != null ? s : null;
            });
            assertThat(absent.getState().getWaiting().getReason()).isEqualTo("ErrImageNeverPull");
            Thread.sleep(500);
            V1Deployment stillAbsent = read(apps, "absent");
            assertThat(
                            stillAbsent.getStatus() == null
                                    ? null
                                    : stillAbsent.getStatus().getAvailableReplicas())
                    .isIn(null, 0);
        }
        assertThat(KindLikeCluster.nodeContainers(engine, cluster)).isEmpty();
    }

    private static V1Deployment read(AppsV1Api apps, String name) throws Exception {
        return apps.readNamespacedDeployment(name, "bed").execute();
    }

    private static V1ContainerStatus containerStatus(CoreV1Api core, String app) throws Exception {
        List<V1Pod> pods = core.listNamespacedPod("bed")
                .labelSelector("app=" + app)
                .execute()
                .getItems();
        if (pods.isEmpty()
                || pods.get(0).getStatus() == null
                || pods.get(0).getStatus().getContainerStatuses() == null
                || pods.get(0).getStatus().getContainerStatuses().isEmpty()) {
            return null;
        }
        return pods.get(0).getStatus().getContainerStatuses().get(0);
    }

    private static <T> T await(Eventually.Probe<T> probe) throws Exception {
        return Eventually.await(Duration.ofSeconds(15), () -> "condition not reached within 15 s", probe);
    }

    private static V1Deployment deployment(String name, String image, String policy) {
        Map<String, String> labels = Map.of("app", name);
        return new V1Deployment()
                .metadata(new V1ObjectMeta().name(name))
                .spec(new V1DeploymentSpec()
                        .replicas(1)
                        .selector(new V1LabelSelector().matchLabels(labels))
                        .template(new V1PodTemplateSpec()
                                .metadata(new V1ObjectMeta().labels(labels))
                                .spec(new V1PodSpec()
                                        .containers(List.of(new V1Container()
                                                .name(name)
                                                .image(image)
                                                .imagePullPolicy(policy))))));
    }
}
