package io.github.e2ekit.e2e.registry;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineKind;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.testbed.LocalRegistry;
import io.github.e2ekit.e2e.testbed.TestEngine;
import io.github.e2ekit.e2e.testbed.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Podman's compat API pushes with TLS verification on, and (unlike Docker) does not take 127.0.0.0/8
 * as insecure: a plain-HTTP registry not declared in registries.conf gets an error that says so.
 */
class RegistryPushPodmanTest {
    @TempDir
    Path dir;

    @Test
    void aPlainHttpRegistryIsExplained() {
        Engine podman = TestEngine.engines().stream()
                .map(Named::getPayload)
                .filter(e -> e.kind() == EngineKind.PODMAN)
                .findFirst()
                .orElse(null);
        Assumptions.assumeTrue(podman != null, "no Podman here (TestEngine says so loudly; CI=true requires it)");
        try (LocalRegistry registry = LocalRegistry.start(dir, null, null);
                TestImages images = new TestImages(podman)) {
            ImageReference ref = ImageReference.parse("localhost/e2e-push/plain-" + images.run() + ":t1");
            String id = images.busybox(ref.toString(), "v1");
            RegistryTarget target = RegistryTarget.parse(registry.host());
            try {
                assertThatThrownBy(() -> new RegistryPush(podman, Ledger.open(dir.resolve("ledger.json")))
                                .push("app", ref, id, target, RegistryCredentials.anonymous(), line -> {}))
                        .isInstanceOf(RegistryException.class)
                        .hasMessageContaining("the registry speaks plain HTTP")
                        .hasMessageContaining("insecure = true in registries.conf");
            } finally {
                try {
                    podman.client()
                            .removeImageCmd(target.referenceFor(ref).toString())
                            .exec();
                } catch (RuntimeException e) {
                    // not tagged
                }
            }
        }
    }
}
