package io.github.e2ekit.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engines' words for an unparsable Dockerfile, as measured on Docker 20.10 and Podman 4.3 (POST /build). */
class DockerfileSyntaxTest {
    @TempDir
    Path dir;

    Path dockerfile;

    @BeforeEach
    void write() throws IOException {
        dockerfile = Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\nFORM x\n");
    }

    @Test
    void dockersClassicBuilderAnswer400IsOneLineWithFileAndLine() {
        String raw = "Status 400: {\"message\":\"dockerfile parse error line 2: unknown instruction: FORM\"}\n";
        String message = DockerfileSyntax.engineMessage(raw);
        assertThat(message).isEqualTo("dockerfile parse error line 2: unknown instruction: FORM");
        assertThat(DockerfileSyntax.describe(dockerfile, message))
                .hasValue("Dockerfile " + dockerfile + " line 2: unknown instruction: FORM");
    }

    @Test
    void buildKitsFrontendErrorIsOneLineWithFileAndLine() {
        assertThat(DockerfileSyntax.describe(
                        dockerfile,
                        "ERROR: failed to solve: dockerfile parse error on line 2:"
                                + " unknown instruction: FORM (did you mean from?)"))
                .hasValue("Dockerfile " + dockerfile + " line 2: unknown instruction: FORM (did you mean from?)");
        assertThat(DockerfileSyntax.describe(
                        dockerfile,
                        "failed to solve with frontend dockerfile.v0: failed to create"
                                + " LLB definition: dockerfile parse error line 2: unknown instruction: FORM"))
                .hasValue("Dockerfile " + dockerfile + " line 2: unknown instruction: FORM");
    }

    @Test
    void podmansImagebuilderErrorFindsTheLineByItsText() {
        String podman = "building at STEP \"FORM \": Build error: Unknown instruction: \"FORM\" &imagebuilder.Step{"
                + "Env:[]string{\"PATH=/usr/bin\"}, Command:\"form\", Args:[]string{\"\"}, Flags:[]string{},"
                + " Attrs:map[string]bool(nil), Message:\"FORM \", Original:\"FORM x\"}";
        assertThat(DockerfileSyntax.describe(dockerfile, podman))
                .hasValue("Dockerfile " + dockerfile + " line 2: unknown instruction: \"FORM\"");
    }

    @Test
    void otherFailuresAreLeftAlone() {
        assertThat(DockerfileSyntax.describe(dockerfile, "The command '/bin/sh -c false' returned a non-zero code: 1"))
                .isEmpty();
        assertThat(DockerfileSyntax.engineMessage("Status 500: not json")).isEqualTo("not json");
    }
}
