package io.github.e2ekit.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateRunning;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The freshness check against what kubelets on containerd report (imageID = first repo digest, else config digest). */
class FreshnessCheckTest {
    private static final String BUILT = "sha256:" + "b1".repeat(32);
    private static final String OTHER_CONFIG = "sha256:" + "0f".repeat(32);
    private static final String MANIFEST = "sha256:" + "3a".repeat(32);
    private static final String OTHER_MANIFEST = "sha256:" + "4c".repeat(32);
    private static final String INDEX = "sha256:" + "5d".repeat(32);
    private static final String PUSHED = "sha256:" + "6e".repeat(32);
    private static final String REF = "localhost/e2e/app:t1";
    private static final ImageBinding LOADED = new ImageBinding("app", "localhost/e2e/app", REF, "d".repeat(64), BUILT);
    private static final ImageBinding PUSHED_BINDING = new ImageBinding(
            "app", "127.0.0.1:5000/e2e/app", "127.0.0.1:5000/e2e/app:t1@" + PUSHED, "d".repeat(64), BUILT, PUSHED);

    /** A node's content store: manifest and index digests with their configs; anything else is unknown. */
    private static final class Nodes implements NodeDigests {
        final List<String> reads = new ArrayList<>();

        @Override
        public Map<String, Resolution> resolve(String node, java.util.Set<String> digests) {
            reads.add(node + " " + digests);
            Map<String, Resolution> out = new LinkedHashMap<>();
            for (String d : digests) {
                out.put(
                        d,
                        d.equals(MANIFEST) || d.equals(INDEX)
                                ? Resolution.config(BUILT)
                                : d.equals(OTHER_MANIFEST)
                                        ? Resolution.config(OTHER_CONFIG)
                                        : Resolution.unresolved("the node's content store does not hold " + d));
            }
            return out;
        }
    }

    private static V1Pod pod(String name, String node, String specImage, String imageId) {
        return new V1Pod()
                .metadata(new V1ObjectMeta().name(name))
                .spec(new V1PodSpec()
                        .nodeName(node)
                        .containers(List.of(new V1Container().name("main").image(specImage))))
                .status(new V1PodStatus()
                        .containerStatuses(List.of(new V1ContainerStatus()
                                .name("main")
                                .image("docker.io/" + specImage)
                                .imageID(imageId)
                                .state(new V1ContainerState().running(new V1ContainerStateRunning())))));
    }

    static Stream<Arguments> fresh() {
        return Stream.of(
                Arguments.of(
                        "kind load: the import name's manifest, resolved on the node",
                        "docker.io/library/import-2026-12-02@" + MANIFEST,
                        LOADED),
                Arguments.of(
                        "an index resolved to the node platform's config",
                        "docker.io/library/import-2026-12-02@" + INDEX,
                        LOADED),
                Arguments.of("no digest name: the bare config digest", BUILT, LOADED),
                Arguments.of("the config digest under a name", "localhost/e2e/app@" + BUILT, LOADED),
                Arguments.of("dockershim's prefix", "docker-pullable://localhost/e2e/app@" + MANIFEST, LOADED),
                Arguments.of(
                        "registry mode: the pushed manifest digest, no node needed",
                        "127.0.0.1:5000/e2e/app@" + PUSHED,
                        PUSHED_BINDING));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fresh")
    void aPodRunningTheBuiltImageIsFreshWhateverDigestItReports(String why, String reported, ImageBinding b) {
        List<FreshnessCheck.Fresh> fresh = FreshnessCheck.check(
                List.of(pod("p", "kind-worker", b.reference(), reported)), List.of(b), new Nodes());
        assertThat(fresh).singleElement().satisfies(f -> assertThat(f.pods()).isEqualTo(1));
    }

    static Stream<Arguments> stale() {
        return Stream.of(
                Arguments.of(
                        "a manifest of another image",
                        "docker.io/library/import-2026-12-02@" + OTHER_MANIFEST,
                        "(image " + OTHER_CONFIG + " on node kind-worker)"),
                Arguments.of(
                        "a digest the node does not hold",
                        "docker.io/library/import-2026-12-02@" + PUSHED,
                        "(which cannot be resolved on node kind-worker: the node's content store does not hold "
                                + PUSHED + ")"),
                Arguments.of("another bare config digest", OTHER_CONFIG, "(an image ID)"),
                Arguments.of("no digest at all", "", "(no image digest)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stale")
    void aPodRunningAnotherImageIsStaleSayingWhatItRuns(String why, String reported, String what) {
        assertThatThrownBy(() -> FreshnessCheck.check(
                        List.of(pod("p", "kind-worker", REF, reported)), List.of(LOADED), new Nodes()))
                .isInstanceOf(DeployException.class)
                .hasMessageStartingWith("STALE: pod p runs " + reported + " ")
                .hasMessageContaining(what)
                .hasMessageEndingWith("this run built " + BUILT + " for " + REF);
    }

    @Test
    void everyContainerLeavesAProofAndTheStaleOneIsRecordedBeforeTheCheckFails() {
        List<io.github.e2ekit.e2e.ledger.ProofEntry> proofs = new ArrayList<>();
        FreshnessCheck.check(
                List.of(
                        pod("a", "n1", REF, "docker.io/library/import-2026-12-02@" + MANIFEST),
                        pod("b", "n2", REF, BUILT)),
                List.of(LOADED),
                new Nodes(),
                proofs);
        assertThat(proofs)
                .extracting(p -> p.pod + " " + p.node + " " + p.verdict + " " + p.resolved + " " + p.how)
                .containsExactlyInAnyOrder(
                        "a n1 fresh " + BUILT + " resolved on node n1", "b n2 fresh " + BUILT + " the image ID");
        assertThat(proofs).allSatisfy(p -> {
            assertThat(p.image).isEqualTo("app");
            assertThat(p.expected).isEqualTo(BUILT);
            assertThat(p.container).isEqualTo("main");
        });
        List<io.github.e2ekit.e2e.ledger.ProofEntry> stale = new ArrayList<>();
        String other = "docker.io/library/import-2026-12-02@" + OTHER_MANIFEST;
        assertThatThrownBy(() ->
                        FreshnessCheck.check(List.of(pod("c", "n1", REF, other)), List.of(LOADED), new Nodes(), stale))
                .hasMessageStartingWith("STALE: pod c");
        assertThat(stale).singleElement().satisfies(p -> {
            assertThat(p.verdict).isEqualTo("stale");
            assertThat(p.reported).isEqualTo(other);
            assertThat(p.resolved).isEqualTo(OTHER_CONFIG);
        });
    }

    @Test
    void withoutNodeAccessOnlyTheConfigOrPushedDigestProvesAnything() {
        assertThatThrownBy(() -> FreshnessCheck.check(
                        List.of(pod("p", "n1", REF, "docker.io/library/import-x@" + MANIFEST)), List.of(LOADED)))
                .hasMessageContaining("cannot be resolved on node n1: the cluster's nodes cannot be read");
    }

    @Test
    void eachNodeIsReadOnceForAllItsPods() {
        Nodes nodes = new Nodes();
        List<V1Pod> pods = List.of(
                pod("a", "n1", REF, "docker.io/library/import-2026-12-02@" + MANIFEST),
                pod("b", "n1", REF, "docker.io/library/import-2026-12-02@" + MANIFEST),
                pod("c", "n1", REF, "docker.io/library/import-2026-12-02@" + INDEX),
                pod("d", "n2", REF, "docker.io/library/import-2026-12-02@" + MANIFEST),
                pod("e", "n2", REF, BUILT));
        assertThat(FreshnessCheck.check(pods, List.of(LOADED), nodes))
                .singleElement()
                .satisfies(f -> assertThat(f.pods()).isEqualTo(5));
        assertThat(nodes.reads).containsExactly("n1 [" + MANIFEST + ", " + INDEX + "]", "n2 [" + MANIFEST + "]");
    }

    @Test
    void digestsAreTakenFromWhatTheKubeletReports() {
        assertThat(FreshnessCheck.digestOf("docker.io/library/import-2026-12-02@" + MANIFEST))
                .isEqualTo(MANIFEST);
        assertThat(FreshnessCheck.digestOf(BUILT)).isEqualTo(BUILT);
        assertThat(FreshnessCheck.digestOf("docker-pullable://x@" + MANIFEST)).isEqualTo(MANIFEST);
        assertThat(FreshnessCheck.digestOf("localhost/e2e/app:t1")).isNull();
        assertThat(FreshnessCheck.digestOf(null)).isNull();
        assertThat(FreshnessCheck.matches("x@" + BUILT, BUILT.substring(7))).isTrue();
        assertThat(FreshnessCheck.matches("x@" + MANIFEST, BUILT)).isFalse();
        assertThat(FreshnessCheck.matches("x@sha256:" + "b1".repeat(31), BUILT.substring(14)))
                .isFalse();
    }
}
