package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.deploy.NodeDigests;
import io.github.e2ekit.e2e.kind.KindNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KindNodeDigestsTest {
    @Test
    void aPodOnANodeThatIsNoNodeContainerOfTheClusterCannotBeResolved() {
        String digest = "sha256:" + "3a".repeat(32);
        KindNodeDigests nodes =
                new KindNodeDigests(null, "e2e", List.of(new KindNode("e2e-control-plane", "control-plane", "c0ffee")));
        assertThat(nodes.resolve("other-node", Set.of(digest)))
                .containsExactly(Map.entry(
                        digest,
                        NodeDigests.Resolution.unresolved(
                                "kind cluster 'e2e' has no node container named other-node")));
    }
}
