package io.github.e2ekit.e2e.testbed.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What a kubelet on containerd reports as a container's image and imageID, from the node's names of the image. */
class CriImageTest {
    private static final String CONFIG = "sha256:" + "c0".repeat(32);
    private static final String MANIFEST = "sha256:" + "7a".repeat(32);
    private static final String OTHER = "sha256:" + "1b".repeat(32);

    static Stream<Arguments> reported() {
        return Stream.of(
                // kind load / ctr images import --digests: the import name is the only repo digest
                Arguments.of(
                        "loaded with --digests",
                        List.of("docker.io/localhost/e2e/app:t1", "import-2026-12-02@" + MANIFEST, CONFIG),
                        "docker.io/localhost/e2e/app:t1",
                        "docker.io/library/import-2026-12-02@" + MANIFEST),
                Arguments.of(
                        "loaded, short tag normalised",
                        List.of("app:1", "import-2026-12-02@" + MANIFEST),
                        "docker.io/library/app:1",
                        "docker.io/library/import-2026-12-02@" + MANIFEST),
                // pulled: the registry's repo digest
                Arguments.of(
                        "pulled",
                        List.of("127.0.0.1:5000/e2e/app:t1", "127.0.0.1:5000/e2e/app@" + MANIFEST, CONFIG),
                        "127.0.0.1:5000/e2e/app:t1",
                        "127.0.0.1:5000/e2e/app@" + MANIFEST),
                // no digest name: the config digest
                Arguments.of("no digest name", List.of("localhost/x/y:tag", CONFIG), "localhost/x/y:tag", CONFIG),
                Arguments.of(
                        "tags sorted, first wins",
                        List.of("docker.io/library/zeta:1", "busybox:1", CONFIG),
                        "docker.io/library/busybox:1",
                        CONFIG),
                Arguments.of(
                        "digests sorted, first wins",
                        List.of("localhost/app:1", "import-2026-12-02@" + MANIFEST, "127.0.0.1:5000/app@" + OTHER),
                        "localhost/app:1",
                        "127.0.0.1:5000/app@" + OTHER),
                Arguments.of(
                        "name with tag and digest is a repo digest, ranked first",
                        List.of("docker.io/library/app:1@" + OTHER, "import-2026-12-02@" + MANIFEST, "app:2"),
                        "docker.io/library/app:2",
                        "docker.io/library/app:1@" + OTHER),
                Arguments.of(
                        "no tag: the image ID the container was created from",
                        List.of("import-2026-12-02@" + MANIFEST),
                        CONFIG,
                        "docker.io/library/import-2026-12-02@" + MANIFEST),
                Arguments.of(
                        "unparsable names are ignored",
                        List.of("Bad/Name:1", "localhost/ok:1"),
                        "localhost/ok:1",
                        CONFIG));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reported")
    void reportsTheFirstRepoTagAsImageAndTheFirstRepoDigestAsImageId(
            String why, List<String> names, String image, String imageId) {
        CriImage cri = CriImage.of(CONFIG, names);
        assertThat(cri.image()).isEqualTo(image);
        assertThat(cri.imageRef()).isEqualTo(imageId);
    }

    @Test
    void referencesAreSortedLikeDistributionReferenceSort() {
        assertThat(CriImage.sort(List.of(CONFIG, "b@" + MANIFEST, "a:1", "a", "a:1@" + MANIFEST, "Bad/X")))
                .containsExactly(
                        "docker.io/library/a:1@" + MANIFEST,
                        "docker.io/library/a:1",
                        "docker.io/library/b@" + MANIFEST,
                        "docker.io/library/a",
                        CONFIG,
                        "Bad/X");
    }
}
