package io.github.e2ekit.e2e.kind;

import static io.github.e2ekit.e2e.kind.Tars.tar;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/**
 * The export splitter without an engine, on the OCI layout newer engines export (the engine here exports the
 * legacy layout, which {@link IncrementalLoadTest} covers): what each node's archive holds.
 */
class IncrementalExportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] l1 = random(300_000);
    private final byte[] l2 = random(200_000);
    private final byte[] l3 = random(1000);
    private final List<String> diffIds = List.of(digest(l1), digest(l2), digest(l3));
    private final byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                    + "\"diff_ids\":[\"" + String.join("\",\"", diffIds) + "\"]}}")
            .getBytes(StandardCharsets.UTF_8);
    private final String imageId = digest(config);

    @Test
    void eachNodeGetsTheLayersItLacksThenConfigManifestAndIndex() throws Exception {
        byte[] export = ociExport();
        Map<String, byte[]> empty =
                split(export, Set.of(), UnaryOperator.identity()).get(0);
        Map<String, byte[]> holdsBase = split(export, Set.of(diffIds.get(0), diffIds.get(1)), UnaryOperator.identity())
                .get(0);

        List<String> names = new ArrayList<>(empty.keySet());
        assertThat(names).hasSize(7);
        assertThat(names.get(0)).isEqualTo("oci-layout");
        assertThat(names.subList(1, 4))
                .as("layers, in the export's order") // blobs by digest, alphabetical
                .containsExactlyInAnyOrder(blob(diffIds.get(0)), blob(diffIds.get(1)), blob(diffIds.get(2)));
        assertThat(names.subList(4, 7)).containsExactly(blob(imageId), blob(manifestDigest(empty)), "index.json");
        assertThat(holdsBase.keySet())
                .containsExactly(
                        "oci-layout",
                        blob(diffIds.get(2)),
                        blob(imageId),
                        blob(manifestDigest(holdsBase)),
                        "index.json");
        assertThat(holdsBase.get(blob(diffIds.get(2)))).isEqualTo(l3);
        assertThat(holdsBase.get(blob(imageId))).isEqualTo(config);

        byte[] manifest = holdsBase.get(blob(manifestDigest(holdsBase)));
        assertThat(new String(manifest, StandardCharsets.UTF_8))
                .isEqualTo("{\"schemaVersion\":2,\"mediaType\":"
                        + "\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{\"mediaType\":"
                        + "\"application/vnd.docker.container.image.v1+json\",\"digest\":\"" + imageId + "\",\"size\":"
                        + config.length + "},\"layers\":[" + layer(diffIds.get(0), l1) + "," + layer(diffIds.get(1), l2)
                        + ","
                        + layer(diffIds.get(2), l3) + "]}");
        assertThat(manifest).isEqualTo(empty.get(blob(manifestDigest(empty))));
        JsonNode index =
                JSON.readTree(holdsBase.get("index.json")).get("manifests").get(0);
        assertThat(index.get("digest").asText()).isEqualTo(digest(manifest));
        assertThat(index.get("annotations").get("io.containerd.image.name").asText())
                .isEqualTo("docker.io/library/app:1.0");
        assertThat(index.get("annotations")
                        .get("org.opencontainers.image.ref.name")
                        .asText())
                .isEqualTo("1.0");
        assertThat(index.get("platform").get("architecture").asText()).isEqualTo("amd64");
    }

    @Test
    void aLayerMissingFromTheExportLeavesEveryNodeWithoutIndexAndSaysWhy() throws Exception {
        byte[] export = ociExport();
        UnaryOperator<java.io.InputStream> withoutTop = raw -> {
            try {
                return new ByteArrayInputStream(rewrite(raw.readAllBytes(), blob(diffIds.get(2))));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        List<NodeArchive> nodes = new ArrayList<>();
        List<Map<String, byte[]>> out = split(export, List.of(Set.of(), Set.copyOf(diffIds)), withoutTop, nodes);
        // even the node holding the layer: the manifest needs its size, which only the export tells
        for (int i = 0; i < 2; i++) {
            assertThat(nodes.get(i).failure)
                    .isEqualTo("layer " + IncrementalExport.shortDigest(diffIds.get(2))
                            + " was not in the export as an uncompressed blob");
            assertThat(out.get(i)).containsKey("oci-layout").doesNotContainKey("index.json"); // its import fails
        }
    }

    @Test
    void anArchiveOfAnotherLayoutTurnsEveryNodeIntoAFullImportOfTheRawExport() throws Exception {
        byte[] export = tar(Map.of("rootfs/etc/hosts", random(100)));
        List<NodeArchive> nodes = new ArrayList<>();
        List<Map<String, byte[]>> out = split(export, List.of(Set.of()), UnaryOperator.identity(), nodes);
        assertThat(nodes.get(0).full).isTrue();
        assertThat(nodes.get(0).fullReason).isEqualTo("unknown export layout (first entry 'rootfs/etc/hosts')");
        assertThat(out.get(0).keySet()).containsExactly("rootfs/etc/hosts"); // the raw export, as it was
    }

    @Test
    void refNameIsTheTagLikeContainerdDerivesIt() {
        assertThat(IncrementalExport.refName("docker.io/library/app:1.0")).isEqualTo("1.0");
        assertThat(IncrementalExport.refName("localhost:5000/app")).isEqualTo("latest");
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private List<Map<String, byte[]>> split(byte[] export, Set<String> held, UnaryOperator<java.io.InputStream> view)
            throws Exception {
        return split(export, List.of(held), view, new ArrayList<>());
    }

    /** Runs the splitter for nodes holding {@code held}; returns each node's archive, entry by entry. */
    private List<Map<String, byte[]>> split(
            byte[] export, List<Set<String>> held, UnaryOperator<java.io.InputStream> view, List<NodeArchive> nodes)
            throws Exception {
        List<CompletableFuture<Map<String, byte[]>>> readers = new ArrayList<>();
        for (int i = 0; i < held.size(); i++) {
            ChunkStream sink = new ChunkStream(4);
            nodes.add(new NodeArchive("node" + i, held.get(i), sink));
            readers.add(CompletableFuture.supplyAsync(() -> entries(sink)));
        }
        new IncrementalExport(imageId, diffIds, "docker.io/library/app:1.0", view)
                .run(new ByteArrayInputStream(export), nodes);
        List<Map<String, byte[]>> out = new ArrayList<>();
        for (var r : readers) {
            out.add(r.get());
        }
        return out;
    }

    private static Map<String, byte[]> entries(java.io.InputStream in) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                out.put(e.getName(), tar.readAllBytes());
            }
            while (in.read() >= 0) {
                // the rest of the stream, to its end
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** The layout of Docker 25+: oci-layout, blobs by digest (alphabetical), index.json, manifest.json. */
    private byte[] ociExport() {
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + "\"config\":{\"digest\":\"" + imageId + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> blobs = new java.util.TreeMap<>();
        blobs.put(blob(diffIds.get(0)), l1);
        blobs.put(blob(diffIds.get(1)), l2);
        blobs.put(blob(diffIds.get(2)), l3);
        blobs.put(blob(imageId), config);
        blobs.put(blob(digest(manifest)), manifest);
        Map<String, byte[]> files = new LinkedHashMap<>(blobs);
        files.put(
                "index.json",
                ("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" + digest(manifest) + "\"}]}")
                        .getBytes(StandardCharsets.UTF_8));
        files.put(
                "manifest.json",
                ("[{\"Config\":\"" + blob(imageId) + "\",\"RepoTags\":[\"app:1.0\"],\"Layers\":[\""
                                + blob(diffIds.get(0)) + "\",\"" + blob(diffIds.get(1)) + "\",\"" + blob(diffIds.get(2))
                                + "\"]}]")
                        .getBytes(StandardCharsets.UTF_8));
        files.put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        return tar(files);
    }

    private static byte[] rewrite(byte[] export, String drop) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(export))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                byte[] data = in.readAllBytes();
                if (!e.getName().equals(drop)) {
                    files.put(e.getName(), data);
                }
            }
        }
        return tar(files);
    }

    private static String manifestDigest(Map<String, byte[]> archive) {
        return archive.keySet().stream()
                .filter(k -> k.startsWith("blobs/"))
                .map(k -> "sha256:" + k.substring(13))
                .filter(d -> {
                    String text = new String(archive.get(blob(d)), StandardCharsets.UTF_8);
                    return text.startsWith("{\"schemaVersion\":2,\"mediaType\"");
                })
                .findFirst()
                .orElseThrow();
    }

    private static String layer(String digest, byte[] data) {
        return "{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar\",\"digest\":\"" + digest + "\",\"size\":"
                + data.length + "}";
    }

    private static String blob(String digest) {
        return "blobs/sha256/" + digest.substring(7);
    }

    private static String digest(byte[] data) {
        return "sha256:" + LegacyLayerIds.sha256(data);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SplittableRandom(n).nextBytes(b);
        return b;
    }

    @org.junit.jupiter.api.Test
    void jsonIsWrittenAsGoWritesIt() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("b", "x<y>&z");
        m.put("a", 2);
        org.assertj.core.api.Assertions.assertThat(new String(GoJson.write(m), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"b\":\"x\\u003cy\\u003e\\u0026z\",\"a\":2}");
    }
}
