package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.DeployException;
import io.github.e2ekit.e2e.deploy.DeployPlan;
import io.github.e2ekit.e2e.deploy.EndpointSpec;
import io.github.e2ekit.e2e.deploy.HealPolicy;
import io.github.e2ekit.e2e.deploy.ManifestRenderer;
import io.github.e2ekit.e2e.deploy.ManifestSources;
import io.github.e2ekit.e2e.deploy.Namespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@code deploy} and {@code render} goals' parameters as written ({@code <namespace>}, {@code <deploy>},
 * {@code <endpoints>}, {@code <kubectl>}), turned into the core's plan, endpoint specs and manifest sources, or one
 * clear error naming the parameter.
 *
 * @param properties what {@code ${…}} in manifests and values expands to (the -D overrides of heal settings too)
 */
public record DeploySettings(
        String namespace,
        List<Stage> stages,
        String timeout,
        String healGrace,
        Integer healRestarts,
        List<EndpointSource> endpoints,
        String kubectl,
        boolean podLogs,
        Map<String, String> properties) {
    public static final String DEFAULT_TIMEOUT = "5m";

    /** {@code <stage>} as written. */
    public record Stage(List<String> manifests, List<String> valuesFiles, Map<String, String> values) {}

    /** {@code <endpoint>} as written. */
    public record EndpointSource(String name, String service, Integer port, String readyPath, String mode) {}

    /** {@code <endpoint><mode>}. */
    public enum EndpointMode {
        PORT_FORWARD,
        NODE_PORT
    }

    /** The namespace of this run: {@code <namespace>}, else {@code e2e-<service>-<run>}. */
    public String namespace(String service, String run) {
        return namespace == null || namespace.isBlank() ? Namespaces.defaultName(service, run) : namespace.trim();
    }

    public DeployPlan plan(Path basedir, String ns) throws ConfigException {
        try {
            if (namespace != null && !namespace.isBlank()) {
                Namespaces.validate(ns);
            }
        } catch (DeployException e) {
            throw new ConfigException("namespace", e.getMessage().replaceFirst("^<namespace> ", ""));
        }
        if (stages == null || stages.isEmpty()) {
            throw new ConfigException("deploy/stages", "is empty: give at least one <stage><manifests><manifest>");
        }
        List<List<Path>> out = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            Stage s = stages.get(i);
            if (s == null || s.manifests() == null || s.manifests().isEmpty()) {
                throw new ConfigException("deploy/stages/stage[" + (i + 1) + "]/manifests", "is empty");
            }
            List<Path> paths = new ArrayList<>();
            for (String m : s.manifests()) {
                Path p = basedir.resolve(m.trim()).normalize();
                if (!Files.exists(p)) {
                    throw new ConfigException(
                            "deploy/stages/stage[" + (i + 1) + "]/manifests", "manifest '" + p + "' does not exist");
                }
                paths.add(p);
            }
            out.add(paths);
        }
        return new DeployPlan(
                ns, out, Durations.parse("deploy/timeout", timeout == null ? DEFAULT_TIMEOUT : timeout), healPolicy());
    }

    /** {@code <deploy><healGrace>}/{@code <healRestarts>}, overridden by {@code -De2e.deploy.healGrace/healRestarts}. */
    HealPolicy healPolicy() throws ConfigException {
        String grace = properties.getOrDefault("e2e.deploy.healGrace", healGrace);
        String restarts = properties.get("e2e.deploy.healRestarts");
        Duration g = grace == null || grace.isBlank()
                ? HealPolicy.DEFAULT.grace()
                : Durations.parse("deploy/healGrace", grace);
        int r = HealPolicy.DEFAULT.restarts();
        if (restarts != null && !restarts.isBlank()) {
            try {
                r = Integer.parseInt(restarts.trim());
            } catch (NumberFormatException e) {
                r = -1;
            }
        } else if (healRestarts != null) {
            r = healRestarts;
        }
        if (r < 0) {
            throw new ConfigException(
                    "deploy/healRestarts",
                    "must be a whole number of restarts, 0 or more (was '"
                            + (restarts != null ? restarts : healRestarts) + "')");
        }
        return new HealPolicy(g, r);
    }

    public List<EndpointSpec> endpointSpecs(String ns) throws ConfigException {
        List<EndpointSpec> out = new ArrayList<>();
        for (int i = 0; endpoints != null && i < endpoints.size(); i++) {
            EndpointSource e = endpoints.get(i);
            String where = "endpoints/endpoint[" + (i + 1) + "]";
            if (e.name() == null || !e.name().matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
                throw new ConfigException(
                        where + "/name", "is missing or not a simple name (letters, digits, '.', '_'," + " '-')");
            }
            if (e.service() == null || e.service().isBlank()) {
                throw new ConfigException(where + "/service", "is missing: name the Service to reach");
            }
            if (e.port() == null || e.port() < 1 || e.port() > 65535) {
                throw new ConfigException(where + "/port", "is missing or not a port number");
            }
            EndpointMode mode = Choice.parse(where + "/mode", e.mode(), EndpointMode.PORT_FORWARD, EndpointMode.class);
            out.add(new EndpointSpec(
                    e.name(), e.service().trim(), e.port(), e.readyPath(), ns, mode == EndpointMode.NODE_PORT));
        }
        return out;
    }

    /**
     * Kustomize overlays and Helm charts of the stages: charts get their stage's values files and values
     * (interpolated), the service as release name and the run's namespace.
     */
    public ManifestSources manifestSources(
            Path basedir, String service, ManifestRenderer renderer, String ns, Consumer<String> debug)
            throws ConfigException {
        Map<Path, ManifestSources.ChartValues> charts = new HashMap<>();
        for (int i = 0; stages != null && i < stages.size(); i++) {
            Stage s = stages.get(i);
            if (s == null || s.manifests() == null) {
                continue;
            }
            List<Path> files = new ArrayList<>();
            for (String f : s.valuesFiles() == null ? List.<String>of() : s.valuesFiles()) {
                Path p = basedir.resolve(f.trim()).normalize();
                if (!Files.isRegularFile(p)) {
                    throw new ConfigException(
                            "deploy/stages/stage[" + (i + 1) + "]/valuesFiles",
                            "values file '" + p + "' does not exist: fix the path (relative to " + basedir
                                    + ") or remove it");
                }
                files.add(p);
            }
            Map<String, String> values = new LinkedHashMap<>();
            if (s.values() != null) {
                for (Map.Entry<String, String> e : s.values().entrySet()) {
                    values.put(
                            e.getKey(),
                            renderer.interpolate(
                                    e.getValue() == null ? "" : e.getValue(),
                                    "<deploy><stages><stage>[" + (i + 1) + "]<values><" + e.getKey() + ">"));
                }
            }
            for (String m : s.manifests()) {
                Path p = basedir.resolve(m.trim()).normalize();
                if (ManifestSources.kind(p) == ManifestSources.Kind.HELM) {
                    charts.put(p, new ManifestSources.ChartValues(files, values));
                } else if (!files.isEmpty() || !values.isEmpty()) {
                    debug.accept(p + " is not a Helm chart: the stage's values do not apply to it");
                }
            }
        }
        return new ManifestSources(kubectl, helmRelease(service), ns, charts);
    }

    /** Helm's release name: the service, as a DNS-1123 label of at most 53 characters (Helm's limit). */
    static String helmRelease(String service) {
        String r =
                service.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
        return r.length() > 53 ? r.substring(0, 53).replaceAll("-+$", "") : r.isEmpty() ? "e2e" : r;
    }
}
