package io.github.e2ekit.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.work.WorkKey;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LayerSendKeyTest {
    private static final String L0 = "sha256:205c24bd23daede12de56ef0ec024bdb8927373eb8324ddf5b1edcf50b499da5";
    private static final String L1 = "sha256:f1b5697854dabbc5cee9c4b94ac0c1f0dd5bc68dff406b654bb84f954ee4a047";
    private static final String L2 = "sha256:343a67c962759a4c1941ad65647f7d16002ba59417067f1825af37c199eb83e9";
    private static final String OTHER_TOP = "sha256:" + "e".repeat(64);
    private static final KindNode A = new KindNode("c-control-plane", "control-plane", "aaa");
    private static final KindNode B = new KindNode("c-worker", "worker", "bbb");

    @Test
    void chainIdsAreTheOnesDockersLayerStoreIsNamedBy() {
        // read on this machine: /var/lib/docker/image/overlay2/layerdb/sha256/<chainID>/diff of an image with these
        // layers
        assertThat(LayerSendKey.chainIds(List.of(L0, L1, L2)))
                .containsExactly(
                        L0,
                        "sha256:ea74c8e45c7215d3d1afc5c683ffdd269ccc661fa6a7efe85e442d1cf9a16325",
                        "sha256:252e3e8a6bd305ec6b8f0e5eb07a1773ab52effe1cfef96d471c60ea96b3fb48");
    }

    @Test
    void loadsOfImagesSharingTheMissingBaseLayersShareAKeyWhateverTheirTops() {
        Map<String, Set<String>> empty = Map.of();
        WorkKey one =
                LayerSendKey.lowestMissing("unix:///var/run/docker.sock", List.of(A, B), List.of(L0, L1, L2), empty);
        WorkKey other = LayerSendKey.lowestMissing(
                "unix:///var/run/docker.sock", List.of(B, A), List.of(L0, L1, OTHER_TOP), empty);
        assertThat(other).isEqualTo(one);
        assertThat(one.description())
                .isEqualTo("sending layers up to " + L0.substring(0, 19) + " into c-control-plane, c-worker");
    }

    @Test
    void theKeyNamesTheStackUpToTheLowestLayerANodeLacks() {
        Map<String, Set<String>> held = Map.of("aaa", Set.of(L0, L1, L2), "bbb", Set.of(L0));
        WorkKey key = LayerSendKey.lowestMissing("e", List.of(A, B), List.of(L0, L1, L2), held);
        assertThat(key.description()).contains("up to sha256:ea74c8e45c72");
        WorkKey otherTop = LayerSendKey.lowestMissing("e", List.of(A, B), List.of(L0, L1, OTHER_TOP), held);
        assertThat(otherTop).isEqualTo(key);
        // different nodes or another engine: no waiting for each other
        assertThat(LayerSendKey.lowestMissing("e", List.of(B), List.of(L0, L1, L2), held))
                .isNotEqualTo(key);
        assertThat(LayerSendKey.lowestMissing("f", List.of(A, B), List.of(L0, L1, L2), held))
                .isNotEqualTo(key);
    }

    @Test
    void nothingToSendMeansNoKey() {
        Map<String, Set<String>> held = Map.of("aaa", Set.of(L0, L1), "bbb", Set.of(L0, L1));
        assertThat(LayerSendKey.lowestMissing("e", List.of(A, B), List.of(L0, L1), held))
                .isNull();
    }
}
