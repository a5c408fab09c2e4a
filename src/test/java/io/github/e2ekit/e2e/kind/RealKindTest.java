package io.github.e2ekit.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.deploy.DeployPlan;
import io.github.e2ekit.e2e.deploy.Deployer;
import io.github.e2ekit.e2e.deploy.ImageBinding;
import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.deploy.ManifestRenderer;
import io.github.e2ekit.e2e.deploy.TestManifests;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.run.KindNodeDigests;
import io.github.e2ekit.e2e.testbed.TestEngine;
import io.github.e2ekit.e2e.testbed.TestImages;
import io.github.e2ekit.e2e.work.SharedWork;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a REAL kind cluster: create, load, deploy with the freshness proof, delete. Runs only
 * where the {@code kind} executable is on PATH (never on the test bed machines), and says so loudly.
 */
class RealKindTest {
    @TempDir
    Path dir;

    static boolean kindInstalled() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String p : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(p, "kind"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theWholeLifecycleOnARealKindCluster() throws Exception {
        if (!kindInstalled()) {
            String reason = "REAL KIND TEST NOT RUN: no 'kind' executable on PATH (the test bed covers the same"
                    + " paths; install kind to run this one)";
            System.err.println("SKIPPED — " + reason);
            Assumptions.abort(reason);
        }
        Engine engine = TestEngine.require();
        String cluster = "e2e-realkind-" + ProcessHandle.current().pid();
        Path kubeconfig = dir.resolve("kubeconfig");
        KindCli kind = new KindCli("kind", engine.kind());
        try (TestImages images = new TestImages(engine)) {
            KindClusters.Ensured ensured = new KindClusters(engine, kind, new SharedWork(dir.resolve("locks")), h -> {})
                    .ensure(cluster, KindClusters.Create.IF_MISSING, null, null, kubeconfig);
            assertThat(ensured.created()).isTrue();
            ImageReference ref = ImageReference.parse("localhost/realkind/app:" + images.run());
            String id = images.busybox(ref.toString(), "real");
            Ledger ledger = Ledger.start(dir.resolve("ledger.json"), images.run(), "realkind");
            LoadResult loaded = new ImageLoader(engine, ledger, cluster).load(ensured.nodes(), ref, id);
            assertThat(loaded.count(NodeLoad.Action.IMPORTED))
                    .isEqualTo(ensured.nodes().size());
            Path manifest = dir.resolve("app.yaml");
            Files.writeString(
                    manifest,
                    TestManifests.deployment(
                            "app", "${e2e.image.app}", "command: [\"/bin/busybox\", \"sleep\", \"3600\"]"));
            ImageBinding binding = new ImageBinding("app", ref.repository(), ref.toString(), "cd".repeat(32), id);
            // real kind reports docker.io/library/import-<date>@sha256:<manifest>: resolved on the nodes
            Deployer.Result r = new Deployer(KubeApi.connect(kubeconfig), ledger, System.out::println)
                    .resolvingOn(new KindNodeDigests(engine, cluster, ensured.nodes()))
                    .deploy(
                            new DeployPlan("e2e-realkind", List.of(List.of(manifest)), Duration.ofMinutes(3)),
                            new ManifestRenderer(
                                    Map.of("e2e.image.app", ref.toString()),
                                    List.of(binding),
                                    images.run(),
                                    "realkind",
                                    "2100-01-01T00:00:00Z"),
                            List.of(binding),
                            Map.of(),
                            Map.of(),
                            dir.resolve("diagnostics"));
            assertThat(r.fresh())
                    .singleElement()
                    .satisfies(f -> assertThat(f.pods()).isEqualTo(1));
        } finally {
            kind.delete(cluster, kubeconfig);
        }
    }
}
