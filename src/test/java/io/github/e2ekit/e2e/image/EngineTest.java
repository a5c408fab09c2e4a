package io.github.e2ekit.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The engine adapter's rules that need no engine (names on Podman that need a lookup are in ImageLoaderTest). */
class EngineTest {
    private final Engine docker =
            new Engine(null, EngineKind.DOCKER, "20.10.24", "1.41", EngineEndpoint.plain("unix:///d", "test"));
    private final Engine podman =
            new Engine(null, EngineKind.PODMAN, "4.3.1", "1.41", EngineEndpoint.plain("unix:///p", "test"));

    @Test
    void podmanBuildsNamesWithoutRegistryUnderLocalhost() {
        assertThat(podman.buildName(ImageReference.parse("app:1"))).isEqualTo("localhost/app:1");
        assertThat(podman.buildName(ImageReference.parse("team/app:1"))).isEqualTo("localhost/team/app:1");
        assertThat(podman.buildName(ImageReference.parse("localhost/app:1"))).isEqualTo("localhost/app:1");
        assertThat(podman.buildName(ImageReference.parse("docker.io/library/app:1")))
                .isEqualTo("docker.io/library/app:1");
        assertThat(podman.buildName(ImageReference.parse("quay.io/x/app:1"))).isEqualTo("quay.io/x/app:1");
        assertThat(podman.buildName(ImageReference.parse("reg:5000/app:1"))).isEqualTo("reg:5000/app:1");
        assertThat(podman.storedName(ImageReference.parse("quay.io/x/app:1"))).isEqualTo("quay.io/x/app:1");
        assertThat(podman.nodeName(ImageReference.parse("localhost/app:1"))).isEqualTo("localhost/app:1");
    }

    @Test
    void dockerKeepsNamesAsWritten() {
        assertThat(docker.buildName(ImageReference.parse("app:1"))).isEqualTo("app:1");
        assertThat(docker.storedName(ImageReference.parse("team/app:1"))).isEqualTo("team/app:1");
        assertThat(docker.nodeName(ImageReference.parse("app:1"))).isEqualTo("docker.io/library/app:1");
    }

    @Test
    void buildStepsAndRunFailuresReadTheSameOnBothEngines() {
        for (Engine e : new Engine[] {docker, podman}) {
            assertThat(e.buildStep("Step 3/4 : RUN x")).isEqualTo("Step 3/4 : RUN x");
            assertThat(e.buildStep("STEP 3/4: RUN [\"sh\", \"-c\", \"exit 3\"]"))
                    .isEqualTo("Step 3/4 : RUN [\"sh\", \"-c\", \"exit 3\"]");
            assertThat(e.buildStep("about to fail")).isNull();
            assertThat(e.isCacheHit(" ---> Using cache")).isTrue();
            assertThat(e.isCacheHit("--> Using cache 7c9b7c35abeef2560de3993b4be598bf5fca37fd2544b7646506db3fe09bab86"))
                    .isTrue();
            assertThat(e.isCacheHit("--> 7c9b7c35abe")).isFalse();
            assertThat(e.buildError("building at STEP \"RUN /bin/busybox sh -c echo x; exit 3\": while running runtime:"
                            + " exit status 3\n"))
                    .isEqualTo("The command '/bin/busybox sh -c echo x; exit 3' returned a non-zero code: 3");
            assertThat(e.buildError("The command '/bin/sh -c false' returned a non-zero code: 1"))
                    .isEqualTo("The command '/bin/sh -c false' returned a non-zero code: 1");
        }
    }

    @Test
    void imageIdsCompareWithOrWithoutPrefix() {
        assertThat(Engine.sameImageId("sha256:abcdef", "abcdef")).isTrue();
        assertThat(Engine.sameImageId("sha256:abcdef0123", "abcdef")).isTrue();
        assertThat(Engine.sameImageId("sha256:abc", "sha256:abd")).isFalse();
        assertThat(Engine.sameImageId(null, "abc")).isFalse();
        assertThat(Engine.sameImageId("sha256:", "sha256:abc")).isFalse();
    }

    @Test
    void theEngineLineNamesTheEngine() {
        assertThat(podman.describe()).isEqualTo("Podman 4.3.1 (API 1.41) at unix:///p");
    }
}
