package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.DeployException;
import io.github.e2ekit.e2e.deploy.DeployPlan;
import io.github.e2ekit.e2e.deploy.EndpointSpec;
import io.github.e2ekit.e2e.deploy.ImageBinding;
import io.github.e2ekit.e2e.deploy.Manifest;
import io.github.e2ekit.e2e.deploy.ManifestRenderer;
import io.github.e2ekit.e2e.registry.RegistryTarget;
import io.github.e2ekit.e2e.tag.TagDecision;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The whole configuration checked by the first goal of a build, before anything is built: what the later goals would
 * find wrong only after a full build and load — build and load settings, the deploy timeout, namespace and endpoints,
 * the manifests (they exist, parse, every {@code ${…}} resolves with this run's tags; kustomize overlays and Helm
 * charts rendered), endpoints naming a Service port the manifests declare, and a given kubeconfig. Nothing is
 * contacted but the local {@code kubectl}/{@code helm} for overlays and charts; one clear error per mistake.
 */
public final class EarlyCheck {
    /** The goal-specific parameters as written, turned into settings only here. */
    public interface Parameters {
        Build.Settings build() throws ConfigException;

        Delivery.Settings load() throws ConfigException;

        /** The deploy settings, with properties as they are now (after Phase 0 exported the tags). */
        DeploySettings deploy();
    }

    private EarlyCheck() {}

    /** Checks everything; {@code decided} are this run's Phase 0 tags. */
    public static void check(Run run, List<TagDecision> decided, Parameters p) throws ConfigException {
        RunConfiguration config = run.config();
        p.build();
        Delivery.Settings load = p.load();
        if (load.mode() == Delivery.Mode.REGISTRY) {
            try {
                RegistryTarget.parse(load.registry());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("load/registry", e.getMessage());
            }
            if (!load.preload().isEmpty()) {
                throw new ConfigException(
                        "preload",
                        "applies to <load><mode>kind</mode> only: with a registry the"
                                + " cluster pulls, so push those images to the registry yourself, or drop <preload>");
            }
        }
        kubeconfig(config.cluster().kubeconfig());
        DeploySettings deploy = p.deploy();
        if (deploy.stages() == null || deploy.stages().isEmpty()) {
            return; // a run without deploy (tag/build/load only): deploy itself says what is missing
        }
        deployment(config, run.id(), decided, deploy, run.log()::debug);
    }

    /** The deploy and render goals' configuration: plan, heal policy, endpoints, the rendered manifests. */
    static void deployment(
            RunConfiguration config,
            String runId,
            List<TagDecision> decided,
            DeploySettings deploy,
            Consumer<String> debug)
            throws ConfigException {
        String ns = deploy.namespace(config.service(), runId);
        List<EndpointSpec> endpoints = deploy.endpointSpecs(ns);
        DeployPlan plan = deploy.plan(config.basedir(), ns);
        deploy.healPolicy();
        // the references as Phase 0 decided them: how the engine stores a name does not change what is valid
        List<ImageBinding> bindings = decided.stream()
                .map(t -> new ImageBinding(
                        t.id(), t.reference().repository(), t.reference().toString(), t.digest(), null))
                .toList();
        ManifestRenderer renderer = new ManifestRenderer(deploy.properties(), bindings, runId, config.service(), "-");
        List<Manifest> rendered = new ArrayList<>();
        try {
            renderer.withSources(deploy.manifestSources(config.basedir(), config.service(), renderer, ns, debug));
            for (List<Path> stage : plan.stages()) {
                rendered.addAll(renderer.render(stage));
            }
        } catch (DeployException e) {
            throw new ConfigException(Objects.requireNonNullElse(e.parameter(), "deploy/stages"), e.getMessage());
        }
        boolean ownNamespace = deploy.namespace() == null || deploy.namespace().isBlank();
        for (int i = 0; i < endpoints.size(); i++) {
            servicePort(endpoints.get(i), "endpoints/endpoint[" + (i + 1) + "]", rendered, ownNamespace, ns);
        }
    }

    /**
     * An endpoint's Service and port, as far as the manifests tell: in the run's own namespace every Service comes
     * from them; in a given namespace a Service may already exist, so only a Service the manifests declare is judged.
     */
    static void servicePort(EndpointSpec spec, String where, List<Manifest> rendered, boolean ownNamespace, String ns)
            throws ConfigException {
        Manifest service = rendered.stream()
                .filter(m -> "Service".equals(m.kind())
                        && "v1".equals(m.apiVersion())
                        && spec.service().equals(m.name())
                        && (m.namespace() == null || ns.equals(m.namespace())))
                .findFirst()
                .orElse(null);
        if (service == null) {
            if (ownNamespace) {
                throw new ConfigException(
                        where + "/service",
                        "Service '" + spec.service() + "' not found in the"
                                + " manifests (the run's namespace has only what they create): name one of "
                                + rendered.stream()
                                        .filter(m -> "Service".equals(m.kind()))
                                        .map(Manifest::name)
                                        .toList());
            }
            return;
        }
        Object spec0 = service.object().get("spec");
        List<?> ports = spec0 instanceof Map<?, ?> s && s.get("ports") instanceof List<?> l ? l : List.<Object>of();
        List<Object> numbers = ports.stream()
                .<Object>map(o -> o instanceof Map<?, ?> m ? m.get("port") : null)
                .filter(Objects::nonNull)
                .toList();
        boolean has = numbers.stream().anyMatch(n -> String.valueOf(n).equals(String.valueOf(spec.port())));
        if (!has) {
            throw new ConfigException(
                    where + "/port",
                    "Service '" + spec.service() + "' has no port " + spec.port() + " (" + service.source()
                            + " declares " + numbers + ")");
        }
    }

    /** A given kubeconfig exists and is one client-java can use (only read; nothing is contacted). */
    static void kubeconfig(Path kubeconfig) throws ConfigException {
        if (kubeconfig == null) {
            return;
        }
        if (!Files.isRegularFile(kubeconfig)) {
            throw new ConfigException(
                    "kubeconfig",
                    "'" + kubeconfig + "' does not exist: fix the path, or drop"
                            + " <kubeconfig> to let 'load' derive one for the kind cluster");
        }
        try (Reader r = Files.newBufferedReader(kubeconfig)) {
            KubeConfig config = KubeConfig.loadKubeConfig(r);
            if (config == null || config.getCurrentContext() == null) {
                throw new ConfigException(
                        "kubeconfig",
                        "'" + kubeconfig + "' names no current-context: set one"
                                + " (kubectl config use-context NAME --kubeconfig " + kubeconfig + ")");
            }
            config.setFile(kubeconfig.toFile());
            ClientBuilder.kubeconfig(config).build();
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null
                    ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("");
            throw new ConfigException("kubeconfig", "'" + kubeconfig + "' is not a usable kubeconfig: " + why);
        }
    }
}
