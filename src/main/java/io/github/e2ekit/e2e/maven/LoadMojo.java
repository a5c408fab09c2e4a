package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageLabels;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.ClusterLock;
import io.github.e2ekit.e2e.kind.ClusterUsers;
import io.github.e2ekit.e2e.kind.ImageLoader;
import io.github.e2ekit.e2e.kind.KindCli;
import io.github.e2ekit.e2e.kind.KindClusters;
import io.github.e2ekit.e2e.kind.KindKubeconfig;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.LoadResult;
import io.github.e2ekit.e2e.ledger.ClusterEntry;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.tag.TagDecision;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import io.github.e2ekit.e2e.registry.DockerConfigCredentials;
import io.github.e2ekit.e2e.registry.KindMirrorCheck;
import io.github.e2ekit.e2e.registry.RegistryCredentials;
import io.github.e2ekit.e2e.registry.RegistryPush;
import io.github.e2ekit.e2e.registry.RegistryTarget;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/**
 * Puts the exact images of this run into every node of the kind cluster; or, with
 * {@code <load><mode>registry</mode>}, pushes them to a registry and pins them by digest for clusters that pull.
 */
@Mojo(name = "load", defaultPhase = LifecyclePhase.PRE_INTEGRATION_TEST, threadSafe = true)
public class LoadMojo extends AbstractE2eMojo {
    /**
     * The kind cluster: {@code <name>} (default {@code <service>-e2e}; {@code -De2e.cluster.name}),
     * {@code <create>} ({@code ifMissing} default, {@code never}, {@code recreate}), {@code <config>} (a kind config
     * file; none by default), {@code <nodeImage>} (kind's default), {@code <delete>} at teardown
     * ({@code ifCreated} default, {@code always}, {@code never}), {@code <createTimeout>} (default {@code 10m}:
     * {@code kind create cluster} is stopped after it; its output is logged as it comes).
     */
    @Parameter
    ClusterConfig cluster;

    /** Cluster name (overrides {@code <cluster><name>}). */
    @Parameter(property = "e2e.cluster.name")
    String clusterName;

    /** Kubeconfig of the cluster; default: derived from the control-plane node into target/e2e/kubeconfig. */
    @Parameter(property = "e2e.kubeconfig")
    File kubeconfig;

    /** The kind executable. */
    @Parameter(property = "e2e.kindExecutable", defaultValue = "kind")
    String kindExecutable;

    /** Images that exist locally (e.g. postgres:16-alpine) to load as well, so pods never pull. */
    @Parameter
    List<String> preload;

    /**
     * How images reach the cluster: {@code <mode>kind</mode>} (default) or {@code <mode>registry</mode>} with
     * {@code <registry>} (and optionally {@code <serverId>}) for clusters that pull: ones that are not kind, or a
     * kind cluster with kind's local-registry mirror for a registry on 127.0.0.1 (checked before pushing).
     */
    @Parameter
    LoadConfig load;

    /** Overrides {@code <load><mode>}. */
    @Parameter(property = "e2e.load.mode")
    String loadMode;

    /** Overrides {@code <load><registry>}. */
    @Parameter(property = "e2e.load.registry")
    String loadRegistry;

    /** Maven settings: {@code <server>} credentials for {@code load.mode=registry}. */
    @Parameter(defaultValue = "${settings}", readonly = true)
    Settings settings;

    @Component
    SettingsDecrypter settingsDecrypter;

    /** Skips this goal. */
    @Parameter(property = "e2e.skip.load", defaultValue = "false")
    boolean skipLoad;

    @Override
    protected String goal() {
        return "load";
    }

    @Override
    protected boolean skipGoal() {
        return skipLoad;
    }

    String clusterName() {
        if (clusterName != null && !clusterName.isBlank()) {
            return clusterName.trim();
        }
        return cluster != null && cluster.name != null && !cluster.name.isBlank() ? cluster.name.trim()
                : service + "-e2e";
    }

    KindClusters.Create createMode() throws ConfigException {
        String c = cluster == null || cluster.create == null ? "ifMissing" : cluster.create.trim();
        return switch (c.toLowerCase(Locale.ROOT)) {
            case "ifmissing" -> KindClusters.Create.IF_MISSING;
            case "never" -> KindClusters.Create.NEVER;
            case "recreate" -> KindClusters.Create.RECREATE;
            default -> throw new ConfigException("cluster/create", "'" + c + "' is not one of ifMissing, never, recreate");
        };
    }

    boolean registryMode() throws ConfigException {
        String m = loadMode != null && !loadMode.isBlank() ? loadMode.trim()
                : load == null || load.mode == null || load.mode.isBlank() ? "kind" : load.mode.trim();
        return switch (m.toLowerCase(Locale.ROOT)) {
            case "kind" -> false;
            case "registry" -> true;
            default -> throw new ConfigException("load/mode", "'" + m + "' is not one of kind, registry");
        };
    }

    @Override
    protected void run() throws ConfigException {
        if (registryMode()) {
            push();
            return;
        }
        List<TagDecision> decided = decisions();
        RunState state = runState();
        Engine engine = engine();
        String name = clusterName();
        KindClusters.Create create = createMode();
        Path derived = workDirectory.toPath().resolve("kubeconfig");
        Path kubeconfigOut = kubeconfig != null ? kubeconfig.toPath() : derived;
        KindClusters clusters = new KindClusters(engine, new KindCli(kindExecutable, engine,
                line -> getLog().info("e2e: kind: " + line), duration("cluster/createTimeout",
                        cluster == null ? "10m" : cluster.createTimeout)),
                ClusterLock.defaultDirectory());
        state.ledger.update(d -> {
            if (d.cluster == null) {
                d.cluster = new ClusterEntry();
                d.cluster.name = name;
                d.cluster.provider = engine.kind().kindProvider();
                d.cluster.state = create == KindClusters.Create.NEVER ? EntryState.REUSED : EntryState.INTENDED;
            }
        });
        KindClusters.Ensured ensured = clusters.ensure(name, create,
                cluster != null && cluster.config != null ? cluster.config.toPath() : null,
                cluster == null ? null : cluster.nodeImage, kubeconfigOut);
        state.ledger.update(d -> {
            d.cluster.state = ensured.created() ? EntryState.CREATED : EntryState.REUSED;
            d.cluster.kubeconfig = kubeconfigOut.toString();
        });
        try (ClusterLock lock = ClusterLock.acquire(ClusterLock.defaultDirectory(), name)) {
            new ClusterUsers(ClusterLock.defaultDirectory(), name).join(state.run);
        }
        if (kubeconfig == null && !ensured.created()) {
            KindKubeconfig.derive(engine, name, ensured.nodes(), derived);
        }
        project.getProperties().setProperty("e2e.kubeconfig", kubeconfigOut.toString());
        project.getProperties().setProperty("e2e.cluster", name);
        List<KindNode> nodes = ensured.nodes();
        getLog().info("e2e: cluster '" + name + "': " + nodes.size() + " node(s)"
                + (ensured.created() ? " (created by this run)" : ""));
        ImageLoader loader = new ImageLoader(engine, state.ledger, name).withNodeLabels(Map.of(
                ImageLabels.EXPIRES, expiry().toString(),
                ImageLabels.RUN, state.run));
        for (TagDecision t : decided) {
            String builtId = state.ledger.read(d -> d.image(t.id()).map(e -> e.imageId).orElse(null));
            LoadResult r = loader.load(nodes, t.reference(), builtId);
            getLog().info("e2e: " + t.id() + ": " + r.summary());
        }
        if (preload != null) {
            for (String p : preload) {
                ImageReference ref;
                try {
                    ref = ImageReference.parse(p);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("preload", e.getMessage());
                }
                LoadResult r = loader.load(nodes, ref, null);
                getLog().info("e2e: preload " + p + ": " + r.summary());
            }
        }
    }

    /**
     * {@code load.mode=registry}: every image of this run pushed and pinned by digest. The kind cluster of this
     * name (if there is one) is only read: a registry on the host's loopback needs kind's local-registry mirror.
     */
    private void push() throws ConfigException {
        String where = loadRegistry != null && !loadRegistry.isBlank() ? loadRegistry : load == null ? null : load.registry;
        RegistryTarget target;
        try {
            target = RegistryTarget.parse(where);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("load/registry", e.getMessage());
        }
        if (preload != null && !preload.isEmpty()) {
            throw new ConfigException("preload", "applies to <load><mode>kind</mode> only: with a registry the cluster"
                    + " pulls, so push those images to " + target + " yourself, or drop <preload>");
        }
        List<TagDecision> decided = decisions();
        RunState state = runState();
        Engine engine = engine();
        // a registry on the host's loopback and a kind cluster: only through kind's local-registry mirror
        KindMirrorCheck.requireMirror(engine, clusterName(), target).ifPresent(m -> getLog().info("e2e: " + m));
        RegistryCredentials credentials = credentials(target.host());
        RegistryPush pusher = new RegistryPush(engine, state.ledger);
        for (TagDecision t : decided) {
            String builtId = state.ledger.read(d -> d.image(t.id()).map(e -> e.imageId).orElse(null));
            RegistryPush.Pushed p = pusher.push(t.id(), t.reference(), builtId, target, credentials,
                    line -> getLog().info("e2e: " + t.id() + ": " + line));
            project.getProperties().setProperty("e2e.pushed." + t.id(), p.pinned());
            getLog().info("e2e: " + t.id() + ": " + p.summary());
        }
    }

    /** settings.xml {@code <server>} (id: serverId, else the registry host), else the Docker client's config. */
    private RegistryCredentials credentials(String host) throws ConfigException {
        String id = load != null && load.serverId != null && !load.serverId.isBlank() ? load.serverId.trim() : host;
        Server server = settings == null ? null : settings.getServer(id);
        if (server == null && load != null && load.serverId != null && !load.serverId.isBlank()) {
            throw new ConfigException("load/serverId", "no <server> with id '" + id + "' in settings.xml: add it, or"
                    + " drop <serverId> to use the Docker client's login for " + host);
        }
        if (server != null) {
            SettingsDecryptionResult r = settingsDecrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
            if (!r.getProblems().isEmpty()) {
                throw new ConfigException("load/serverId", "cannot decrypt the password of settings.xml server '" + id
                        + "': " + r.getProblems().get(0).getMessage());
            }
            Server s = r.getServer();
            if (s.getUsername() == null || s.getUsername().isBlank()) {
                throw new ConfigException("load/serverId", "settings.xml server '" + id + "' has no <username>");
            }
            return RegistryCredentials.password(s.getUsername(), s.getPassword() == null ? "" : s.getPassword(),
                    "settings.xml server '" + id + "'");
        }
        return DockerConfigCredentials.find(DockerConfigCredentials.directory(System.getenv(),
                System.getProperty("user.home")), host).orElse(RegistryCredentials.anonymous());
    }
}
