package io.github.e2ekit.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.testbed.ContainerdNodeImages;
import io.github.e2ekit.e2e.testbed.KindLikeCluster;
import io.github.e2ekit.e2e.testbed.TestEngine;
import io.github.e2ekit.e2e.testbed.TestImages;
import io.github.e2ekit.e2e.testbed.kube.CriImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A multi-platform image in a real node's containerd: its index digest resolves to the config of the node
 * platform's manifest, for the plugin's freshness check ({@link NodeContent}) and for the test bed's kubelet.
 */
class NodeContentOnNodeTest {
    @TempDir
    Path dir;

    @Test
    void anIndexResolvesToTheConfigOfTheNodePlatformsManifest() throws Exception {
        Engine engine = TestEngine.require();
        try (KindLikeCluster cluster = KindLikeCluster.start(
                        engine, "content-" + ProcessHandle.current().pid(), 0);
                TestImages images = new TestImages(engine)) {
            ImageReference ref = ImageReference.parse("localhost/content/app:" + images.run());
            String id = images.busybox(ref.toString(), "content");
            new ImageLoader(engine, Ledger.start(dir.resolve("ledger.json"), "r", "s"), cluster.name())
                    .load(cluster.nodes(), ref, id);
            KindNode node = cluster.nodes().get(0);
            String manifest = new NodeImageStore(engine, node)
                    .list().stream()
                            .filter(i -> i.reference().equals(engine.nodeName(ref)))
                            .findFirst()
                            .orElseThrow()
                            .manifestDigest();
            String machine = NodeExec.run(engine, node.containerId(), "uname", "-m")
                    .stdout()
                    .strip();
            NodeContent.Platform platform = NodeContent.Platform.ofMachine(machine);
            String decoy = "sha256:" + "d0".repeat(32);
            int size = NodeExec.run(
                            engine, node.containerId(), "ctr", NodeImageStore.NAMESPACE, "content", "get", manifest)
                    .stdout()
                    .getBytes(StandardCharsets.UTF_8)
                    .length;
            byte[] index =
                    ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                                    + descriptor(
                                            decoy, 1000, platform.architecture().equals("s390x") ? "ppc64le" : "s390x")
                                    + "," + descriptor(manifest, size, platform.architecture()) + "]}")
                            .getBytes(StandardCharsets.UTF_8);
            String indexDigest = "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(index));
            String multi = "localhost/content/multi:" + images.run();
            ExecResult imported = NodeExec.run(
                    engine,
                    node.containerId(),
                    new ByteArrayInputStream(ociArchive(index, indexDigest, multi)),
                    1,
                    "ctr",
                    NodeImageStore.NAMESPACE,
                    "images",
                    "import",
                    "--digests",
                    "-");
            assertThat(imported.ok()).as(imported.failureText()).isTrue();

            String missing = "sha256:" + "e1".repeat(32);
            Map<String, NodeContent.Config> configs =
                    new NodeContent(engine, node).configs(Set.of(indexDigest, manifest, missing));
            assertThat(configs.get(indexDigest).digest()).isEqualTo(id);
            assertThat(configs.get(manifest).digest()).isEqualTo(id);
            assertThat(configs.get(missing).problem()).isEqualTo("the node's content store does not hold " + missing);

            // the test bed's kubelet sees one image with both import digests, as containerd's CRI does
            CriImage cri = new ContainerdNodeImages(cluster)
                    .criImage(node.name(), multi)
                    .orElseThrow();
            assertThat(cri.id()).isEqualTo(id);
            assertThat(cri.repoDigests())
                    .anyMatch(d -> d.endsWith("@" + indexDigest))
                    .anyMatch(d -> d.endsWith("@" + manifest));
            assertThat(cri.repoTags()).contains(multi, engine.nodeName(ref));
        }
    }

    private static String descriptor(String digest, int size, String architecture) {
        return "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" + digest
                + "\",\"size\":" + size + ",\"platform\":{\"architecture\":\"" + architecture + "\",\"os\":\"linux\"}}";
    }

    /** An OCI layout naming the index; the manifest and its blobs are in the node already. */
    private static byte[] ociArchive(byte[] index, String indexDigest, String name) throws IOException {
        byte[] top = ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                        + "\"digest\":\"" + indexDigest + "\",\"size\":" + index.length + ",\"annotations\":{"
                        + "\"io.containerd.image.name\":\"" + name + "\"}}]}")
                .getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : List.of(
                    Map.entry("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8)),
                    Map.entry("blobs/sha256/" + indexDigest.substring(7), index),
                    Map.entry("index.json", top))) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                entry.setSize(e.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }
}
