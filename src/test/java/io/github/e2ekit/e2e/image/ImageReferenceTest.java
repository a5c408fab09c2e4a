package io.github.e2ekit.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {
    @ParameterizedTest
    @CsvSource({
        "busybox:1.36, docker.io/library/busybox:1.36",
        "team/app:t, docker.io/team/app:t",
        "localhost/team/app:t, localhost/team/app:t",
        "localhost:5000/app:t, localhost:5000/app:t",
        "docker.io/library/busybox:1, docker.io/library/busybox:1",
        "index.docker.io/team/app:x, docker.io/team/app:x",
        "postgres, docker.io/library/postgres:latest",
    })
    void normalisesLikeTheEngines(String in, String normalized) {
        assertThat(ImageReference.parse(in).normalized()).isEqualTo(normalized);
    }

    @ParameterizedTest
    @ValueSource(strings = {"team/UPPER", "app:", "app:-x", "a//b", "app@sha256:00", " "})
    void rejectsInvalidNames(String in) {
        assertThatThrownBy(() -> ImageReference.parse(in)).isInstanceOf(IllegalArgumentException.class);
    }

    @org.junit.jupiter.api.Test
    void isValidHoweverItIsMade() {
        assertThatThrownBy(() -> new ImageReference("team/UPPER", "t")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageReference("app", "-x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new ImageReference("app", null)).isEqualTo(ImageReference.parse("docker.io/library/app"));
    }

    @org.junit.jupiter.api.Test
    void rejectsATagLongerThan128() {
        assertThatThrownBy(() -> ImageReference.parse("app:" + "x".repeat(129)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ImageReference.parse("app:" + "x".repeat(128)).tag()).hasSize(128);
    }

    @ParameterizedTest
    @CsvSource({"busybox, docker.io/library/busybox", "library/busybox, busybox", "localhost/x, localhost/x"})
    void sameRepositoryIgnoresDefaults(String a, String b) {
        assertThat(ImageReference.sameRepository(a, b)).isTrue();
    }
}
