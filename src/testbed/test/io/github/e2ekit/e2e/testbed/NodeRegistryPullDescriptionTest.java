package io.github.e2ekit.e2e.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.kind.KindNode;
import org.junit.jupiter.api.Test;

/** A node's pull holds the image pull secret's credentials: its description (logs, assertion messages) never shows them. */
class NodeRegistryPullDescriptionTest {

    @Test
    void describesTheNodeWithoutTheCredentials() {
        KindNode node = new KindNode("it-dlast-worker", "worker", "c0ffee");

        assertThat(new NodeRegistryPull(null, node, "it-user:Secret-42"))
                .hasToString("NodeRegistryPull[it-dlast-worker]");
    }
}
