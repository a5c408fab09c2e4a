package io.github.e2ekit.e2e.teardown;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.NotFoundException;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageLabels;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.ImageLoader;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.NodeImageStore;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.ImageEntry;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.testbed.EveryEngine;
import io.github.e2ekit.e2e.testbed.KindLikeCluster;
import io.github.e2ekit.e2e.testbed.TestImages;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Teardown and reap against a real engine and a kind-like node, once per engine on the machine
 * (Docker, Podman): images named with short names, as a user writes them, so Podman's naming is on
 * every path (ledger, engine, node).
 */
@EveryEngine
class TeardownTest {
    /** An expiry long past, and a "now" just after it: the reaper then touches only what this test made. */
    private static final String LONG_AGO = "2001-01-01T00:00:00Z";

    private static final Instant JUST_AFTER = Instant.parse("2001-01-01T00:00:01Z");
    private static final String FUTURE = "2999-01-01T00:00:00Z";

    private static Engine engine;
    private static KindLikeCluster cluster;
    private static TestImages images;

    @Parameter
    Engine current;

    @TempDir
    Path dir;

    @BeforeParameterizedClassInvocation
    static void start(Engine e) {
        engine = e;
        cluster = KindLikeCluster.start(
                engine,
                "teardown-" + e.kind().kindProvider() + "-"
                        + ProcessHandle.current().pid(),
                0);
        images = new TestImages(engine);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (images != null) {
            images.close();
        }
    }

    private KindNode node() {
        return cluster.nodes().get(0);
    }

    /** Builds {@code ref} as the plugin's build would (the engine's name, the plugin's labels); returns its ID. */
    private String build(ImageReference ref, String run, String service, String imageId, String expires) {
        return images.build(
                engine.buildName(ref),
                Map.of("marker.txt", UUID.randomUUID().toString()),
                "LABEL " + ImageLabels.RUN + "=" + run + " " + ImageLabels.SERVICE + "=" + service + " "
                        + ImageLabels.IMAGE_ID + "=" + imageId + " " + ImageLabels.EXPIRES + "=" + expires);
    }

    private static void recordBuilt(Ledger ledger, String id, ImageReference ref, String imageId) {
        ledger.update(d -> {
            ImageEntry e = new ImageEntry();
            e.id = id;
            e.reference = ref.toString();
            e.imageId = imageId;
            e.built = true;
            e.state = EntryState.CREATED;
            d.images.add(e);
        });
    }

    private boolean inEngine(ImageReference ref) {
        try {
            engine.client().inspectImageCmd(engine.storedName(ref)).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    @Test
    void removesWhatTheRunMadeKeepsTheNewestAndLeavesNothingForASecondTeardown() throws Exception {
        String run = "td" + UUID.randomUUID().toString().substring(0, 8);
        String service = "svc-" + run;
        ImageReference older = ImageReference.parse("e2e-teardown-" + run + ":1");
        ImageReference newer = ImageReference.parse("e2e-teardown-" + run + ":2");
        ImageReference gone = ImageReference.parse("e2e-teardown-other-" + run + ":1");
        String olderId = build(older, run, service, "app", FUTURE);
        Thread.sleep(1100); // "Created" has a resolution of one second: the newer must be newer
        String newerId = build(newer, run, service, "app", FUTURE);
        String goneId = build(gone, run, service, "other", FUTURE);

        Ledger ledger = Ledger.start(dir.resolve("ledger.json"), run, service);
        recordBuilt(ledger, "app", older, olderId);
        recordBuilt(ledger, "app", newer, newerId);
        recordBuilt(ledger, "other", gone, goneId);
        ImageLoader loader = new ImageLoader(engine, ledger, cluster.name());
        loader.load(List.of(node()), older, olderId);
        loader.load(List.of(node()), newer, newerId);
        loader.load(List.of(node()), gone, goneId);
        NodeImageStore store = new NodeImageStore(engine, node());
        assertThat(store.imageIds())
                .containsEntry(engine.nodeName(older), olderId)
                .containsEntry(engine.nodeName(newer), newerId)
                .containsEntry(engine.nodeName(gone), goneId);

        TeardownReport report =
                new Teardown(engine, ledger).run(null, RemoveImages.ALL_BUT_NEWEST, ClusterDeletion.NEVER, null);

        assertThat(report.failures()).isEmpty();
        assertThat(report.removed())
                .containsExactlyInAnyOrder(
                        "node image " + engine.nodeName(older) + " from " + node().name(), "image " + older);
        assertThat(report.kept()).hasSize(4); // newest of each: local image and node image
        assertThat(inEngine(older)).isFalse();
        assertThat(inEngine(newer)).isTrue();
        assertThat(inEngine(gone)).isTrue();
        assertThat(store.imageIds())
                .doesNotContainKey(engine.nodeName(older))
                .containsEntry(engine.nodeName(newer), newerId)
                .containsEntry(engine.nodeName(gone), goneId);
        // nothing of this run is left but the kept images, in the engine and in the node
        assertThat(engine.client()
                        .listImagesCmd()
                        .withLabelFilter(Map.of(ImageLabels.RUN, run))
                        .exec())
                .extracting(i -> i.getId())
                .containsExactlyInAnyOrder(newerId, goneId);

        TeardownReport again = new Teardown(engine, ledger).run(null, RemoveImages.ALL, ClusterDeletion.NEVER, null);
        assertThat(again.removed()).isEmpty();
        assertThat(again.failures()).isEmpty();
        boolean imagesLive = ledger.read(d -> d.images.stream().anyMatch(e -> e.state.live()));
        boolean nodeImagesLive = ledger.read(d -> d.nodeImages.stream().anyMatch(e -> e.state.live()));
        assertThat(imagesLive).isFalse();
        assertThat(nodeImagesLive).isFalse();
    }

    @Test
    void removeAllLeavesNoImageOfTheRunInTheEngineOrTheNode() {
        String run = "td" + UUID.randomUUID().toString().substring(0, 8);
        ImageReference ref = ImageReference.parse("e2e-teardown-all-" + run + ":1");
        String id = build(ref, run, "svc", "app", FUTURE);
        Ledger ledger = Ledger.start(dir.resolve("all.json"), run, "svc");
        recordBuilt(ledger, "app", ref, id);
        new ImageLoader(engine, ledger, cluster.name()).load(List.of(node()), ref, id);
        int nodeRefsBefore = cluster.imageRefs(node()).size();

        TeardownReport report = new Teardown(engine, ledger).run(null, RemoveImages.ALL, ClusterDeletion.NEVER, null);

        assertThat(report.failures()).isEmpty();
        assertThat(report.removed())
                .containsExactlyInAnyOrder(
                        "node image " + engine.nodeName(ref) + " from " + node().name(), "image " + ref);
        assertThat(inEngine(ref)).isFalse();
        assertThat(engine.client()
                        .listImagesCmd()
                        .withLabelFilter(Map.of(ImageLabels.RUN, run))
                        .exec())
                .isEmpty();
        assertThat(new NodeImageStore(engine, node()).imageIds()).doesNotContainValue(id);
        // the import's own name and the ID name are gone with it: no leak in the node
        assertThat(cluster.imageRefs(node())).hasSizeLessThanOrEqualTo(nodeRefsBefore - 2);
    }

    @Test
    void theReaperRemovesExpiredImagesFromTheEngineAndTheNodeOnly() {
        String run = "rp" + UUID.randomUUID().toString().substring(0, 8);
        ImageReference expired = ImageReference.parse("e2e-reap-" + run + ":old");
        ImageReference live = ImageReference.parse("e2e-reap-" + run + ":live");
        String expiredId = build(expired, run, "svc", "app", LONG_AGO);
        String liveId = build(live, run, "svc", "app", FUTURE);
        Ledger ledger = Ledger.start(dir.resolve("reap.json"), run, "svc");
        new ImageLoader(engine, ledger, cluster.name())
                .withNodeLabels(Map.of(ImageLabels.EXPIRES, LONG_AGO))
                .load(List.of(node()), expired, expiredId);
        new ImageLoader(engine, ledger, cluster.name())
                .withNodeLabels(Map.of(ImageLabels.EXPIRES, FUTURE))
                .load(List.of(node()), live, liveId);

        TeardownReport dry = new Reaper(engine, null, JUST_AFTER).reap(cluster.name(), true);
        assertThat(dry.removed())
                .containsExactlyInAnyOrder(
                        "node image " + engine.nodeName(expired) + " in " + node().name(),
                        "image " + engine.storedName(expired));
        assertThat(inEngine(expired)).isTrue();

        TeardownReport report = new Reaper(engine, null, JUST_AFTER).reap(cluster.name(), false);
        assertThat(report.failures()).isEmpty();
        assertThat(report.removed()).containsExactlyInAnyOrderElementsOf(dry.removed());
        assertThat(inEngine(expired)).isFalse();
        assertThat(inEngine(live)).isTrue();
        assertThat(new NodeImageStore(engine, node()).imageIds())
                .doesNotContainKey(engine.nodeName(expired))
                .containsEntry(engine.nodeName(live), liveId);
    }
}
