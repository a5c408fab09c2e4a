package io.github.e2ekit.e2e.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineKind;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.NodeImageStore;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.registry.RegistryCredentials;
import io.github.e2ekit.e2e.registry.RegistryPush;
import io.github.e2ekit.e2e.registry.RegistryTarget;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test bed's kubelet pulls a loopback-hosted image as a kind node's containerd would: only through kind's
 * local-registry mirror (certs.d hosts.toml + the registry on the kind network), else ErrImagePull with
 * containerd's "connection refused" — the node's loopback is the node itself (see {@link NodeRegistryPull}).
 */
class NodeRegistryPullTest {
    @TempDir
    static Path dir;

    private static Engine engine;
    private static LocalRegistry registry;
    private static KindLikeCluster cluster;
    private static TestImages images;
    private static String builtId;
    private static RegistryPush.Pushed pushed;
    private static KindNode node;

    @BeforeAll
    static void pushAnImage() {
        engine = TestEngine.require();
        Assumptions.assumeTrue(
                engine.kind() == EngineKind.DOCKER, "pushes through Docker (127.0.0.0/8 is insecure there)");
        registry = LocalRegistry.start(dir, null, null);
        cluster = KindLikeCluster.start(
                engine, "wt-registry-pull-" + ProcessHandle.current().pid(), 0);
        node = cluster.nodes().get(0);
        images = new TestImages(engine);
        ImageReference local = ImageReference.parse("e2e-pull/app-" + images.run() + ":t1");
        builtId = images.busybox(local.toString(), "pulled");
        pushed = new RegistryPush(engine, Ledger.start(dir.resolve("ledger.json"), "test", "pull"))
                .push(
                        "app",
                        local,
                        builtId,
                        RegistryTarget.parse(registry.host() + "/kind"),
                        RegistryCredentials.anonymous(),
                        line -> {});
        engine.client().removeImageCmd(pushed.reference()).exec(); // the engine keeps no copy under that name
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (images != null) {
            images.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @AfterEach
    void undoTheSetUp() {
        if (cluster != null) { // each test starts from a node without the mirror and without the image
            KindLocalRegistry.tearDown(engine, cluster.nodes(), registry.host());
            new NodeImageStore(engine, node)
                    .remove(cluster.imageRefs(node).stream()
                            .filter(r -> r.startsWith(registry.host() + "/"))
                            .toList());
        }
    }

    private NodeRegistryPull.Result pull(String ref) {
        return new NodeRegistryPull(engine, node, null).pull(ref);
    }

    @Test
    void withoutKindsMirrorAPullFromTheHostsLoopbackIsRefusedInsideTheNode() {
        ContainerdNodeImages kubelet = new ContainerdNodeImages(cluster);

        assertThat(kubelet.pull(node.name(), pushed.pinned())).isFalse();

        assertThat(kubelet.pullFailure(node.name(), pushed.pinned()))
                .hasValueSatisfying(m -> assertThat(m)
                        .startsWith("failed to pull and unpack image \""
                                + pushed.reference().replaceFirst(":t1$", "") + "@" + pushed.digest()
                                + "\": failed to resolve reference")
                        .contains("Head \"https://" + registry.host() + "/v2/kind/e2e-pull/app-")
                        .endsWith("dial tcp " + registry.host() + ": connect: connection refused"));
        assertThat(kubelet.imageId(node.name(), pushed.pinned())).isEmpty();
    }

    @Test
    void kindsDocumentedSetUpLetsTheNodePullTheExactPushedImageFromTheMirror() {
        KindLocalRegistry.setUp(cluster, registry);
        ContainerdNodeImages kubelet = new ContainerdNodeImages(cluster);

        assertThat(kubelet.pull(node.name(), pushed.pinned())).isTrue();

        NodeImageStore store = new NodeImageStore(engine, node);
        String repo = pushed.reference().substring(0, pushed.reference().lastIndexOf(':'));
        assertThat(cluster.imageRefs(node)).contains(repo + "@" + pushed.digest()); // CRI's repo digest name
        assertThat(store.configDigest(pushed.digest())).hasValue(builtId); // the bytes this run built
        assertThat(kubelet.imageId(node.name(), pushed.pinned())).isPresent();
        // the host engine did not pull it behind the plugin's back: it has no name for the pushed repository
        assertThat(engine.client().listImagesCmd().withReferenceFilter(repo).exec())
                .isEmpty();
    }

    @Test
    void aPullByTagThroughTheMirrorAlsoNamesTheTag() {
        KindLocalRegistry.setUp(cluster, registry);

        assertThat(pull(pushed.reference()).pulled()).isTrue();

        String repo = pushed.reference().substring(0, pushed.reference().lastIndexOf(':'));
        assertThat(cluster.imageRefs(node)).contains(pushed.reference(), repo + "@" + pushed.digest());
    }

    @Test
    void aHostsTomlWhoseRegistryWasNeverConnectedToTheKindNetworkCannotResolveTheMirror() {
        KindLocalRegistry.writeHostsToml(
                engine, cluster.nodes(), registry.host(), "[host.\"http://kind-registry:5000\"]\n");

        NodeRegistryPull.Result r = pull(pushed.pinned());

        assertThat(r.pulled()).isFalse();
        // containerd reports the first host's connection error (resolver.go firstErrPriority): the mirror's
        assertThat(r.error())
                .contains("Head \"http://kind-registry:5000/v2/kind/e2e-pull/app-")
                .contains("?ns=" + registry.host())
                .endsWith("dial tcp: lookup kind-registry: no such host");
    }

    @Test
    void aMirrorOnLoopbackIsTheNodeItselfAndIsRefused() {
        KindLocalRegistry.writeHostsToml(
                engine, cluster.nodes(), registry.host(), "[host.\"http://" + registry.host() + "\"]\n");

        NodeRegistryPull.Result r = pull(pushed.pinned());

        assertThat(r.pulled()).isFalse();
        assertThat(r.error()).endsWith("dial tcp " + registry.host() + ": connect: connection refused");
    }

    @Test
    void anHttpsMirrorIsNotFallenBackToPlainHttp() {
        KindLocalRegistry.setUp(cluster, registry);
        KindLocalRegistry.writeHostsToml(
                engine, cluster.nodes(), registry.host(), "[host.\"https://kind-registry:5000\"]\n");

        NodeRegistryPull.Result r = pull(pushed.pinned());

        assertThat(r.pulled()).isFalse();
        assertThat(r.error())
                .contains("Head \"https://kind-registry:5000/v2/")
                .endsWith("http: server gave HTTP response to HTTPS client");
    }

    @Test
    void endpointsFollowContainerdsLookupOrderAndHostsOrder() {
        String host = registry.host();
        NodeRegistryPull p = new NodeRegistryPull(engine, node, null);
        assertThat(p.endpoints(host))
                .extracting(NodeRegistryPull.Endpoint::url)
                .containsExactly("https://" + host + "/v2");

        KindLocalRegistry.writeHostsToml(engine, cluster.nodes(), "_default", "[host.\"http://fallback:5000\"]\n");
        KindLocalRegistry.writeHostsToml(
                engine,
                cluster.nodes(),
                host,
                "server = \"http://origin:5000\"\n[host.\"http://first:5000\"]\n[host.\"http://second:5000\"]\n"
                        + "  capabilities = [\"push\"]\n[host.\"http://third:5000/custom\"]\n");
        try {
            assertThat(p.endpoints(host))
                    .extracting(NodeRegistryPull.Endpoint::url)
                    .containsExactly("http://first:5000/v2", "http://third:5000/custom/v2", "http://origin:5000/v2");
            KindLocalRegistry.tearDown(engine, cluster.nodes(), host);
            assertThat(p.endpoints(host))
                    .extracting(NodeRegistryPull.Endpoint::url)
                    .containsExactly("http://fallback:5000/v2", "https://" + host + "/v2");
        } finally {
            KindLocalRegistry.tearDown(engine, cluster.nodes(), "_default");
        }
    }

    @Test
    void loopbackIsWhatContainerdCallsLocalhost() {
        assertThat(List.of("127.0.0.1:5000", "localhost:5001", "[::1]:5000", "127.1.2.3", "localhost"))
                .allMatch(NodeRegistryPull::isLoopback);
        assertThat(List.of("kind-registry:5000", "registry.example.com", "10.0.0.1:5000", "128.0.0.1:5000"))
                .noneMatch(NodeRegistryPull::isLoopback);
    }
}
