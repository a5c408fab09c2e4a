package io.github.e2ekit.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImportFailureTest {
    @Test
    void missingContentIsExplainedAsTheContainerdImageStoreProblem() {
        String ctr = "unpacking docker.io/library/app:t (sha256:ab12)...\n" + "ctr: content digest sha256:"
                + "4f".repeat(32) + ": not found\n";
        String text = ImageLoader.importFailure(new ExecResult(1, "", ctr));
        assertThat(text)
                .startsWith("ctr import failed (exit 1): ctr: content digest sha256:4f4f")
                .contains("kind#3795")
                .contains("one platform only")
                .doesNotContain("\n");
    }

    @Test
    void otherFailuresShowCtrsLastLineOnly() {
        String text = ImageLoader.importFailure(new ExecResult(1, "", "first\nctr: failed to unpack: bad layer\n"));
        assertThat(text).isEqualTo("ctr import failed (exit 1): ctr: failed to unpack: bad layer");
    }

    @Test
    void aFullDiskIsNamedWithWhereTheSpaceIsAndWhatToDo() {
        String text = ImageLoader.importFailure(
                new ExecResult(1, "", "first\nctr: failed to ingest: no space left on device\n"));
        assertThat(text)
                .startsWith("ctr import failed (exit 1): ctr: failed to ingest: no space left on device — ")
                .contains("/var/lib/containerd")
                .contains("free space there")
                .doesNotContain("\n");
    }
}
