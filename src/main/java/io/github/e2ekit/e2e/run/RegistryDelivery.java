package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.ImageBinding;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.registry.DockerConfigCredentials;
import io.github.e2ekit.e2e.registry.KindMirrorCheck;
import io.github.e2ekit.e2e.registry.RegistryCredentials;
import io.github.e2ekit.e2e.registry.RegistryPush;
import io.github.e2ekit.e2e.registry.RegistryTarget;
import io.github.e2ekit.e2e.tag.TagDecision;
import java.util.List;
import java.util.Optional;

/**
 * Delivery by pushing to a registry and pinning by digest, for clusters that pull: wraps {@link RegistryPush}. The
 * kind cluster of the configured name (if there is one) is only read: a registry on the host's loopback needs kind's
 * local-registry mirror. The credentials are looked up when delivering: settings.xml's {@code <server>} ({@code serverId},
 * else the registry host), else the Docker client's config.
 */
record RegistryDelivery(Run run, RegistryTarget target, String serverId, Delivery.Servers servers) implements Delivery {
    static RegistryDelivery of(Run run, Settings settings, Servers servers) throws ConfigException {
        RegistryTarget target;
        try {
            target = RegistryTarget.parse(settings.registry());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("load/registry", e.getMessage());
        }
        if (!settings.preload().isEmpty()) {
            throw new ConfigException(
                    "preload",
                    "applies to <load><mode>kind</mode> only: with a registry the cluster"
                            + " pulls, so push those images to " + target + " yourself, or drop <preload>");
        }
        return new RegistryDelivery(run, target, settings.serverId(), servers);
    }

    @Override
    public List<ImageBinding> deliver(List<TagDecision> decided) throws ConfigException {
        Engine engine = run.engine();
        RunLog log = run.log();
        KindMirrorCheck.requireMirror(engine, run.config().cluster().name(), target)
                .ifPresent(log::info);
        RegistryCredentials credentials = credentials(target.host());
        RegistryPush pusher = new RegistryPush(engine, run.ledger());
        for (TagDecision t : decided) {
            String builtId =
                    run.ledger().read(d -> d.image(t.id()).map(e -> e.imageId).orElse(null));
            RegistryPush.Pushed p = pusher.push(
                    t.id(), t.reference(), builtId, target, credentials, line -> log.info(t.id() + ": " + line));
            run.export("e2e.pushed." + t.id(), p.pinned());
            log.info(t.id() + ": " + p.summary());
        }
        return ImageBindings.planned(run, decided);
    }

    /** settings.xml {@code <server>} (id: serverId, else the registry host), else the Docker client's config. */
    private RegistryCredentials credentials(String host) throws ConfigException {
        Optional<RegistryCredentials> server = servers.credentials(serverId != null ? serverId : host);
        if (server.isEmpty() && serverId != null) {
            throw new ConfigException(
                    "load/serverId",
                    "no <server> with id '" + serverId + "' in settings.xml: add it,"
                            + " or drop <serverId> to use the Docker client's login for " + host);
        }
        if (server.isPresent()) {
            return server.get();
        }
        return DockerConfigCredentials.find(
                        DockerConfigCredentials.directory(System.getenv(), System.getProperty("user.home")), host)
                .orElse(RegistryCredentials.anonymous());
    }
}
