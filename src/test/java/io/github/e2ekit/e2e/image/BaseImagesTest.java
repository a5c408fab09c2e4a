package io.github.e2ekit.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** FROM lines read as the builder reads them: stages, scratch, ARG defaults, build args, --platform. */
class BaseImagesTest {
    @Test
    void baseImagesAreTheFromLinesThatAreNeitherScratchNorEarlierStages() {
        String dockerfile = """
                ARG JDK=17
                ARG UNKNOWN
                FROM --platform=$BUILDPLATFORM eclipse-temurin:${JDK}-jdk AS build
                RUN echo hi
                FROM build AS test
                FROM scratch
                FROM gcr.io/distroless/java${JDK}:nonroot
                FROM ${UNKNOWN}/x
                COPY --from=build /a /a
                """;
        assertThat(BaseImages.of(dockerfile, Map.of()))
                .containsExactly("eclipse-temurin:17-jdk", "gcr.io/distroless/java17:nonroot");
        assertThat(BaseImages.of(dockerfile, Map.of("JDK", "21")))
                .containsExactly("eclipse-temurin:21-jdk", "gcr.io/distroless/java21:nonroot");
    }

    @Test
    void aBuildFromScratchNeedsNoBaseImage() {
        assertThat(BaseImages.of("FROM scratch\nCOPY a /a\n", Map.of())).isEmpty();
    }
}
