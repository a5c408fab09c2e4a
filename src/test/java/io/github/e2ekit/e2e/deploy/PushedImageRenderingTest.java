package io.github.e2ekit.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateRunning;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** load.mode=registry: manifests get the pinned registry name, pull policies fit a pulled image, freshness accepts repo digests. */
class PushedImageRenderingTest {
    private static final String DIGEST = "sha256:" + "d1".repeat(32);
    private static final String IMAGE_ID = "sha256:" + "0c".repeat(32);
    private static final ImageBinding PUSHED = new ImageBinding(
            "app", "e2e/app", "127.0.0.1:5000/e2e/app:t1@" + DIGEST, "ab".repeat(32), IMAGE_ID, DIGEST);

    @TempDir
    Path dir;

    private Map<String, Object> container(String policy) throws Exception {
        Path p = dir.resolve("d.yaml");
        Files.writeString(p, DeployerTest.deployment("app", "${e2e.image.app}", policy));
        List<Manifest> out = new ManifestRenderer(
                        Map.of("e2e.image.app", "e2e/app:t1"), List.of(PUSHED), "run1", "svc", "2026-01-01T00:00:00Z")
                .render(List.of(p));
        Map<String, Object> template = ManifestRenderer.podTemplate(out.get(0));
        return Manifest.list(Manifest.mapOrNull(template, "spec"), "containers").get(0);
    }

    @Test
    void manifestsNameThePinnedRegistryReference() throws Exception {
        Map<String, Object> c = container(null);
        assertThat(c.get("image")).isEqualTo("127.0.0.1:5000/e2e/app:t1@" + DIGEST);
        assertThat(c.get("imagePullPolicy")).isEqualTo("IfNotPresent");
        assertThat(container("Always").get("imagePullPolicy")).isEqualTo("Always"); // allowed: it can be pulled
    }

    @Test
    void neverCannotWorkForAPushedImage() {
        assertThatThrownBy(() -> container("Never"))
                .isInstanceOf(DeployException.class)
                .hasMessageContaining("imagePullPolicy Never, but image 'app' was pushed to a registry");
    }

    private static V1Pod pod(String name, String reportedImage, String reportedId) {
        return new V1Pod()
                .metadata(new V1ObjectMeta().name(name))
                .spec(new V1PodSpec()
                        .containers(List.of(new V1Container().name("main").image(PUSHED.reference()))))
                .status(new V1PodStatus()
                        .containerStatuses(List.of(new V1ContainerStatus()
                                .name("main")
                                .image(reportedImage)
                                .imageID(reportedId)
                                .state(new V1ContainerState().running(new V1ContainerStateRunning())))));
    }

    @Test
    void podsAreJudgedByTheImageTheirSpecNamesWhateverTheKubeletReports() {
        String repo = "127.0.0.1:5000/e2e/app";
        List<FreshnessCheck.Fresh> fresh = FreshnessCheck.check(
                List.of(
                        pod("by-digest", repo + "@" + DIGEST, repo + "@" + DIGEST),
                        pod("by-tag", repo + ":t1", "docker-pullable://" + repo + "@" + DIGEST),
                        pod("by-id", IMAGE_ID, IMAGE_ID)),
                List.of(PUSHED));
        assertThat(fresh).singleElement().satisfies(f -> assertThat(f.pods()).isEqualTo(3));

        String other = "sha256:" + "ee".repeat(32);
        assertThatThrownBy(() -> FreshnessCheck.check(
                        List.of(pod("stale", repo + "@" + other, repo + "@" + other)), List.of(PUSHED)))
                .isInstanceOf(DeployException.class)
                .hasMessageStartingWith("STALE: pod stale runs " + repo + "@" + other);
    }

    @Test
    void freshnessMatchesWhatAKubeletReportsForAPulledImage() {
        assertThat(FreshnessCheck.sameImage("127.0.0.1:5000/e2e/app:t1", PUSHED.reference()))
                .isTrue();
        assertThat(FreshnessCheck.sameImage("127.0.0.1:5000/e2e/app@" + DIGEST, PUSHED.reference()))
                .isTrue();
        assertThat(FreshnessCheck.sameImage("127.0.0.1:5000/e2e/app@sha256:" + "ee".repeat(32), PUSHED.reference()))
                .isFalse();
        assertThat(FreshnessCheck.sameImage("127.0.0.1:5000/e2e/app:t2", PUSHED.reference()))
                .isFalse();
        // containerd reports the manifest digest it pulled; the engine's image ID also counts
        assertThat(FreshnessCheck.matches("127.0.0.1:5000/e2e/app@" + DIGEST, PUSHED.pushedDigest()))
                .isTrue();
        assertThat(FreshnessCheck.matches("sha256:" + "0c".repeat(32), PUSHED.imageId()))
                .isTrue();
        assertThat(FreshnessCheck.matches("127.0.0.1:5000/e2e/app@sha256:" + "ee".repeat(32), PUSHED.pushedDigest()))
                .isFalse();
    }
}
