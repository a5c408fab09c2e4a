package io.github.e2ekit.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.testbed.TestEngine;
import io.github.e2ekit.e2e.testbed.TlsDockerd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The engine chosen as the docker CLI chooses it: a remote dockerd over TLS (a second dockerd started here, see
 * {@link TlsDockerd}) through DOCKER_HOST/DOCKER_TLS_VERIFY/DOCKER_CERT_PATH and through Docker contexts in a
 * temporary DOCKER_CONFIG; the well-known sockets through a temporary HOME/XDG_RUNTIME_DIR holding a link to a real
 * engine's socket, with the rootful sockets pointed elsewhere.
 */
class EngineEndpointsTest {
    private static final String NONE = "unix:///nonexistent/e2e-test/none.sock";

    @TempDir
    static Path daemonDir;

    private static TlsDockerd dockerd;

    @TempDir
    Path dir;

    @BeforeAll
    static void startTlsDockerd() throws Exception {
        dockerd = TlsDockerd.start(daemonDir);
    }

    @AfterAll
    static void stopTlsDockerd() throws Exception {
        if (dockerd != null) {
            dockerd.close();
        }
    }

    private static EngineDiscovery discovery() {
        return new EngineDiscovery(Duration.ofMinutes(1), NONE, NONE);
    }

    /** A context as `docker context create NAME --docker host=…,ca=…,cert=…,key=…` stores it (docker/cli cli/context/store). */
    private Path context(String name, String host, Path tls) throws Exception {
        Path config = Files.createDirectories(dir.resolve("docker-config"));
        String id = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
        Path meta = Files.createDirectories(config.resolve("contexts/meta").resolve(id));
        Files.writeString(
                meta.resolve("meta.json"),
                "{\"Name\":\"" + name + "\",\"Metadata\":{\"Description\":\"test\"},"
                        + "\"Endpoints\":{\"docker\":{\"Host\":\"" + host + "\",\"SkipTLSVerify\":false}}}");
        if (tls != null) {
            Path docker = Files.createDirectories(
                    config.resolve("contexts/tls").resolve(id).resolve("docker"));
            for (String f : List.of("ca.pem", "cert.pem", "key.pem")) {
                Files.copy(tls.resolve(f), docker.resolve(f));
            }
        }
        return config;
    }

    @Test
    void aRemoteEngineOverTlsIsReachedThroughDockerHostAndItsCertificates() throws Exception {
        Map<String, String> env = Map.of(
                "DOCKER_HOST",
                dockerd.host(),
                "DOCKER_TLS_VERIFY",
                "1",
                "DOCKER_CERT_PATH",
                dockerd.clientCertificates().toString(),
                "HOME",
                dir.toString());
        try (Engine engine = discovery().discover(null, env)) {
            assertThat(engine.kind()).isEqualTo(EngineKind.DOCKER);
            assertThat(engine.endpoint()).isEqualTo(dockerd.host());
            assertThat(engine.origin()).isEqualTo("DOCKER_HOST with TLS from " + dockerd.clientCertificates());
            assertThat(engine.client().listImagesCmd().exec()).isEmpty(); // the second daemon, not the shared one
            // a docker CLI (as kind's docker provider runs it) given the engine's environment reaches the same daemon
            ProcessBuilder pb = new ProcessBuilder("docker", "version", "--format", "{{.Server.Version}}")
                    .redirectErrorStream(true);
            pb.environment().putAll(engine.cliEnvironment());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(out).isEqualTo(engine.version());
        }
    }

    @Test
    void withoutTlsSettingsTheTlsEngineRefusesAndTheSettingIsNamed() {
        assertThatThrownBy(
                        () -> discovery().discover(null, Map.of("DOCKER_HOST", dockerd.host(), "HOME", dir.toString())))
                .isInstanceOf(EngineException.class)
                .hasMessageStartingWith("No container engine answered. Tried " + dockerd.host() + " (DOCKER_HOST): ");
    }

    @Test
    void theConfigsCurrentContextAndDockerContextChooseTheEngineAndDockerHostOverridesBoth() throws Exception {
        Path config = context("remote-tls", dockerd.host(), dockerd.clientCertificates());
        Files.writeString(config.resolve("config.json"), "{\"auths\":{},\"currentContext\":\"remote-tls\"}");
        Map<String, String> env = new HashMap<>(Map.of("DOCKER_CONFIG", config.toString(), "HOME", dir.toString()));
        try (Engine byCurrent = discovery().discover(null, env)) {
            assertThat(byCurrent.endpoint()).isEqualTo(dockerd.host());
            assertThat(byCurrent.origin())
                    .isEqualTo("Docker context 'remote-tls' (currentContext in " + config.resolve("config.json") + ")");
            assertThat(byCurrent.tlsCertPath())
                    .isEqualTo(config.resolve("contexts/tls")
                            .resolve(byCurrent.tlsCertPath().getParent().getFileName())
                            .resolve("docker"));
        }
        Engine docker = TestEngine.engine(EngineKind.DOCKER);
        context("local", docker.endpoint(), null);
        env.put("DOCKER_CONTEXT", "local");
        try (Engine byEnv = discovery().discover(null, env)) {
            assertThat(byEnv.endpoint()).isEqualTo(docker.endpoint());
            assertThat(byEnv.origin()).isEqualTo("Docker context 'local' (DOCKER_CONTEXT)");
            assertThat(byEnv.tlsCertPath()).isNull();
        }
        env.put("DOCKER_HOST", docker.endpoint());
        env.put("DOCKER_CONTEXT", "remote-tls");
        try (Engine byHost = discovery().discover(null, env)) {
            assertThat(byHost.origin()).isEqualTo("DOCKER_HOST");
        }
        env.remove("DOCKER_HOST");
        env.put("DOCKER_CONTEXT", "default"); // the CLI's way to ignore contexts: the sockets are probed
        try (Engine probed = new EngineDiscovery(Duration.ofMinutes(1), docker.endpoint(), NONE).discover(null, env)) {
            assertThat(probed.origin()).isEqualTo("Docker's default socket");
        }
    }

    @Test
    void anUnknownContextIsOneLineNamingTheSettingAndTheFix() throws Exception {
        Path config = context("other", "unix:///x.sock", null);
        assertThatThrownBy(() -> discovery()
                        .discover(null, Map.of("DOCKER_CONFIG", config.toString(), "DOCKER_CONTEXT", "colima-typo")))
                .isInstanceOf(EngineException.class)
                .hasMessage("the Docker context 'colima-typo' (DOCKER_CONTEXT) does not exist in "
                        + config.resolve("contexts")
                        + ": create it (docker context create colima-typo --docker host=…), or use another (docker context"
                        + " ls; DOCKER_CONTEXT, or <dockerHost>)");
        Files.writeString(config.resolve("config.json"), "{\"currentContext\":\"gone\"}");
        assertThatThrownBy(() -> discovery().discover(null, Map.of("DOCKER_CONFIG", config.toString())))
                .isInstanceOf(EngineException.class)
                .hasMessageStartingWith("the Docker context 'gone' (currentContext in " + config.resolve("config.json")
                        + ") does not exist");
    }

    @Test
    void anSshEngineIsOneLineSayingHowToForwardIt() throws Exception {
        Path config = context("over-ssh", "ssh://me@build-host", null);
        assertThatThrownBy(() -> discovery()
                        .discover(null, Map.of("DOCKER_CONFIG", config.toString(), "DOCKER_CONTEXT", "over-ssh")))
                .isInstanceOf(EngineException.class)
                .hasMessageStartingWith(
                        "Docker context 'over-ssh' (DOCKER_CONTEXT) names ssh://me@build-host, an engine"
                                + " over SSH, which the plugin's engine client (docker-java) cannot reach: forward its socket");
    }

    /** Discovery with DOCKER_HOST at the TLS engine, DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH={@code certs}. */
    private Engine discoverOverTls(Path certs) {
        return discovery()
                .discover(
                        null,
                        Map.of(
                                "DOCKER_HOST",
                                dockerd.host(),
                                "DOCKER_TLS_VERIFY",
                                "1",
                                "DOCKER_CERT_PATH",
                                certs.toString()));
    }

    @Test
    void aCertificateDirectoryThatCannotBeReadIsOneLineNamingTheSetting() throws Exception {
        Path missing = dir.resolve("no-such-certs");
        assertThatThrownBy(() -> discoverOverTls(missing))
                .isInstanceOf(EngineException.class)
                .hasMessage(
                        "DOCKER_TLS_VERIFY is set, but DOCKER_CERT_PATH " + missing + " is not a readable directory:"
                                + " point DOCKER_CERT_PATH at the directory holding them, or unset DOCKER_TLS_VERIFY for a plain"
                                + " connection");
        Path partial = Files.createDirectories(dir.resolve("partial"));
        Files.copy(dockerd.clientCertificates().resolve("ca.pem"), partial.resolve("ca.pem"));
        assertThatThrownBy(() -> discoverOverTls(partial))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining(partial + " has no readable cert.pem, key.pem: ");
        // a context whose TLS directory lost its key
        Path config = context("broken-tls", dockerd.host(), dockerd.clientCertificates());
        try (var files = Files.walk(config.resolve("contexts/tls"))) {
            Files.delete(files.filter(f -> f.getFileName().toString().equals("key.pem"))
                    .findFirst()
                    .orElseThrow());
        }
        assertThatThrownBy(() -> discovery()
                        .discover(null, Map.of("DOCKER_CONFIG", config.toString(), "DOCKER_CONTEXT", "broken-tls")))
                .isInstanceOf(EngineException.class)
                .hasMessageStartingWith("the Docker context 'broken-tls' (DOCKER_CONTEXT) uses TLS, but its directory ")
                .hasMessageContaining(
                        "has no readable key.pem: re-create its TLS material: docker context update broken-tls");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource({
        "XDG:docker.sock, rootless Docker's socket, DOCKER",
        "HOME:.docker/run/docker.sock, Docker Desktop's socket, DOCKER",
        "HOME:.colima/default/docker.sock, Colima's socket, DOCKER",
        "HOME:.orbstack/run/docker.sock, OrbStack's socket, DOCKER",
        "HOME:.rd/docker.sock, Rancher Desktop's socket, DOCKER",
        "XDG:podman/podman.sock, Podman's user socket, PODMAN",
        "HOME:.local/share/containers/podman/machine/podman-machine-default/podman.sock, podman machine's socket, PODMAN",
    })
    void eachWellKnownSocketIsFoundWhereItsEnginePutsIt(String where, String label, EngineKind kind) throws Exception {
        Engine real = TestEngine.engine(kind);
        // short: a unix socket path has at most 107 bytes, and podman machine's is deep
        Path root = Files.createTempDirectory(Path.of("/tmp"), "e2e");
        Path home = Files.createDirectories(root.resolve("h"));
        Path xdg = Files.createDirectories(root.resolve("x"));
        Path link = (where.startsWith("XDG:") ? xdg : home).resolve(where.substring(where.indexOf(':') + 1));
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, Path.of(real.endpoint().substring("unix://".length())));
        Map<String, String> env = Map.of("HOME", home.toString(), "XDG_RUNTIME_DIR", xdg.toString());
        try (Engine found = discovery().discover(null, env)) {
            assertThat(found.kind()).isEqualTo(kind);
            assertThat(found.endpoint()).isEqualTo("unix://" + link);
            assertThat(found.origin()).isEqualTo(label + " " + link);
        } finally {
            try (var files = Files.walk(root)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f); // the link, never what it points to
                }
            }
        }
    }

    @Test
    void theProbeOrderIsTheDocumentedOne() {
        Map<String, String> env = Map.of("HOME", "/h", "XDG_RUNTIME_DIR", "/run/user/1000", "TMPDIR", "/t");
        assertThat(new EngineEndpoints("unix:///var/run/docker.sock", "unix:///run/podman/podman.sock").probes(env))
                .extracting(EngineEndpoint::host)
                .containsExactly(
                        "unix:///var/run/docker.sock",
                        "unix:///run/user/1000/docker.sock",
                        "unix:///h/.docker/run/docker.sock",
                        "unix:///h/.colima/default/docker.sock",
                        "unix:///h/.orbstack/run/docker.sock",
                        "unix:///h/.rd/docker.sock",
                        "unix:///run/user/1000/podman/podman.sock",
                        "unix:///run/podman/podman.sock",
                        "unix:///h/.local/share/containers/podman/machine/podman-machine-default/podman.sock",
                        "unix:///h/.local/share/containers/podman/machine/qemu/podman.sock",
                        "unix:///t/podman/podman-machine-default-api.sock");
    }
}
