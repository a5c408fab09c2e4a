package io.github.e2ekit.e2e.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.image.ImageReference;
import org.junit.jupiter.api.Test;

class RegistryTargetTest {
    @Test
    void pushNamesKeepTheLocalPathAndTagUnderTheRegistry() {
        RegistryTarget t = RegistryTarget.parse("https://registry.example.com:5000/team/");
        assertThat(t.host()).isEqualTo("registry.example.com:5000");
        assertThat(t.prefix()).isEqualTo("team");
        assertThat(t.referenceFor(ImageReference.parse("datastorage:ds-1a2b")).toString())
                .isEqualTo("registry.example.com:5000/team/datastorage:ds-1a2b");
        // a host the local name carries (Podman's localhost/, another registry) is replaced
        assertThat(RegistryTarget.parse("127.0.0.1:5000")
                        .referenceFor(ImageReference.parse("localhost/e2e/app:t"))
                        .toString())
                .isEqualTo("127.0.0.1:5000/e2e/app:t");
        assertThat(RegistryTarget.parse("localhost")
                        .referenceFor(ImageReference.parse("ghcr.io/o/app:t"))
                        .toString())
                .isEqualTo("localhost/o/app:t");
    }

    @Test
    void aValueWithoutARegistryHostIsRefusedWithAnExample() {
        assertThatThrownBy(() -> RegistryTarget.parse("myteam"))
                .hasMessageContaining("does not start with a registry host")
                .hasMessageContaining("127.0.0.1:5000");
        assertThatThrownBy(() -> RegistryTarget.parse(" ")).hasMessageContaining("is empty");
        assertThatThrownBy(() -> RegistryTarget.parse("reg.example.com/Team"))
                .hasMessageContaining("is not a valid registry");
    }
}
