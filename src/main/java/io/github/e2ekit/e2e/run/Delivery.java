package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.ImageBinding;
import io.github.e2ekit.e2e.registry.RegistryCredentials;
import io.github.e2ekit.e2e.tag.TagDecision;
import java.util.List;
import java.util.Optional;

/**
 * How this run's images reach the cluster, chosen once from {@code <load><mode>}: into the kind nodes
 * ({@link KindDelivery}) or pushed to a registry the cluster pulls from ({@link RegistryDelivery}).
 */
public interface Delivery {
    /** Delivers every decided image; returns what deploy puts into the manifests for each. */
    List<ImageBinding> deliver(List<TagDecision> decided) throws ConfigException;

    /** {@code <load><mode>}. */
    enum Mode {
        KIND,
        REGISTRY
    }

    /** The {@code load} goal's parameters, checked. */
    record Settings(Mode mode, String registry, String serverId, List<String> preload) {
        public static Settings of(
                String mode,
                String configuredMode,
                String registry,
                String configuredRegistry,
                String serverId,
                List<String> preload)
                throws ConfigException {
            String m = mode != null && !mode.isBlank() ? mode : configuredMode;
            return new Settings(
                    Choice.parse("load/mode", m, Mode.KIND, Mode.class),
                    registry != null && !registry.isBlank() ? registry : configuredRegistry,
                    serverId == null || serverId.isBlank() ? null : serverId.trim(),
                    preload == null ? List.of() : List.copyOf(preload));
        }
    }

    /** settings.xml's {@code <server>} credentials (Maven decrypts them); empty when there is no such server. */
    @FunctionalInterface
    interface Servers {
        Optional<RegistryCredentials> credentials(String id) throws ConfigException;
    }

    /** The delivery {@code settings} choose. */
    static Delivery of(Run run, Settings settings, Servers servers) throws ConfigException {
        return settings.mode() == Mode.REGISTRY
                ? RegistryDelivery.of(run, settings, servers)
                : new KindDelivery(run, settings.preload());
    }
}
