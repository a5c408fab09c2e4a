package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.image.BuildSecret;
import io.github.e2ekit.e2e.image.BuilderChoice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuildSettingsTest {
    @Test
    void theBuildParametersAreParsedOnce() throws ConfigException {
        Build.Settings s = Build.Settings.of(
                true,
                true,
                false,
                "20m",
                false,
                true,
                "classic",
                null,
                "host",
                List.of(new Build.SecretSource(" token ", null, " TOKEN ")),
                false);
        assertThat(s.timeout()).isEqualTo(Duration.ofMinutes(20));
        assertThat(s.builder()).isEqualTo(BuilderChoice.CLASSIC);
        assertThat(s.secrets()).containsExactly(new BuildSecret("token", null, "TOKEN"));
        assertThat(Build.Settings.of(false, false, false, "15m", true, true, null, null, null, null, false)
                        .builder())
                .isEqualTo(BuilderChoice.AUTO);
    }

    @Test
    void offlineTurnsPullingOff() throws ConfigException {
        assertThat(Build.Settings.of(false, true, false, "1m", true, true, null, null, null, null, true)
                        .options()
                        .pull())
                .isFalse();
        assertThat(Build.Settings.of(false, true, false, "1m", true, true, null, null, null, null, false)
                        .options()
                        .pull())
                .isTrue();
    }

    @Test
    void wrongValuesNameTheirParameter() {
        assertThatThrownBy(() ->
                        Build.Settings.of(false, false, false, "1m", true, true, "kaniko", null, null, null, false))
                .hasMessage("<builder> 'kaniko' is not one of auto, classic, buildkit");
        assertThatThrownBy(
                        () -> Build.Settings.of(false, false, false, "long", true, true, null, null, null, null, false))
                .hasMessageStartingWith("<buildTimeout> 'long'");
        assertThatThrownBy(() -> Build.secrets(List.of(new Build.SecretSource(null, Path.of("f"), null))))
                .hasMessageStartingWith("<secrets/secret/id> is missing");
        assertThatThrownBy(() -> Build.secrets(List.of(new Build.SecretSource("s", Path.of("f"), "ENV"))))
                .hasMessage("<secrets/secret> 's' needs exactly one of <file> and <env>");
        assertThatThrownBy(() -> Build.secrets(List.of(new Build.SecretSource("s", null, " "))))
                .hasMessage("<secrets/secret> 's' needs exactly one of <file> and <env>");
    }

    @Test
    void shortIdsAreTwelveHexDigits() {
        assertThat(Build.shortId("sha256:" + "ab".repeat(32))).isEqualTo("sha256:abababababab");
        assertThat(Build.shortId("abc")).isEqualTo("sha256:abc");
    }
}
