package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.run.Build;
import io.github.e2ekit.e2e.run.ClusterSettings;
import io.github.e2ekit.e2e.run.ConfigException;
import io.github.e2ekit.e2e.run.Delivery;
import io.github.e2ekit.e2e.run.DeploySettings;
import io.github.e2ekit.e2e.run.EarlyCheck;
import io.github.e2ekit.e2e.run.Run;
import io.github.e2ekit.e2e.run.RunConfiguration;
import java.io.File;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The POM's parameters, as Maven injected them, turned into the run's configuration objects (no logic beyond that). */
final class Configurations {
    private Configurations() {}

    static RunConfiguration run(AbstractE2eMojo m, Run run) throws ConfigException {
        File basedir = m.project.getBasedir() != null ? m.project.getBasedir() : new File(".");
        ClusterConfig c = m.cluster != null ? m.cluster : new ClusterConfig();
        ClusterSettings cluster = ClusterSettings.of(
                m.service,
                m.clusterName,
                c.name,
                c.create,
                c.delete,
                path(c.config),
                c.nodeImage,
                c.createTimeout,
                m.kindExecutable,
                path(input(run, "e2e.kubeconfig", m.kubeconfig)));
        return new RunConfiguration(
                basedir.toPath(),
                m.workDirectory.toPath(),
                m.service,
                m.project.getVersion(),
                () -> ImageSpecs.of(m.images, basedir),
                m.tagTemplate,
                m.dockerHost,
                m.ttl,
                m.keepOnFailure,
                cluster,
                m.reuse);
    }

    static DeploySettings deploy(AbstractE2eMojo m, Run run) {
        DeployConfig d = m.deploy != null ? m.deploy : new DeployConfig();
        List<DeploySettings.Stage> stages = d.stages == null
                ? null
                : d.stages.stream()
                        .map(s -> s == null ? null : new DeploySettings.Stage(s.manifests, s.valuesFiles, s.values))
                        .toList();
        List<DeploySettings.EndpointSource> endpoints = m.endpoints == null
                ? List.of()
                : m.endpoints.stream()
                        .map(e -> new DeploySettings.EndpointSource(e.name, e.service, e.port, e.readyPath, e.mode))
                        .toList();
        return new DeploySettings(
                run.input("e2e.namespace", m.namespace),
                stages,
                d.timeout,
                d.healGrace,
                d.healRestarts,
                endpoints,
                m.kubectl,
                m.podLogs,
                properties(m));
    }

    /** The goal-specific parameters, for the first goal's check of the whole configuration. */
    static EarlyCheck.Parameters early(AbstractE2eMojo m, Run run) {
        return new EarlyCheck.Parameters() {
            @Override
            public Build.Settings build() throws ConfigException {
                return Build.Settings.of(
                        false,
                        false,
                        false,
                        m.buildTimeout,
                        true,
                        true,
                        m.builder,
                        null,
                        null,
                        secrets(m.secrets),
                        false);
            }

            @Override
            public Delivery.Settings load() throws ConfigException {
                LoadConfig l = m.load != null ? m.load : new LoadConfig();
                return Delivery.Settings.of(m.loadMode, l.mode, m.loadRegistry, l.registry, l.serverId, m.preload);
            }

            @Override
            public DeploySettings deploy() {
                return Configurations.deploy(m, run);
            }
        };
    }

    static List<Build.SecretSource> secrets(List<SecretConfig> secrets) {
        return secrets == null
                ? List.of()
                : secrets.stream()
                        .map(s -> new Build.SecretSource(s.id, path(s.file), s.env))
                        .toList();
    }

    /** What {@code ${…}} in manifests expands to: system, project and user properties, and the project's coordinates. */
    static Map<String, String> properties(AbstractE2eMojo m) {
        Map<String, String> p = new HashMap<>();
        System.getProperties().forEach((k, v) -> p.put(k.toString(), v.toString()));
        m.project.getProperties().forEach((k, v) -> p.put(k.toString(), v.toString()));
        m.session.getUserProperties().forEach((k, v) -> p.put(k.toString(), v.toString()));
        p.put("project.version", m.project.getVersion());
        p.put("project.artifactId", m.project.getArtifactId());
        p.put("project.groupId", m.project.getGroupId());
        p.put("project.basedir", m.project.getBasedir().getAbsolutePath());
        p.put("project.build.directory", m.project.getBuild().getDirectory());
        return p;
    }

    /** A file parameter, unless it is this run's own output handed back by Maven. */
    private static File input(Run run, String property, File f) {
        return f == null || run.input(property, f.getPath()) != null ? f : null;
    }

    private static Path path(File f) {
        return f == null ? null : f.toPath();
    }
}
