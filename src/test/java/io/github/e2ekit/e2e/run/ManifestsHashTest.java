package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.deploy.DeployPlan;
import io.github.e2ekit.e2e.deploy.ImageBinding;
import io.github.e2ekit.e2e.deploy.ManifestRenderer;
import io.github.e2ekit.e2e.deploy.TestManifests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestsHashTest {
    @TempDir
    Path dir;

    private String hash(String mode, String run, String expires, ImageBinding app) throws Exception {
        Path m = dir.resolve("app.yaml");
        Files.writeString(
                m, TestManifests.deployment("app", "localhost/app:old", "env: [{name: MODE, value: " + mode + "}]"));
        DeployPlan plan = new DeployPlan("ns", List.of(List.of(m)), Duration.ofMinutes(1));
        ManifestRenderer renderer = new ManifestRenderer(Map.of(), List.of(app), run, "svc", expires);
        return ManifestsHash.of(plan, renderer, List.of(app), run, expires);
    }

    private static ImageBinding app(String tag, String digest, String imageId) {
        return new ImageBinding("app", "localhost/app", "localhost/app:" + tag, digest, imageId);
    }

    @Test
    void aNewRunExpiryOrImageLeavesTheHashAlone() throws Exception {
        String first = hash("a", "r1", "2030-01-01T00:00:00Z", app("svc-aa", "aa".repeat(32), "sha256:1"));
        String second = hash("a", "r2", "2030-01-01T02:00:00Z", app("svc-bb", "bb".repeat(32), "sha256:2"));
        assertThat(second).isEqualTo(first);
    }

    @Test
    void aChangedManifestChangesTheHash() throws Exception {
        ImageBinding app = app("svc-aa", "aa".repeat(32), "sha256:1");
        assertThat(hash("b", "r1", "2030-01-01T00:00:00Z", app))
                .isNotEqualTo(hash("a", "r1", "2030-01-01T00:00:00Z", app));
    }
}
