package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.kind.KindClusters;
import io.github.e2ekit.e2e.teardown.ClusterDeletion;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {
    @Test
    void nothingConfiguredGivesTheDocumentedDefaults() throws ConfigException {
        ClusterSettings s = ClusterSettings.of("gateway", null, null, null, null, null, null, null, null, null);
        assertThat(s)
                .isEqualTo(new ClusterSettings(
                        "gateway-e2e",
                        KindClusters.Create.IF_MISSING,
                        ClusterDeletion.IF_CREATED,
                        null,
                        null,
                        Duration.ofMinutes(10),
                        "kind",
                        null));
    }

    @Test
    void thePropertyNameWinsOverTheConfiguredOne() throws ConfigException {
        assertThat(ClusterSettings.of("s", " from-property ", "configured", null, null, null, null, null, null, null)
                        .name())
                .isEqualTo("from-property");
        assertThat(ClusterSettings.of("s", " ", "configured", null, null, null, null, null, null, null)
                        .name())
                .isEqualTo("configured");
    }

    @Test
    void everySettingTheTeardownAfterAFailureNeedsIsKept() throws ConfigException {
        ClusterSettings s = ClusterSettings.of(
                "s",
                null,
                null,
                "recreate",
                "never",
                Path.of("kind.yaml"),
                "kindest/node:v1.31.0",
                "90s",
                "/opt/kind",
                Path.of("/tmp/kubeconfig"));
        assertThat(s.create()).isEqualTo(KindClusters.Create.RECREATE);
        assertThat(s.delete()).isEqualTo(ClusterDeletion.NEVER);
        assertThat(s.kindExecutable()).isEqualTo("/opt/kind");
        assertThat(s.createTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(s.kubeconfig()).isEqualTo(Path.of("/tmp/kubeconfig"));
        assertThat(s.nodeImage()).isEqualTo("kindest/node:v1.31.0");
    }

    @Test
    void wrongValuesNameTheirParameter() {
        assertThatThrownBy(() -> ClusterSettings.of("s", null, null, null, "sometimes", null, null, null, null, null))
                .hasMessage("<cluster/delete> 'sometimes' is not one of ifCreated, always, never");
        assertThatThrownBy(() -> ClusterSettings.of("s", null, null, null, null, null, null, "soon", null, null))
                .hasMessageStartingWith("<cluster/createTimeout> 'soon'");
    }
}
