package io.github.e2ekit.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The parser's rules follow moby/buildkit frontend/dockerfile/parser/parser.go (directives, escape, heredocs). */
class DockerfileFeaturesTest {
    @Test
    void aClassicDockerfileNeedsNothing() {
        DockerfileFeatures f = DockerfileFeatures.parse("""
                # a comment, not a directive: it ends the directives
                # syntax=docker/dockerfile:1
                FROM scratch AS base
                COPY --from=base --chown=1:1 a /a
                RUN echo "a <<b is not a heredoc in exec form" && true
                RUN ["/bin/sh", "-c", "cat <<EOF"]
                """);
        assertThat(f.needsBuildKit()).as(f.describe()).isFalse();
        assertThat(f.syntax()).isNull();
    }

    @Test
    void buildKitFlagsHeredocsAndTheSyntaxDirectiveAreFoundWithTheirLines() {
        DockerfileFeatures f = DockerfileFeatures.parse("""
                # syntax = docker/dockerfile:1.4
                FROM scratch
                COPY --link busybox /bin/busybox
                RUN --mount=type=cache,target=/root/.m2 \\
                    # a comment inside the continuation
                    --mount=type=secret,id=maven-settings,target=/root/.m2/settings.xml \\
                    mvn -B package
                RUN <<EOT /bin/sh
                COPY --link is only text inside a heredoc
                EOT
                COPY --chmod=755 a /a
                RUN --mount=type=secret,target=/run/secrets/npmrc cat /run/secrets/npmrc
                """);
        assertThat(f.syntax()).isEqualTo("docker/dockerfile:1.4");
        assertThat(f.syntaxLine()).isEqualTo(1);
        assertThat(f.buildKitOnly())
                .containsExactly(
                        "COPY --link (line 3)",
                        "RUN --mount=type=cache (line 4)",
                        "RUN --mount=type=secret (line 4)",
                        "RUN heredoc <<EOT (line 8)",
                        "COPY --chmod (line 11)",
                        "RUN --mount=type=secret (line 12)");
        assertThat(f.secretIds()).containsExactlyInAnyOrder("maven-settings", "npmrc");
        assertThat(f.needsBuildKit()).isTrue();
    }

    @Test
    void theEscapeDirectiveChangesTheContinuationCharacter() {
        DockerfileFeatures f =
                DockerfileFeatures.parse("# escape=`\nFROM scratch\nRUN echo a `\n  --mount=type=cache,target=/c\n");
        // `--mount` after the command is not a flag of RUN
        assertThat(f.buildKitOnly()).isEmpty();
        DockerfileFeatures g =
                DockerfileFeatures.parse("# escape=`\nFROM scratch\nRUN `\n  --mount=type=cache,target=/c echo\n");
        assertThat(g.buildKitOnly()).containsExactly("RUN --mount=type=cache (line 3)");
    }
}
