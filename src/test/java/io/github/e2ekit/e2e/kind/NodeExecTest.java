package io.github.e2ekit.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.testbed.EveryEngine;
import io.github.e2ekit.e2e.testbed.KindLikeCluster;
import io.github.e2ekit.e2e.testbed.TestImages;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

/** Runs once per engine on the machine (Docker, Podman): see {@code TestEngine#engines()}. */
@EveryEngine
class NodeExecTest {
    @Parameter
    Engine engine;

    @Test
    void imageSavedFromTheEngineAndImportedIntoANodeIsListedByCtr() throws Exception {
        try (KindLikeCluster cluster = KindLikeCluster.start(engine, "nodeexec-" + System.nanoTime() % 100000, 0);
                TestImages images = new TestImages(engine)) {
            String ref = "localhost/testbed/imported:" + images.run();
            String id = images.busybox(ref, "hello");
            KindNode node = cluster.nodes().get(0);
            ExecResult r;
            try (InputStream tar = engine.client().saveImageCmd(ref).exec()) {
                r = ctrImport(node, tar);
            }
            assertThat(r.exitCode()).as(r.failureText()).isZero();
            assertThat(cluster.imageRefs(node)).contains(ref, id);
            assertThat(new NodeImageStore(engine, node).imageIds()).containsEntry(ref, id);
            assertThat(NodeExec.run(engine, node.containerId(), "/bin/busybox", "false")
                            .exitCode())
                    .isEqualTo(1);
        }
    }

    @Test
    void aShortNameArrivesInTheNodeUnderTheEnginesNodeName() throws Exception {
        try (KindLikeCluster cluster = KindLikeCluster.start(engine, "nodeexec-s" + System.nanoTime() % 100000, 0);
                TestImages images = new TestImages(engine)) {
            ImageReference ref = ImageReference.parse("e2e-nodeexec-short:" + images.run());
            String id = images.busybox(engine.buildName(ref), "short");
            KindNode node = cluster.nodes().get(0);
            ExecResult r;
            try (InputStream tar =
                    engine.client().saveImageCmd(engine.storedName(ref)).exec()) {
                r = ctrImport(node, tar);
            }
            assertThat(r.exitCode()).as(r.failureText()).isZero();
            assertThat(new NodeImageStore(engine, node).imageIds()).containsEntry(engine.nodeName(ref), id);
        }
    }

    /** kind's node import ({@code ctr images import --digests --snapshotter=overlayfs -}), fed through NodeExec. */
    private ExecResult ctrImport(KindNode node, InputStream tar) {
        return new NodeImageStore(engine, node).importArchive(tar, "overlayfs");
    }
}
