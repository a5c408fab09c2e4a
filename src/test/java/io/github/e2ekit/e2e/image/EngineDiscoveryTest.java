package io.github.e2ekit.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.testbed.TestEngine;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineDiscoveryTest {
    private static final String NO_DOCKER = "unix:///nonexistent/e2e-test/docker.sock";

    @Test
    void candidatesComeInTheDocumentedOrder() {
        // the full order, with the user's engines between: EngineEndpointsTest#theProbeOrderIsTheDocumentedOne
        assertThat(EngineDiscovery.candidates(null, Map.of("XDG_RUNTIME_DIR", "/run/user/1000", "HOME", "/h"))
                        .keySet())
                .startsWith("unix:///var/run/docker.sock", "unix:///run/user/1000/docker.sock")
                .containsSubsequence(
                        "unix:///var/run/docker.sock",
                        "unix:///run/user/1000/podman/podman.sock",
                        "unix:///run/podman/podman.sock");
        assertThat(EngineDiscovery.candidates("tcp://h:1", Map.of("DOCKER_HOST", "unix:///x", "DOCKER_CONTEXT", "y"))
                        .keySet())
                .containsExactly("tcp://h:1");
        assertThat(EngineDiscovery.candidates(" ", Map.of("DOCKER_HOST", "unix:///x"))
                        .keySet())
                .containsExactly("unix:///x");
    }

    @Test
    void podmansSocketIsFoundWhenNoDockerSocketAnswers() {
        Engine podman = TestEngine.engine(EngineKind.PODMAN);
        try (Engine found =
                new EngineDiscovery(Duration.ofMinutes(1), NO_DOCKER, podman.endpoint()).discover(null, Map.of())) {
            assertThat(found.kind()).isEqualTo(EngineKind.PODMAN);
            assertThat(found.endpoint()).isEqualTo(podman.endpoint());
            assertThat(found.describe()).matches("Podman 4\\.\\d+\\.\\d+ \\(API 1\\.\\d+\\) at " + podman.endpoint());
        }
    }

    @Test
    void podmansSocketIsFoundWhenDockersSocketIsThereButDead(@TempDir Path dir) throws Exception {
        Engine podman = TestEngine.engine(EngineKind.PODMAN);
        Path dead = dir.resolve("docker.sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(dead)); // closed below: the socket file stays, nobody answers
        }
        EngineDiscovery discovery = new EngineDiscovery(Duration.ofMinutes(1), "unix://" + dead, podman.endpoint());
        try (Engine found = discovery.discover(null, Map.of())) {
            assertThat(found.describe()).startsWith("Podman 4.");
        }
    }

    @Test
    void theDockerHostParameterAndDockerHostMayPointAtPodman() {
        Engine podman = TestEngine.engine(EngineKind.PODMAN);
        EngineDiscovery discovery = new EngineDiscovery(Duration.ofMinutes(1), NO_DOCKER, NO_DOCKER);
        try (Engine byParameter = discovery.discover(podman.endpoint(), Map.of("DOCKER_HOST", NO_DOCKER));
                Engine byEnv = discovery.discover(null, Map.of("DOCKER_HOST", podman.endpoint()))) {
            assertThat(byParameter.describe()).startsWith("Podman 4.");
            assertThat(byEnv.describe()).startsWith("Podman 4.");
        }
    }

    @Test
    void dockersSocketComesFirstWhenItAnswers() {
        Engine docker = TestEngine.engine(EngineKind.DOCKER);
        try (Engine found =
                new EngineDiscovery(Duration.ofMinutes(1), docker.endpoint(), NO_DOCKER).discover(null, Map.of())) {
            assertThat(found.kind()).isEqualTo(EngineKind.DOCKER);
            assertThat(found.describe()).startsWith("Docker ");
        }
    }

    @Test
    void noEngineNamesEverySocketTried() {
        assertThatThrownBy(() -> new EngineDiscovery(Duration.ofMinutes(1), NO_DOCKER, "unix:///nonexistent/p.sock")
                        .discover(null, Map.of()))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining(NO_DOCKER + " (Docker's default socket): no such socket")
                .hasMessageContaining("unix:///nonexistent/p.sock (Podman's system socket): no such socket");
    }
}
