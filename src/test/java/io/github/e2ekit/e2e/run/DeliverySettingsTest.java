package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.teardown.RemoveImages;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliverySettingsTest {
    @Test
    void theModeIsKindUnlessSaidAndPropertiesOverrideThePom() throws ConfigException {
        assertThat(Delivery.Settings.of(null, null, null, null, null, null))
                .isEqualTo(new Delivery.Settings(Delivery.Mode.KIND, null, null, List.of()));
        Delivery.Settings s = Delivery.Settings.of(
                "registry", "kind", "from-property:5000", "pom:5000", " creds ", List.of("postgres:16"));
        assertThat(s)
                .isEqualTo(new Delivery.Settings(
                        Delivery.Mode.REGISTRY, "from-property:5000", "creds", List.of("postgres:16")));
        assertThat(Delivery.Settings.of(" ", "Registry", " ", "pom:5000", " ", null))
                .isEqualTo(new Delivery.Settings(Delivery.Mode.REGISTRY, "pom:5000", null, List.of()));
    }

    @Test
    void aWrongModeNamesItsParameter() {
        assertThatThrownBy(() -> Delivery.Settings.of(null, "ftp", null, null, null, null))
                .hasMessage("<load/mode> 'ftp' is not one of kind, registry");
    }

    @Test
    void theTeardownGoalsSettingsDefaultToAllButNewest() throws ConfigException {
        assertThat(RunTeardown.Settings.of(null, true, null).removeImages()).isEqualTo(RemoveImages.ALL_BUT_NEWEST);
        assertThat(RunTeardown.Settings.of("none", false, Path.of("s.xml")))
                .isEqualTo(new RunTeardown.Settings(RemoveImages.NONE, false, Path.of("s.xml")));
        assertThatThrownBy(() -> RunTeardown.Settings.of("some", true, null))
                .hasMessage("<removeImages> 'some' is not one of allButNewest, all, none");
    }
}
