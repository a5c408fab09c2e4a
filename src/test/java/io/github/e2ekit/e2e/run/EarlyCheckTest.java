package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EarlyCheckTest {
    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              ports:
              - port: 8080
            """;

    @TempDir
    Path basedir;

    private RunConfiguration config() throws ConfigException {
        return TestConfigurations.module(basedir, false);
    }

    private DeploySettings deploy(
            String namespace,
            String timeout,
            List<DeploySettings.EndpointSource> endpoints,
            Map<String, String> properties) {
        return new DeploySettings(
                namespace,
                List.of(new DeploySettings.Stage(List.of("k8s.yaml"), null, null)),
                timeout,
                null,
                null,
                endpoints,
                "kubectl",
                true,
                properties);
    }

    private static DeploySettings.EndpointSource endpoint(String service, int port) {
        return new DeploySettings.EndpointSource("api", service, port, null, null);
    }

    private void check(DeploySettings d) throws ConfigException {
        EarlyCheck.deployment(config(), "r1", List.of(), d, s -> {});
    }

    private void manifest(String yaml) throws IOException {
        Files.writeString(basedir.resolve("k8s.yaml"), yaml);
    }

    @Test
    void aConsistentConfigurationPasses() throws IOException {
        manifest(SERVICE);
        assertThatCode(() -> check(deploy(null, "90s", List.of(endpoint("web", 8080)), Map.of())))
                .doesNotThrowAnyException();
    }

    @Test
    void aWrongDeployTimeoutIsFoundBeforeAnythingIsBuilt() throws IOException {
        manifest(SERVICE);
        assertThatThrownBy(() -> check(deploy(null, "5 minutes", List.of(), Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("<deploy/timeout> '5 minutes'");
    }

    @Test
    void anUnresolvedPropertyInAManifestIsNamedWithItsLine() throws IOException {
        manifest(SERVICE + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  x: ${no.such}\n");
        assertThatThrownBy(() -> check(deploy(null, null, List.of(), Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("k8s.yaml line 14")
                .hasMessageContaining("${no.such}");
    }

    @Test
    void invalidYamlIsFoundEarly() throws IOException {
        manifest("apiVersion: v1\nkind: [\n");
        assertThatThrownBy(() -> check(deploy(null, null, List.of(), Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("invalid YAML");
    }

    @Test
    void anEndpointServiceTheManifestsDoNotCreateFailsInTheRunsOwnNamespace() throws IOException {
        manifest(SERVICE);
        assertThatThrownBy(() -> check(deploy(null, null, List.of(endpoint("nope", 8080)), Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("<endpoints/endpoint[1]/service> Service 'nope' not found")
                .hasMessageContaining("[web]");
    }

    @Test
    void anEndpointServiceMayAlreadyExistInAGivenNamespace() throws IOException {
        manifest(SERVICE);
        assertThatCode(() -> check(deploy("shared", null, List.of(endpoint("elsewhere", 80)), Map.of())))
                .doesNotThrowAnyException();
    }

    @Test
    void anEndpointPortTheServiceDoesNotDeclareIsNamed() throws IOException {
        manifest(SERVICE);
        assertThatThrownBy(() -> check(deploy(null, null, List.of(endpoint("web", 9090)), Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("<endpoints/endpoint[1]/port> Service 'web' has no port 9090")
                .hasMessageContaining("[8080]");
    }

    @Test
    void aMissingKubeconfigIsNamed() {
        assertThatThrownBy(() -> EarlyCheck.kubeconfig(basedir.resolve("nope.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("<kubeconfig> '")
                .hasMessageContaining("does not exist");
    }

    @Test
    void aKubeconfigThatIsNotOneIsNamed() throws IOException {
        Path k = Files.writeString(basedir.resolve("kubeconfig"), "just: [text\n");
        assertThatThrownBy(() -> EarlyCheck.kubeconfig(k))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("<kubeconfig> '" + k + "'");
    }

    @Test
    void aKubeconfigWithAContextPasses() throws IOException {
        Path k = Files.writeString(basedir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                current-context: c
                contexts:
                - name: c
                  context: {cluster: k, user: u}
                clusters:
                - name: k
                  cluster: {server: 'https://127.0.0.1:1'}
                users:
                - name: u
                  user: {token: t}
                """);
        assertThatCode(() -> EarlyCheck.kubeconfig(k)).doesNotThrowAnyException();
    }
}
