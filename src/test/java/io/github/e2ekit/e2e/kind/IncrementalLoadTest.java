package io.github.e2ekit.e2e.kind;

import static io.github.e2ekit.e2e.kind.Tars.tar;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.BuildImageResultCallback;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.testbed.KindLikeCluster;
import io.github.e2ekit.e2e.testbed.TestEngine;
import io.github.e2ekit.e2e.work.SharedWork;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental loading against a real engine and kind-like nodes with a real containerd: only the layers
 * a node lacks cross into it, and the node ends as a full import would leave it. Every test builds its
 * own {@code FROM scratch} images from fresh random files (one layer per file), so no test sees another's
 * layers in the nodes.
 */
class IncrementalLoadTest {
    private static final String LABEL = "io.github.e2ekit.test.incremental";
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final int MB = 1 << 20;

    private static Engine engine;
    private static KindLikeCluster cluster;
    private static final List<String> builtIds = new ArrayList<>();
    private static final List<String> builtRefs = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        engine = TestEngine.require();
        cluster =
                KindLikeCluster.start(engine, "incr-" + ProcessHandle.current().pid(), 2);
    }

    @AfterAll
    static void stop() {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (engine != null) {
                for (String ref : builtRefs) {
                    remove(ref);
                }
                for (String id : builtIds) { // earlier builds under a reused tag: dangling, our own (run label)
                    remove(id);
                }
                assertThat(engine.client()
                                .listImagesCmd()
                                .withShowAll(true)
                                .withLabelFilter(Map.of(LABEL, RUN))
                                .exec())
                        .as("images left on the engine")
                        .isEmpty();
            }
        }
    }

    private static void remove(String image) {
        try {
            engine.client().removeImageCmd(image).withForce(true).exec();
        } catch (RuntimeException e) {
            // gone with an image built on it
        }
    }

    private ImageLoader loader() {
        return new ImageLoader(
                engine, Ledger.start(dir.resolve("ledger-" + UUID.randomUUID() + ".json"), RUN, "svc"), cluster.name());
    }

    private static KindNode node(int i) {
        return cluster.nodes().get(i);
    }

    private static List<KindNode> firstNodeOnly() {
        return List.of(node(0));
    }

    /** {@code localhost/incr/<name>}, tagged with this run. */
    private static ImageReference reference(String name) {
        return ImageReference.parse("localhost/incr/" + name + ":" + RUN);
    }

    /** The files of an image's layers, bottom first: random bytes of each size. */
    private static List<byte[]> layers(int... sizes) {
        return Arrays.stream(sizes).mapToObj(IncrementalLoadTest::random).toList();
    }

    /** The same layers with the top one replaced by 1 MB of new bytes: the image after a change to its top layer. */
    private static List<byte[]> withNewTop(List<byte[]> files) {
        List<byte[]> changed = new ArrayList<>(files.subList(0, files.size() - 1));
        changed.add(random(MB));
        return changed;
    }

    @Test
    void firstLoadSendsEverythingThenOnlyTheChangedTopLayer() {
        List<byte[]> files = layers(3 * MB, 2 * MB, MB);
        ImageReference ref = reference("first");
        String v1 = build(ref, files);

        LoadResult first = loader().load(firstNodeOnly(), ref, v1);
        NodeLoad.Transfer t1 = only(first).transfer();
        assertThat(t1.fallbackReason()).isNull();
        assertThat(t1.layers()).isEqualTo(3);
        assertThat(t1.layersPresent()).isZero();
        assertThat(t1.layersSent()).isEqualTo(3);
        assertThat(t1.bytesSent()).isEqualTo(t1.bytes()).isGreaterThan(6L * MB);
        assertThat(first.summary()).contains("(1/1 nodes: sent 3 of 3 layers, 6.3 MB of 6.3 MB)");

        String v2 = build(ref, withNewTop(files));
        assertThat(v2).isNotEqualTo(v1);
        LoadResult second = loader().load(firstNodeOnly(), ref, v2);
        NodeLoad.Transfer t2 = only(second).transfer();
        assertThat(only(second).action()).isEqualTo(NodeLoad.Action.IMPORTED);
        assertThat(t2.fallbackReason()).isNull();
        assertThat(t2.layersPresent()).isEqualTo(2);
        assertThat(t2.layersSent()).isEqualTo(1);
        assertThat(t2.bytesSent()).isBetween((long) MB, MB + 4096L);
        assertThat(second.summary())
                .contains("(1/1 nodes: sent 1 of 3 layers, " + LoadResult.megabytes(t2.bytesSent()) + " of 6.3 MB)");
        String nodeRef = engine.nodeName(ref);
        loader().verify(firstNodeOnly(), nodeRef, v2);
        assertUnpackedAndComplete(node(0), nodeRef);

        // indistinguishable: kind's way (the engine export into ctr import) gives the same manifest
        fullImportTheKindWay(node(1), ref);
        assertThat(manifestDigest(node(0), nodeRef)).isEqualTo(manifestDigest(node(1), nodeRef));
    }

    @Test
    void twoLoadsSharingABaseLayerSendItOnceAndEachImageKeepsItsOwnName() {
        byte[] base = random(50 * MB);
        ImageReference a = reference("shared-a");
        ImageReference b = reference("shared-b");
        String idA = build(a, List.of(base, random(MB)));
        String idB = build(b, List.of(base, random(MB)));
        String baseLayer = diffIds(idA).get(0);
        assertThat(diffIds(idB).get(0)).isEqualTo(baseLayer);
        List<KindNode> both = cluster.nodes();
        SharedWork locks = new SharedWork(dir.resolve("locks"));
        AtomicInteger waits = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<LoadResult>> loads = List.of(a, b).stream()
                .map(ref -> CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return loader().withSharedWork(locks)
                            .withProgress(line -> waits.incrementAndGet())
                            .load(both, ref, ref == a ? idA : idB);
                }))
                .toList();
        go.countDown();
        List<LoadResult> results = loads.stream().map(CompletableFuture::join).toList();

        assertThat(waits).as("one load waited for the other").hasValue(1);
        for (KindNode node : both) {
            List<NodeLoad.Transfer> into = results.stream()
                    .map(r -> r.nodes().stream()
                            .filter(n -> n.node().equals(node))
                            .findFirst()
                            .orElseThrow()
                            .transfer())
                    .toList();
            assertThat(into).allSatisfy(t -> assertThat(t.fallbackReason()).isNull());
            // the base layer crossed once: one load sent base + its top, the other only its top
            assertThat(into.stream().mapToInt(NodeLoad.Transfer::layersSent).sum())
                    .isEqualTo(3);
            assertThat(into.stream().mapToLong(NodeLoad.Transfer::bytesSent).sum())
                    .isBetween(52L * MB, 52L * MB + 16384);
        }
        loader().verify(both, engine.nodeName(a), idA);
        loader().verify(both, engine.nodeName(b), idB);
        for (KindNode node : both) {
            assertUnpackedAndComplete(node, engine.nodeName(a));
            assertUnpackedAndComplete(node, engine.nodeName(b));
        }
    }

    @Test
    void aNodeMissingABaseLayerGetsIt() {
        List<byte[]> files = layers(2 * MB, 2 * MB, MB);
        ImageReference ref = reference("base-lost");
        String v1 = build(ref, files);
        loader().load(firstNodeOnly(), ref, v1);
        String base = diffIds(v1).get(0);
        cluster.ctr(node(0), "content", "rm", base);
        assertThat(cluster.ctr(node(0), "content", "ls", "-q")).doesNotContain(base);

        String v2 = build(ref, withNewTop(files));
        LoadResult r = loader().load(firstNodeOnly(), ref, v2);
        NodeLoad.Transfer t = only(r).transfer();
        assertThat(t.fallbackReason()).isNull();
        assertThat(t.layersPresent()).isEqualTo(1);
        assertThat(t.layersSent()).isEqualTo(2);
        assertThat(r.summary()).contains("sent 2 of 3 layers");
        assertThat(cluster.ctr(node(0), "content", "ls", "-q")).contains(base);
        loader().verify(firstNodeOnly(), engine.nodeName(ref), v2);
        assertUnpackedAndComplete(node(0), engine.nodeName(ref));
    }

    @Test
    void threeNodesInDifferentStatesEachGetWhatTheyLack() {
        List<byte[]> files = layers(3 * MB, 2 * MB, MB);
        ImageReference ref = reference("three");
        String v1 = build(ref, files);
        // node 0: nothing; node 1: v1; node 2: v1 without its base layer
        loader().load(List.of(node(1), node(2)), ref, v1);
        String base = diffIds(v1).get(0);
        cluster.ctr(node(2), "content", "rm", base);

        String v2 = build(ref, withNewTop(files));
        LoadResult r = loader().load(cluster.nodes(), ref, v2);
        System.out.println("three nodes: " + r.summary());
        assertThat(r.count(NodeLoad.Action.IMPORTED)).isEqualTo(3);
        List<NodeLoad.Transfer> t = r.nodes().stream().map(NodeLoad::transfer).toList();
        assertThat(t).allSatisfy(x -> assertThat(x.fallbackReason()).isNull());
        assertThat(t.get(0).layersSent()).isEqualTo(3);
        assertThat(t.get(1).layersSent()).isEqualTo(1);
        assertThat(t.get(2).layersSent()).isEqualTo(2);
        assertThat(t.get(1).bytesSent()).isLessThan(t.get(2).bytesSent()).isBetween((long) MB, MB + 4096L);
        assertThat(t.get(2).bytesSent())
                .isGreaterThan(4L * MB)
                .isLessThan(t.get(0).bytesSent());
        assertThat(r.summary())
                .contains(
                        "1/3 nodes: sent 3 of 3 layers",
                        "1/3 nodes: sent 1 of 3 layers",
                        "1/3 nodes: sent 2 of 3 layers");
        String nodeRef = engine.nodeName(ref);
        loader().verify(cluster.nodes(), nodeRef, v2);
        String manifest = manifestDigest(node(0), nodeRef);
        for (KindNode n : cluster.nodes()) {
            assertUnpackedAndComplete(n, nodeRef);
            assertThat(manifestDigest(n, nodeRef)).isEqualTo(manifest);
        }
    }

    @Test
    void anUnknownExportLayoutFallsBackToAFullImportAndSaysWhy() {
        ImageReference ref = reference("unknown");
        String id = build(ref, layers(2 * MB, MB));
        byte[] strange = tar(Map.of("images/one/rootfs.tar", random(4096)));
        LoadResult r =
                loader().exportView(raw -> new ByteArrayInputStream(strange)).load(List.of(node(0), node(1)), ref, id);
        System.out.println("unknown layout: " + r.summary());
        assertThat(r.count(NodeLoad.Action.IMPORTED)).isEqualTo(2);
        assertThat(r.nodes()).allSatisfy(n -> {
            assertThat(n.fallbackReason()).isEqualTo("unknown export layout (first entry 'images/one/rootfs.tar')");
            assertThat(n.transfer().layersSent()).isEqualTo(2);
        });
        assertThat(r.summary())
                .contains(
                        "2/2 nodes: sent 2 of 2 layers",
                        "full import — " + node(0).name() + ", " + node(1).name()
                                + ": unknown export layout (first entry 'images/one/rootfs.tar')");
        loader().verify(List.of(node(0), node(1)), engine.nodeName(ref), id);
        assertUnpackedAndComplete(node(0), engine.nodeName(ref));
    }

    @Test
    void anExportWithoutALayerTheNodeLacksFallsBackToAFullImportOfThatNode() {
        List<byte[]> files = layers(2 * MB, MB);
        ImageReference ref = reference("no-top");
        String v1 = build(ref, files);
        loader().load(firstNodeOnly(), ref, v1);
        String v2 = build(ref, withNewTop(files));
        String top = diffIds(v2).get(1);
        // the parser sees the export without the new top layer; the fallback gets the real one
        LoadResult r = loader().exportView(raw -> withoutLayer(raw, top)).load(firstNodeOnly(), ref, v2);
        System.out.println("layer missing from the export: " + r.summary());
        NodeLoad load = only(r);
        assertThat(load.fallbackReason())
                .isEqualTo("layer " + IncrementalExport.shortDigest(top)
                        + " was not in the export as an uncompressed blob");
        assertThat(load.transfer().layersSent()).isEqualTo(2);
        assertThat(r.summary()).contains("full import — " + node(0).name() + ": layer ");
        loader().verify(List.of(node(0)), engine.nodeName(ref), v2);
        assertUnpackedAndComplete(node(0), engine.nodeName(ref));
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private static NodeLoad only(LoadResult r) {
        assertThat(r.nodes()).hasSize(1);
        return r.nodes().get(0);
    }

    private static void assertUnpackedAndComplete(KindNode node, String nodeRef) {
        String line = cluster.ctr(node, "images", "check")
                .lines()
                .filter(l -> l.startsWith(nodeRef + " "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(nodeRef + " not in images check of " + node.name()));
        assertThat(line).contains(" complete (").endsWith("true");
        String snapshots = cluster.ctr(node, "snapshots", "--snapshotter=overlayfs", "ls");
        String id = new NodeImageStore(engine, node).imageIds().get(nodeRef);
        assertThat(id).isNotNull();
        String chainTop =
                LegacyLayerIds.chainIds(diffIdsOf(id)).get(diffIdsOf(id).size() - 1);
        assertThat(snapshots).contains(chainTop);
    }

    private static String manifestDigest(KindNode node, String nodeRef) {
        return new NodeImageStore(engine, node)
                .list().stream()
                        .filter(i -> i.reference().equals(nodeRef))
                        .map(NodeImageStore.NodeImage::manifestDigest)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(nodeRef + " not in " + node.name()));
    }

    private static void fullImportTheKindWay(KindNode node, ImageReference ref) {
        try (InputStream save =
                engine.client().saveImageCmd(engine.storedName(ref)).exec()) {
            ExecResult r = new NodeImageStore(engine, node).importArchive(save, "overlayfs");
            assertThat(r.ok()).as(r.failureText()).isTrue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> diffIds(String imageId) {
        return diffIdsOf(imageId);
    }

    private static List<String> diffIdsOf(String imageId) {
        return engine.client().inspectImageCmd(imageId).exec().getRootFS().getLayers();
    }

    /** Builds {@code FROM scratch} with one COPY (one layer) per file, in order, with this run's label. */
    private String build(ImageReference ref, List<byte[]> files) {
        try {
            Path context = Files.createTempDirectory(dir, "context");
            StringBuilder df = new StringBuilder("FROM scratch\n");
            for (int i = 0; i < files.size(); i++) {
                Files.write(context.resolve("layer" + i + ".bin"), files.get(i));
                df.append("COPY layer")
                        .append(i)
                        .append(".bin /layer")
                        .append(i)
                        .append(".bin\n");
            }
            df.append("LABEL ").append(LABEL).append('=').append(RUN).append('\n');
            Files.writeString(context.resolve("Dockerfile"), df.toString());
            String name = engine.storedName(ref);
            engine.client()
                    .buildImageCmd()
                    .withBaseDirectory(context.toFile())
                    .withDockerfile(context.resolve("Dockerfile").toFile())
                    .withTags(Set.of(name))
                    .withPull(false)
                    .withForcerm(true)
                    .exec(new BuildImageResultCallback())
                    .awaitImageId(2, TimeUnit.MINUTES);
            String id = engine.client().inspectImageCmd(name).exec().getId();
            synchronized (builtIds) {
                builtIds.add(id);
                if (!builtRefs.contains(name)) {
                    builtRefs.add(name);
                }
            }
            try (var walk = Files.walk(context)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new SplittableRandom().nextBytes(b);
        return b;
    }

    /** The export, read whole, rewritten without the layer file(s) whose content has digest {@code diffId}. */
    private static InputStream withoutLayer(InputStream raw, String diffId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveInputStream in = new TarArchiveInputStream(raw);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry e;
            int dropped = 0;
            while ((e = in.getNextEntry()) != null) {
                byte[] data = e.isFile() ? in.readAllBytes() : new byte[0];
                if (e.isFile() && ("sha256:" + LegacyLayerIds.sha256(data)).equals(diffId)) {
                    dropped++;
                    continue;
                }
                tar.putArchiveEntry(e);
                tar.write(data);
                tar.closeArchiveEntry();
            }
            assertThat(dropped).as("layer entries dropped").isEqualTo(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ByteArrayInputStream(out.toByteArray());
    }
}
