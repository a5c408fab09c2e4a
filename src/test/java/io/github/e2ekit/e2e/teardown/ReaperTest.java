package io.github.e2ekit.e2e.teardown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.deploy.ManifestRenderer;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageLabels;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.ImageLoader;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.testbed.TestBed;
import io.github.e2ekit.e2e.testbed.TestEngine;
import io.github.e2ekit.e2e.testbed.TestImages;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a run killed with kill -9 left behind is reaped after its TTL; nothing unlabelled is touched. */
class ReaperTest {
    @TempDir
    Path dir;

    @Test
    void expiredLeftoversAreReapedAndEverythingElseSurvives() throws Exception {
        Engine engine = TestEngine.require();
        String past = Instant.now().minusSeconds(60).toString();
        String future = Instant.now().plusSeconds(3600).toString();
        try (TestBed bed =
                        TestBed.start(engine, "reap-" + ProcessHandle.current().pid(), 0, dir.resolve("kubeconfig"));
                TestImages images = new TestImages(engine)) {
            ImageReference expired = ImageReference.parse("localhost/reap/expired:" + images.run());
            ImageReference alive = ImageReference.parse("localhost/reap/alive:" + images.run());
            ImageReference foreign = ImageReference.parse("localhost/reap/foreign:" + images.run());
            String expiredId =
                    images.build(expired.toString(), Map.of("m", "1"), "LABEL " + ImageLabels.EXPIRES + "=" + past);
            String aliveId =
                    images.build(alive.toString(), Map.of("m", "2"), "LABEL " + ImageLabels.EXPIRES + "=" + future);
            String foreignId = images.build(foreign.toString(), Map.of("m", "3"), "");
            Ledger ledger = Ledger.start(dir.resolve("ledger.json"), "r", "s");
            new ImageLoader(engine, ledger, bed.clusterName())
                    .withNodeLabels(Map.of(ImageLabels.EXPIRES, past))
                    .load(bed.nodes().nodes(), expired, expiredId);
            new ImageLoader(engine, ledger, bed.clusterName())
                    .withNodeLabels(Map.of(ImageLabels.EXPIRES, future))
                    .load(bed.nodes().nodes(), alive, aliveId);
            new ImageLoader(engine, ledger, bed.clusterName()).load(bed.nodes().nodes(), foreign, foreignId);

            CoreV1Api core = new CoreV1Api(bed.kubernetes().client());
            Map<String, String> ours = Map.of(ManifestRenderer.MANAGED_BY, ManifestRenderer.MANAGER);
            core.createNamespace(ns("e2e-dead-run", ours, past)).execute();
            core.createNamespace(ns("e2e-live-run", ours, future)).execute();
            core.createNamespace(ns("someone-elses", Map.of(), past)).execute();

            KubeApi kube = KubeApi.connect(bed.kubeconfig());
            TeardownReport dry = new Reaper(engine, kube, Instant.now()).reap(bed.clusterName(), true);
            // the engine is shared: another run's expired leftovers may be listed too; judge this test's own
            assertThat(dry.removed().stream().filter(r -> r.startsWith("namespace ") || r.contains(images.run())))
                    .containsExactlyInAnyOrder(
                            "namespace e2e-dead-run",
                            "node image " + expired + " in " + bed.clusterName() + "-control-plane",
                            "image " + expired);
            assertThat(engine.client()
                            .listImagesCmd()
                            .withReferenceFilter(expired.toString())
                            .exec())
                    .hasSize(1);

            TeardownReport real = new Reaper(engine, kube, Instant.now()).reap(bed.clusterName(), false);
            assertThat(real.removed())
                    .containsAll(dry.removed().stream()
                            .filter(r -> r.contains(images.run()))
                            .toList());
            assertThat(real.failures()).isEmpty();
            assertThat(engine.client()
                            .listImagesCmd()
                            .withReferenceFilter(expired.toString())
                            .exec())
                    .isEmpty();
            assertThat(engine.client()
                            .listImagesCmd()
                            .withReferenceFilter(alive.toString())
                            .exec())
                    .hasSize(1);
            assertThat(engine.client()
                            .listImagesCmd()
                            .withReferenceFilter(foreign.toString())
                            .exec())
                    .hasSize(1);
            List<String> nodeRefs = bed.nodes().imageRefs(bed.nodes().nodes().get(0));
            assertThat(nodeRefs).doesNotContain(expired.toString()).contains(alive.toString(), foreign.toString());
            List<String> namespaces = core.listNamespace().execute().getItems().stream()
                    .map(n -> n.getMetadata().getName())
                    .toList();
            assertThat(namespaces).doesNotContain("e2e-dead-run").contains("e2e-live-run", "someone-elses");
        }
    }

    private static V1Namespace ns(String name, Map<String, String> labels, String expires) {
        return new V1Namespace()
                .metadata(new V1ObjectMeta()
                        .name(name)
                        .labels(labels)
                        .annotations(Map.of(ManifestRenderer.EXPIRES, expires)));
    }
}
