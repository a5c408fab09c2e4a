package io.github.e2ekit.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.testbed.KindLikeCluster;
import io.github.e2ekit.e2e.testbed.TestEngine;
import io.github.e2ekit.e2e.testbed.TestImages;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class NodeExecTest {
    @Test
    void imageSavedFromTheEngineAndImportedIntoANodeIsListedByCtr() throws Exception {
        Engine engine = TestEngine.require();
        try (KindLikeCluster cluster = KindLikeCluster.start(engine, "nodeexec-" + System.nanoTime() % 100000, 0);
                TestImages images = new TestImages(engine)) {
            String ref = "localhost/testbed/imported:" + images.run();
            String id = images.busybox(ref, "hello");
            KindNode node = cluster.nodes().get(0);
            ExecResult r;
            try (InputStream tar = engine.client().saveImageCmd(ref).exec()) {
                r = NodeExec.run(engine, node.containerId(), tar, 2, "ctr", "--namespace=k8s.io", "images",
                        "import", "--digests", "--snapshotter=overlayfs", "-");
            }
            assertThat(r.exitCode()).as(r.failureText()).isZero();
            assertThat(cluster.imageRefs(node)).contains(ref, id);
            assertThat(NodeExec.run(engine, node.containerId(), "/bin/busybox", "false").exitCode()).isEqualTo(1);
        }
    }
}
