package io.github.e2ekit.e2e.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.testbed.KindLikeCluster;
import io.github.e2ekit.e2e.testbed.KindLocalRegistry;
import io.github.e2ekit.e2e.testbed.TestEngine;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Registry mode's check that a kind cluster can pull from a registry on the host's loopback. */
class KindMirrorCheckTest {

    @Test
    void loopbackHostsAreTheOnesContainerdTreatsAsLocalhost() {
        assertThat(List.of("127.0.0.1:5001", "localhost:5001", "localhost", "[::1]:5000", "127.0.1.1", "LOCALHOST:1"))
                .allMatch(KindMirrorCheck::isLoopback);
        assertThat(List.of("registry.example.com", "kind-registry:5000", "10.1.2.3:5000", "ghcr.io", "[fe80::1]:5000"))
                .noneMatch(KindMirrorCheck::isLoopback);
    }

    @Test
    void looksWhereContainerdLooksInItsOrder() {
        assertThat(KindMirrorCheck.candidates("127.0.0.1:5001"))
                .containsExactly(
                        "/etc/containerd/certs.d/127.0.0.1_5001_", "/etc/containerd/certs.d/127.0.0.1:5001",
                        "/etc/containerd/certs.d/_default", "/etc/docker/certs.d/127.0.0.1_5001_",
                        "/etc/docker/certs.d/127.0.0.1:5001", "/etc/docker/certs.d/_default");
        assertThat(KindMirrorCheck.candidates("localhost"))
                .startsWith("/etc/containerd/certs.d/localhost", "/etc/containerd/certs.d/_default");
    }

    @Test
    void kindsDocumentedHostsTomlIsAUsableMirror() {
        KindMirrorCheck.NodeMirror m = KindMirrorCheck.judge(
                "kind-control-plane",
                "/etc/containerd/certs.d/localhost:5001",
                "[host.\"http://kind-registry:5000\"]\n");
        assertThat(m.usable()).isTrue();
        assertThat(m.endpoints()).containsExactly("http://kind-registry:5000");
    }

    @Test
    void aMirrorOnLoopbackIsTheNodeItselfAndNotUsable() {
        KindMirrorCheck.NodeMirror m = KindMirrorCheck.judge(
                "n",
                "/etc/containerd/certs.d/127.0.0.1:5001",
                "[host.\"http://127.0.0.1:5001\"]\n[host.\"http://localhost:5001\"]\n");
        assertThat(m.usable()).isFalse();
        assertThat(m.problem()).contains("only loopback endpoints").contains("the node itself");
    }

    @Test
    void endpointsAreTheHostTablesThatMayPullThenTheServer() throws Exception {
        assertThat(KindMirrorCheck.pullEndpoints("""
                server = "https://origin.example:5000"
                [host."http://push-only:5000"]
                  capabilities = ["push"]
                [host."http://mirror-a:5000"]
                  capabilities = ["pull", "resolve"]
                [host."mirror-b:5000"]
                """))
                .containsExactly("http://mirror-a:5000", "mirror-b:5000", "https://origin.example:5000");
        assertThat(KindMirrorCheck.hostOf("mirror-b:5000")).isEqualTo("mirror-b:5000");
        assertThat(KindMirrorCheck.hostOf("http://kind_registry:5000/v2")).isEqualTo("kind_registry:5000");
    }

    @Test
    void emptyOrBrokenHostsTomlIsNotAMirror() {
        assertThat(KindMirrorCheck.judge("n", "/d", "").problem()).isEqualTo("has /d but no hosts.toml in it");
        assertThat(KindMirrorCheck.judge("n", "/d", "# nothing\n").problem()).contains("names no [host.");
        assertThat(KindMirrorCheck.judge("n", "/d", "[host.\"http://x:5000\"\n").problem())
                .startsWith("has an unreadable /d/hosts.toml");
    }

    @Test
    void theRefusalIsOneLineWithKindsDocAndTheAlternatives() {
        String line = KindMirrorCheck.refusal(
                "127.0.0.1:5001",
                "dev",
                new KindMirrorCheck.NodeMirror(
                        "dev-control-plane",
                        null,
                        List.of(),
                        "has no /etc/containerd/certs.d/127.0.0.1:5001/hosts.toml"));
        assertThat(line)
                .doesNotContain("\n")
                .contains("kind cluster 'dev'")
                .contains("dev-control-plane")
                .contains(KindMirrorCheck.KIND_DOC)
                .contains("<load><mode>kind</mode>")
                .contains("a registry the nodes can reach");
    }

    @Test
    void onAKindClusterALoopbackRegistryNeedsKindsMirrorOnEveryNode() {
        Engine engine = TestEngine.require();
        String name = "wt-registry-check-" + ProcessHandle.current().pid();
        try (KindLikeCluster cluster = KindLikeCluster.start(engine, name, 1)) {
            RegistryTarget loopback = RegistryTarget.parse("127.0.0.1:5999/team");
            List<KindNode> nodes = cluster.nodes();

            assertThatThrownBy(() -> KindMirrorCheck.requireMirror(engine, name, loopback))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining(
                            "node " + name + "-control-plane has no /etc/containerd/certs.d/127.0.0.1:5999/hosts.toml");

            // kind's step 3 on the control plane only: the worker still cannot pull
            KindLocalRegistry.writeHostsToml(
                    engine, nodes.subList(0, 1), "127.0.0.1:5999", "[host.\"http://kind-registry:5000\"]\n");
            assertThatThrownBy(() -> KindMirrorCheck.requireMirror(engine, name, loopback))
                    .hasMessageContaining("node " + name + "-worker has no");

            KindLocalRegistry.writeHostsToml(engine, nodes, "127.0.0.1:5999", "[host.\"http://kind-registry:5000\"]\n");
            assertThat(KindMirrorCheck.requireMirror(engine, name, loopback))
                    .hasValue("kind cluster '" + name
                            + "': 2 node(s) pull 127.0.0.1:5999 through /etc/containerd/certs.d/127.0.0.1:5999/hosts.toml"
                            + " (http://kind-registry:5000)");
            assertThat(KindMirrorCheck.inspect(engine, nodes.get(1), "127.0.0.1:5999")
                            .directory())
                    .isEqualTo("/etc/containerd/certs.d/127.0.0.1:5999");

            // not loopback, or no kind cluster of that name: nothing to check
            assertThat(KindMirrorCheck.requireMirror(engine, name + "-absent", RegistryTarget.parse("localhost:1")))
                    .isEmpty();
            KindLocalRegistry.tearDown(engine, nodes, "127.0.0.1:5999");
            assertThat(KindMirrorCheck.requireMirror(engine, name, RegistryTarget.parse("registry.example.com")))
                    .isEmpty();
        }
    }
}
