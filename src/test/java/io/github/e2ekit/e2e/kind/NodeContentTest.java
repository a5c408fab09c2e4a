package io.github.e2ekit.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading which config a manifest or index digest names in a node's content store. */
class NodeContentTest {
    private static final String CONFIG = "sha256:" + "c0".repeat(32);
    private static final String AMD64 = "sha256:" + "a6".repeat(32);
    private static final String ARM64 = "sha256:" + "a8".repeat(32);
    private static final String ATTESTATION = "sha256:" + "a7".repeat(32);
    private static final String MANIFEST = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
             "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"%s","size":1},
             "layers":[]}""".formatted(CONFIG);
    private static final String INDEX = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
             {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,
              "platform":{"architecture":"unknown","os":"unknown"}},
             {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,
              "platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
             {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,
              "platform":{"architecture":"amd64","os":"linux"}}]}""".formatted(ATTESTATION, ARM64, AMD64);

    static Stream<Arguments> steps() {
        return Stream.of(
                Arguments.of("manifest → config", MANIFEST, "x86_64", CONFIG, null, null),
                Arguments.of("index → amd64 manifest", INDEX, "x86_64", null, AMD64, null),
                Arguments.of("index → arm64/v8 manifest", INDEX, "aarch64", null, ARM64, null),
                Arguments.of(
                        "index without the node's platform",
                        INDEX,
                        "s390x",
                        null,
                        null,
                        "the index has no manifest for the node's platform linux/s390x"),
                Arguments.of(
                        "an image config is no manifest",
                        "{\"architecture\":\"amd64\",\"rootfs\":{}}",
                        "x86_64",
                        null,
                        null,
                        "it is neither an image manifest nor an index"),
                Arguments.of(
                        "a layer is no JSON",
                        "\u001f\u008b binary",
                        "x86_64",
                        null,
                        null,
                        "its content is not JSON (not a manifest or index)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("steps")
    void aBlobGivesItsConfigOrTheManifestToReadNext(
            String why, String blob, String machine, String config, String child, String problem) {
        NodeContent.Step s = NodeContent.step(blob, NodeContent.Platform.ofMachine(machine));
        assertThat(s.config()).isEqualTo(config);
        assertThat(s.child()).isEqualTo(child);
        assertThat(s.problem()).isEqualTo(problem);
    }

    @Test
    void theCombinedReadGivesThePlatformAndEveryBlobThatExists() {
        String out = "x86_64\n"
                + NodeContent.BLOB + " " + AMD64 + "\n" + MANIFEST + "\n"
                + NodeContent.BLOB + " " + ARM64 + "\n" + NodeContent.MISSING + "\n\n"
                + NodeContent.END + "\n";
        NodeContent.Read r = NodeContent.parse(out);
        assertThat(r.platform()).isEqualTo(new NodeContent.Platform("linux", "amd64", null));
        assertThat(r.blobs()).containsOnlyKeys(AMD64);
        assertThat(NodeContent.step(r.blobs().get(AMD64), r.platform()).config())
                .isEqualTo(CONFIG);
    }

    @Test
    void machineNamesBecomeGoArchitectures() {
        assertThat(NodeContent.Platform.ofMachine("x86_64").toString()).isEqualTo("linux/amd64");
        assertThat(NodeContent.Platform.ofMachine("aarch64").toString()).isEqualTo("linux/arm64/v8");
        assertThat(NodeContent.Platform.ofMachine("armv7l").toString()).isEqualTo("linux/arm/v7");
    }
}
