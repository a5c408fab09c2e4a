package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.deploy.DeployPlan;
import io.github.e2ekit.e2e.deploy.EndpointSpec;
import io.github.e2ekit.e2e.deploy.HealPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeploySettingsTest {
    @TempDir
    Path basedir;

    private static DeploySettings settings(
            String namespace,
            List<DeploySettings.Stage> stages,
            String timeout,
            List<DeploySettings.EndpointSource> endpoints,
            Map<String, String> properties) {
        return new DeploySettings(namespace, stages, timeout, null, null, endpoints, "kubectl", true, properties);
    }

    private static DeploySettings.Stage stage(String... manifests) {
        return new DeploySettings.Stage(List.of(manifests), null, null);
    }

    @Test
    void stagesBecomeThePlanInOrderWithPathsFromTheModuleAndTheDefaultTimeout() throws Exception {
        Files.writeString(basedir.resolve("db.yaml"), "");
        Files.createDirectories(basedir.resolve("app"));
        DeployPlan plan = settings(null, List.of(stage("db.yaml"), stage(" app/ ")), null, null, Map.of())
                .plan(basedir, "ns1");
        assertThat(plan.namespace()).isEqualTo("ns1");
        assertThat(plan.stages()).containsExactly(List.of(basedir.resolve("db.yaml")), List.of(basedir.resolve("app")));
        assertThat(plan.timeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(plan.heal()).isEqualTo(HealPolicy.DEFAULT);
    }

    @Test
    void aMissingOrEmptyStageNamesItsPlace() throws Exception {
        assertThatThrownBy(() -> settings(null, null, null, null, Map.of()).plan(basedir, "ns"))
                .hasMessage("<deploy/stages> is empty: give at least one <stage><manifests><manifest>");
        assertThatThrownBy(() -> settings(null, List.of(stage("nope.yaml")), null, null, Map.of())
                        .plan(basedir, "ns"))
                .hasMessage("<deploy/stages/stage[1]/manifests> manifest '" + basedir.resolve("nope.yaml")
                        + "' does not exist");
        Files.writeString(basedir.resolve("a.yaml"), "");
        assertThatThrownBy(() -> settings(
                                null,
                                List.of(stage("a.yaml"), new DeploySettings.Stage(List.of(), null, null)),
                                null,
                                null,
                                Map.of())
                        .plan(basedir, "ns"))
                .hasMessage("<deploy/stages/stage[2]/manifests> is empty");
    }

    @Test
    void theTimeoutAndTheHealSettingsAreCheckedAndPropertiesOverrideThePom() throws Exception {
        Files.writeString(basedir.resolve("a.yaml"), "");
        assertThatThrownBy(() -> settings(null, List.of(stage("a.yaml")), "5 minutes", null, Map.of())
                        .plan(basedir, "ns"))
                .hasMessageStartingWith("<deploy/timeout> '5 minutes' is not a positive duration");
        DeploySettings pom = new DeploySettings(
                null,
                List.of(stage("a.yaml")),
                "90s",
                "30s",
                4,
                null,
                "kubectl",
                true,
                Map.of("e2e.deploy.healRestarts", "0"));
        DeployPlan plan = pom.plan(basedir, "ns");
        assertThat(plan.timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(plan.heal()).isEqualTo(new HealPolicy(Duration.ofSeconds(30), 0));
        DeploySettings negative =
                new DeploySettings(null, List.of(stage("a.yaml")), null, null, -1, null, "kubectl", true, Map.of());
        assertThatThrownBy(() -> negative.plan(basedir, "ns"))
                .hasMessage("<deploy/healRestarts> must be a whole number of restarts, 0 or more (was '-1')");
    }

    @Test
    void theNamespaceIsTheConfiguredOneOrTheRunsAndASystemNamespaceIsRefused() throws Exception {
        assertThat(settings(" mine ", null, null, null, Map.of()).namespace("svc", "0a1b2c3d"))
                .isEqualTo("mine");
        assertThat(settings(null, null, null, null, Map.of()).namespace("svc", "0a1b2c3d"))
                .isEqualTo("e2e-svc-0a1b2c3d");
        Files.writeString(basedir.resolve("a.yaml"), "");
        assertThatThrownBy(() -> settings("kube-system", List.of(stage("a.yaml")), null, null, Map.of())
                        .plan(basedir, "kube-system"))
                .hasMessageStartingWith("<namespace> 'kube-system' is a system namespace");
    }

    @Test
    void endpointsAreCheckedAndTheirModeParsed() throws ConfigException {
        List<EndpointSpec> specs = settings(
                        null,
                        null,
                        null,
                        List.of(
                                new DeploySettings.EndpointSource("api", " api-svc ", 8080, "/readyz", null),
                                new DeploySettings.EndpointSource("np", "np-svc", 80, null, "nodePort")),
                        Map.of())
                .endpointSpecs("ns");
        assertThat(specs)
                .containsExactly(
                        new EndpointSpec("api", "api-svc", 8080, "/readyz", "ns", false),
                        new EndpointSpec("np", "np-svc", 80, null, "ns", true));
        assertThatThrownBy(() -> settings(
                                null,
                                null,
                                null,
                                List.of(new DeploySettings.EndpointSource("api", "s", null, null, null)),
                                Map.of())
                        .endpointSpecs("ns"))
                .hasMessage("<endpoints/endpoint[1]/port> is missing or not" + " a port number");
        assertThatThrownBy(() -> settings(
                                null,
                                null,
                                null,
                                List.of(new DeploySettings.EndpointSource("a b", "s", 1, null, null)),
                                Map.of())
                        .endpointSpecs("ns"))
                .hasMessageStartingWith("<endpoints/endpoint[1]/name>");
        assertThatThrownBy(() -> settings(
                                null,
                                null,
                                null,
                                List.of(new DeploySettings.EndpointSource("a", " ", 1, null, null)),
                                Map.of())
                        .endpointSpecs("ns"))
                .hasMessage("<endpoints/endpoint[1]/service> is missing:" + " name the Service to reach");
        assertThatThrownBy(() -> settings(
                                null,
                                null,
                                null,
                                List.of(new DeploySettings.EndpointSource("a", "s", 1, null, "ingress")),
                                Map.of())
                        .endpointSpecs("ns"))
                .hasMessage("<endpoints/endpoint[1]/mode> 'ingress'" + " is not one of portForward, nodePort");
    }

    @Test
    void helmsReleaseNameIsTheServiceAsADnsLabelOfAtMost53Characters() {
        assertThat(DeploySettings.helmRelease("Data_Storage")).isEqualTo("data-storage");
        assertThat(DeploySettings.helmRelease("___")).isEqualTo("e2e");
        assertThat(DeploySettings.helmRelease("a".repeat(60))).hasSize(53);
    }
}
