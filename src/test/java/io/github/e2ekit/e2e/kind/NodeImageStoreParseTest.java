package io.github.e2ekit.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The combined read of a node's names and content store, as ctr prints them. */
class NodeImageStoreParseTest {
    private static final String A = "sha256:" + "aa".repeat(32);
    private static final String B = "sha256:" + "bb".repeat(32);
    private static final String IMAGES = """
            REF                               TYPE                                                 DIGEST  SIZE    PLATFORMS   LABELS
            docker.io/library/app:t1          application/vnd.docker.distribution.manifest.v2+json %s 2.0 MiB linux/amd64 -
            """.formatted(A);
    private static final String CONTENT = """
            DIGEST  SIZE    AGE     LABELS
            %s 1.9MB 2 minutes containerd.io/gc.ref.content.l.0=x,containerd.io/uncompressed=%s
            %s 528B  2 minutes containerd.io/gc.ref.content.config=y
            """.formatted(A, B, B);

    @Test
    void aWholeReadSplitsIntoBothLists() {
        String[] parts = NodeImageStore.split(IMAGES + "--e2e-content--\n" + CONTENT + "--e2e-end--\n");
        assertThat(parts).containsExactly(IMAGES, CONTENT);
        assertThat(NodeImageStore.parseList(parts[0]))
                .containsExactly(new NodeImageStore.NodeImage("docker.io/library/app:t1", A));
        assertThat(NodeImageStore.parseBlobs(parts[1]))
                .containsEntry(A, B)
                .containsEntry(B, B)
                .hasSize(2);
    }

    @Test
    void aReadCutOffOrWithoutItsSeparatorIsNotTrusted() {
        assertThat(NodeImageStore.split(IMAGES + "--e2e-content--\n" + CONTENT.substring(0, 60)))
                .isNull();
        assertThat(NodeImageStore.split(IMAGES + "--e2e-content--\n" + CONTENT)).isNull();
        assertThat(NodeImageStore.split(IMAGES + CONTENT + "--e2e-end--\n")).isNull();
        assertThat(NodeImageStore.split("sh: ctr: not found\n")).isNull();
    }
}
