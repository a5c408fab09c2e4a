package io.github.e2ekit.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineKind;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.NodeImageEntry;
import io.github.e2ekit.e2e.testbed.ContainerdNodeImages;
import io.github.e2ekit.e2e.testbed.EveryEngine;
import io.github.e2ekit.e2e.testbed.KindLikeCluster;
import io.github.e2ekit.e2e.testbed.TestEngine;
import io.github.e2ekit.e2e.testbed.TestImages;
import io.github.e2ekit.e2e.testbed.kube.NodeImages;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/** Runs once per engine on the machine (Docker, Podman): see {@link TestEngine#engines()}. */
@EveryEngine
class ImageLoaderTest {
    private static Engine engine;
    private static KindLikeCluster three;
    private static TestImages images;

    @TempDir
    Path dir;
    /** The engine of this invocation (declared so the class-invocation methods below receive it). */
    @Parameter
    Engine current;

    @BeforeParameterizedClassInvocation
    static void startCluster(Engine e) {
        engine = e;
        three = KindLikeCluster.start(
                engine,
                "loader-" + e.kind().kindProvider() + "-"
                        + ProcessHandle.current().pid(),
                2);
        images = new TestImages(engine);
    }

    @AfterParameterizedClassInvocation
    static void stopCluster() {
        if (three != null) {
            three.close();
        }
        if (images != null) {
            images.close();
        }
    }

    private ImageLoader loader() {
        return new ImageLoader(engine, Ledger.start(dir.resolve("ledger.json"), "run1", "svc"), three.name());
    }

    @Test
    void importsIntoEveryNodeThenSkipsEveryNodeOnTheSecondLoad() {
        ImageReference ref = ImageReference.parse("localhost/loader/app:" + images.run() + "-a");
        String id = images.busybox(ref.toString(), "a");
        LoadResult first = loader().load(three.nodes(), ref, id);
        assertThat(first.count(NodeLoad.Action.IMPORTED)).isEqualTo(3);
        assertThat(first.exportedBytes()).isPositive();
        for (KindNode n : three.nodes()) {
            assertThat(three.imageRefs(n)).contains(ref.toString());
        }
        LoadResult second = loader().load(three.nodes(), ref, id);
        assertThat(second.count(NodeLoad.Action.ALREADY_PRESENT)).isEqualTo(3);
        assertThat(second.exportedBytes()).isZero();
        assertThat(second.summary()).isEqualTo("already present on 3/3 nodes");
    }

    @Test
    void aShortNameIsExportedAndImportedUnderTheEnginesNameWhichTheManifestNames() {
        ImageReference ref = ImageReference.parse("e2e-loader-short:" + images.run());
        String id = images.busybox(engine.buildName(ref), "short");
        LoadResult first = loader().load(three.nodes(), ref, id);
        assertThat(first.count(NodeLoad.Action.IMPORTED)).isEqualTo(3);
        String nodeRef = engine.nodeName(ref);
        // Podman: localhost/<name> on both sides; Docker: docker.io/library/<name>
        assertThat(nodeRef).isEqualTo(engine.kind() == EngineKind.PODMAN ? "localhost/" + ref : ref.normalized());
        assertThat(first.reference()).isEqualTo(nodeRef);
        for (KindNode n : three.nodes()) {
            assertThat(new NodeImageStore(engine, n).imageIds()).containsEntry(nodeRef, id);
        }
        // the manifest names the image as the engine stores it; the kubelet's normalisation finds it in the node
        assertThat(NodeImages.normalize(engine.storedName(ref))).isEqualTo(nodeRef);
        assertThat(new ContainerdNodeImages(three).imageId(three.nodes().get(1).name(), engine.storedName(ref)))
                .hasValue(id);
        assertThat(loader().load(three.nodes(), ref, id).count(NodeLoad.Action.ALREADY_PRESENT))
                .isEqualTo(3);
    }

    @Test
    void anImagePulledUnderDockerHubsNameIsPreloadedByItsShortName() {
        ImageReference hub = ImageReference.parse("docker.io/library/e2e-loader-hub:" + images.run());
        String id = images.busybox(hub.toString(), "hub");
        ImageReference shortName = ImageReference.parse("e2e-loader-hub:" + images.run());
        LoadResult r = loader().load(three.nodes().subList(0, 1), shortName, null);
        assertThat(r.count(NodeLoad.Action.IMPORTED)).isEqualTo(1);
        assertThat(r.reference()).isEqualTo(shortName.normalized());
        assertThat(new NodeImageStore(engine, three.nodes().get(0)).imageIds())
                .containsEntry(shortName.normalized(), id);
    }

    @Test
    void reTagsWhenTheNodeHoldsTheSameImageUnderAnotherName() {
        ImageReference a = ImageReference.parse("localhost/loader/retag:" + images.run() + "-one");
        String id = images.busybox(a.toString(), "retag");
        List<KindNode> one = three.nodes().subList(0, 1);
        loader().load(one, a, id);
        ImageReference b = ImageReference.parse("localhost/loader/retag:" + images.run() + "-two");
        engine.client().tagImageCmd(a.toString(), b.repository(), b.tag()).exec();
        try {
            Ledger ledger = Ledger.start(dir.resolve("l2.json"), "run2", "svc");
            LoadResult r = new ImageLoader(engine, ledger, three.name()).load(one, b, id);
            assertThat(r.count(NodeLoad.Action.RETAGGED)).isEqualTo(1);
            assertThat(r.exportedBytes()).isZero();
            List<NodeImageEntry> entries = ledger.read(d -> d.nodeImages);
            assertThat(entries).singleElement().satisfies(e -> {
                assertThat(e.action).isEqualTo("retagged");
                assertThat(e.state).isEqualTo(EntryState.CREATED);
                assertThat(e.reference).isEqualTo(b.toString());
            });
        } finally {
            engine.client().removeImageCmd(b.toString()).exec();
        }
    }

    @Test
    void verificationCatchesANodeHoldingAnotherImageUnderTheReference() {
        ImageReference ref = ImageReference.parse("localhost/loader/verify:" + images.run());
        String id = images.busybox(ref.toString(), "v1");
        ImageReference other = ImageReference.parse("localhost/loader/other:" + images.run());
        images.busybox(other.toString(), "v2");
        List<KindNode> one = three.nodes().subList(0, 1);
        ImageLoader loader = loader();
        loader.load(one, ref, id);
        loader.load(one, other, null);
        three.ctr(one.get(0), "images", "tag", "--force", other.toString(), ref.toString());
        assertThatThrownBy(() -> loader.verify(one, ref.toString(), id))
                .isInstanceOf(LoadException.class)
                .hasMessageContaining(one.get(0).name())
                .hasMessageContaining("expected " + id);
    }

    @Test
    void twoServicesLoadIntoOneClusterConcurrently() {
        ImageReference a = ImageReference.parse("localhost/loader/svc-a:" + images.run());
        ImageReference b = ImageReference.parse("localhost/loader/svc-b:" + images.run());
        String idA = images.busybox(a.toString(), "service a");
        String idB = images.busybox(b.toString(), "service b");
        CompletableFuture<LoadResult> fa = CompletableFuture.supplyAsync(() -> loader().load(three.nodes(), a, idA));
        CompletableFuture<LoadResult> fb = CompletableFuture.supplyAsync(
                () -> new ImageLoader(engine, Ledger.start(dir.resolve("other.json"), "r", "s"), three.name())
                        .load(three.nodes(), b, idB));
        assertThat(fa.join().count(NodeLoad.Action.IMPORTED)).isEqualTo(3);
        assertThat(fb.join().count(NodeLoad.Action.IMPORTED)).isEqualTo(3);
    }

    @Test
    void anImageRemovedFromTheEngineAfterTheBuildIsReported() {
        ImageReference gone = ImageReference.parse("localhost/loader/gone:" + images.run());
        assertThatThrownBy(() -> loader().load(three.nodes(), gone, "sha256:" + "0".repeat(64)))
                .isInstanceOf(LoadException.class)
                .hasMessageContaining("not in the engine");
    }

    @Test
    void theNodesGetTheBuiltImageByIdThoughTheReferenceWasRetaggedBeforeTheLoad() {
        retaggedBeforeTheLoad("-inc", false);
    }

    @Test
    void aFullImportAlsoGetsTheBuiltImageByIdThoughTheReferenceWasRetagged() {
        retaggedBeforeTheLoad("-full", true);
    }

    /** Another process moves the reference to another image between build and load (full: no incremental archive). */
    private void retaggedBeforeTheLoad(String suffix, boolean full) {
        ImageReference ref = ImageReference.parse("localhost/loader/retagged:" + images.run() + suffix);
        ImageReference keep = ImageReference.parse("localhost/loader/retagged-keep:" + images.run() + suffix);
        String built = images.busybox(ref.toString(), "built" + suffix);
        String other = images.busybox("localhost/loader/retagged-other:" + images.run() + suffix, "other" + suffix);
        engine.client()
                .tagImageCmd(built, keep.repository(), keep.tag())
                .exec(); // so the built one is removed at the end
        try {
            engine.client()
                    .tagImageCmd(other, ref.repository(), ref.tag())
                    .withForce()
                    .exec();
            assertThat(engine.client()
                            .inspectImageCmd(engine.storedName(ref))
                            .exec()
                            .getId())
                    .isEqualTo(other);
            ImageLoader loader = loader();
            if (full) {
                loader.exportView(raw -> new java.io.ByteArrayInputStream(new byte[1024]));
            }
            LoadResult r = loader.load(three.nodes(), ref, built);
            assertThat(r.imageId()).isEqualTo(built);
            if (full) {
                assertThat(r.nodes())
                        .allSatisfy(n -> assertThat(n.fallbackReason()).startsWith("unknown export layout"));
            }
            String nodeRef = engine.nodeName(ref);
            for (KindNode n : three.nodes()) {
                assertThat(new NodeImageStore(engine, n).imageIds())
                        .containsEntry(nodeRef, built)
                        .doesNotContainValue(other);
            }
        } finally {
            engine.client().removeImageCmd(keep.toString()).exec();
        }
    }
}
