package io.github.e2ekit.e2e.deploy;

import io.github.e2ekit.e2e.image.ImageReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads manifests (files, directories sorted, {@code .yaml/.yml/.json}, multi-document; kustomize overlays and
 * Helm charts through {@link ManifestSources}), interpolates {@code ${property}} and {@code ${env.X}}
 * ({@code $${…}} stays literal; Helm output is not interpolated), points every container of a configured image at this run's
 * reference, and labels everything as this run's. Selectors are never changed.
 */
public final class ManifestRenderer {
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "e2e-maven-plugin";
    public static final String RUN = "e2ekit.io/run";
    public static final String SERVICE = "e2ekit.io/service";
    public static final String EXPIRES = "e2ekit.io/expires";
    public static final String SOURCE_DIGEST_PREFIX = "e2ekit.io/source-digest.";
    private static final Pattern PROPERTY = Pattern.compile("(\\$?)\\$\\{([^}]+)}");

    private final Map<String, String> properties;
    private final List<ImageBinding> images;
    private final String run;
    private final String service;
    private final String expires;
    private ManifestSources sources = ManifestSources.plain();
    private Map<String, String> environment = System.getenv();

    public ManifestRenderer(
            Map<String, String> properties, List<ImageBinding> images, String run, String service, String expires) {
        this.properties = properties;
        this.images = images;
        this.run = run;
        this.service = service;
        this.expires = expires;
    }

    /** Expands a manifest path into the files it stands for: a file, or a directory's manifests sorted by name. */
    public static List<Path> files(Path path) {
        return ManifestSources.files(path);
    }

    /** Reads kustomize overlays and Helm charts through {@code sources} (default: plain files only). */
    public ManifestRenderer withSources(ManifestSources sources) {
        this.sources = sources;
        return this;
    }

    /** Environment for {@code ${env.X}} (default: this process's). */
    public ManifestRenderer withEnvironment(Map<String, String> environment) {
        this.environment = environment;
        return this;
    }

    public List<Manifest> render(List<Path> paths) {
        List<Manifest> out = new ArrayList<>();
        for (Path p : paths) {
            for (ManifestSources.Text t : sources.read(p)) {
                out.addAll(renderText(t));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    List<Manifest> renderText(ManifestSources.Text source) {
        String origin = source.origin();
        String text = source.interpolate() ? interpolate(source.yaml(), origin) : source.yaml();
        List<Manifest> out = new ArrayList<>();
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try {
            int index = 0;
            for (Object doc : new Yaml(options).loadAll(text)) {
                index++;
                if (doc == null) {
                    continue;
                }
                if (!(doc instanceof Map<?, ?>)) {
                    throw new DeployException(
                            "deploy/stages/stage/manifests",
                            origin + ": document " + index + " is not a Kubernetes object");
                }
                Map<String, Object> obj = (Map<String, Object>) doc;
                if (ManifestSources.helmTestHook(obj)) {
                    continue;
                }
                if ("List".equals(obj.get("kind")) && obj.get("items") instanceof List<?> items) {
                    for (Object item : items) {
                        out.add(prepare(new LinkedHashMap<>((Map<String, Object>) item), origin + " #" + index));
                    }
                } else {
                    out.add(prepare(obj, origin + " #" + index));
                }
            }
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new DeployException(
                    "deploy/stages/stage/manifests",
                    "invalid YAML in " + origin + " line " + line + ": " + e.getProblem());
        } catch (YAMLException e) {
            throw new DeployException(
                    "deploy/stages/stage/manifests",
                    "invalid YAML in " + origin + ": "
                            + e.getMessage().lines().findFirst().orElse(""));
        }
        return out;
    }

    /**
     * Expands {@code ${key}} from the properties and {@code ${env.X}} from the environment; {@code $${key}}
     * stays as the literal {@code ${key}} (for shell variables in ConfigMaps and scripts).
     */
    public String interpolate(String text, String origin) {
        Matcher m = PROPERTY.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String key = m.group(2);
            if (!m.group(1).isEmpty()) {
                m.appendReplacement(sb, Matcher.quoteReplacement("${" + key + "}"));
                continue;
            }
            String value = key.startsWith("env.") ? environment.get(key.substring(4)) : properties.get(key);
            if (value == null) {
                int line = (int) text.substring(0, m.start())
                                .chars()
                                .filter(c -> c == '\n')
                                .count()
                        + 1;
                throw new DeployException(
                        "deploy/stages/stage/manifests",
                        origin + " line " + line + ": ${" + key
                                + "} is not " + (key.startsWith("env.") ? "set in the environment" : "a known property")
                                + (key.startsWith("e2e.image.")
                                        ? " (no <image> with id '" + key.substring("e2e.image.".length()) + "')"
                                        : "")
                                + "; write $${" + key + "} to keep it literal");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** The labels every object this run creates carries (also the namespace's), valid whatever the names are. */
    public static Map<String, String> runLabels(String run, String service) {
        return Map.of(MANAGED_BY, MANAGER, RUN, LabelValues.value(run), SERVICE, LabelValues.value(service));
    }

    private Manifest prepare(Map<String, Object> obj, String source) {
        if (!(obj.get("apiVersion") instanceof String) || !(obj.get("kind") instanceof String)) {
            throw new DeployException(
                    "deploy/stages/stage/manifests", source + ": an object without apiVersion or kind");
        }
        Manifest m = new Manifest(obj, source);
        if (m.name() == null) {
            throw new DeployException(
                    "deploy/stages/stage/manifests", source + ": " + m.kind() + " without metadata.name");
        }
        Map<String, Object> labels = Manifest.map(m.metadata(), "labels");
        labels.put(MANAGED_BY, MANAGER);
        labels.put(RUN, LabelValues.value(run));
        labels.put(SERVICE, LabelValues.value(service));
        Manifest.map(m.metadata(), "annotations").put(EXPIRES, expires);
        Map<String, Object> template = podTemplate(m);
        if (template != null) {
            bindImages(m, template);
        }
        return m;
    }

    /** {@code e2ekit.io/source-digest.<id>}, shortened and hashed when the image id would make it invalid. */
    public static String sourceDigestKey(String imageId) {
        String prefix = SOURCE_DIGEST_PREFIX.substring(0, SOURCE_DIGEST_PREFIX.indexOf('/'));
        return LabelValues.key(prefix, SOURCE_DIGEST_PREFIX.substring(prefix.length() + 1), imageId);
    }

    /** The pod template (metadata + spec) of workloads, or the pod itself. */
    static Map<String, Object> podTemplate(Manifest m) {
        Map<String, Object> o = m.object();
        return switch (m.kind()) {
            case "Pod" -> o;
            case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController" ->
                Manifest.mapOrNull(o, "spec", "template");
            case "CronJob" -> Manifest.mapOrNull(o, "spec", "jobTemplate", "spec", "template");
            default -> null;
        };
    }

    private void bindImages(Manifest m, Map<String, Object> template) {
        Map<String, Object> spec = Manifest.mapOrNull(template, "spec");
        if (spec == null) {
            return;
        }
        List<Map<String, Object>> containers = new ArrayList<>(Manifest.list(spec, "containers"));
        containers.addAll(Manifest.list(spec, "initContainers"));
        for (Map<String, Object> c : containers) {
            Object image = c.get("image");
            if (!(image instanceof String ref)) {
                continue;
            }
            ImageBinding b = binding(ref);
            if (b == null) {
                continue;
            }
            c.put("image", b.reference());
            Object policy = c.get("imagePullPolicy");
            if (b.pulled()) {
                if ("Never".equals(policy)) {
                    throw new DeployException(
                            "deploy/stages/stage/manifests",
                            m.source() + ": " + m.describe()
                                    + " container '" + c.get("name") + "' has imagePullPolicy Never, but image '"
                                    + b.id()
                                    + "' was pushed to a registry (load.mode=registry) and must be pulled; use IfNotPresent");
                }
                if (policy == null) {
                    c.put("imagePullPolicy", "IfNotPresent"); // pinned by digest: a cached copy is these bytes
                }
            } else if ("Always".equals(policy)) {
                throw new DeployException(
                        "deploy/stages/stage/manifests",
                        m.source() + ": " + m.describe()
                                + " container '" + c.get("name") + "' has imagePullPolicy Always, but image '" + b.id()
                                + "' is loaded into the nodes and cannot be pulled; use IfNotPresent or Never");
            } else if (!"Never".equals(policy)) {
                c.put("imagePullPolicy", "IfNotPresent");
            }
            String key = sourceDigestKey(b.id());
            if (template != m.object()) {
                Manifest.map(Manifest.map(template, "metadata"), "annotations").put(key, "sha256:" + b.digest());
            } else {
                Manifest.map(m.metadata(), "annotations").put(key, "sha256:" + b.digest());
            }
        }
    }

    private ImageBinding binding(String ref) {
        String repository;
        try {
            String r = ref.contains("@") ? ref.substring(0, ref.indexOf('@')) : ref;
            repository = ImageReference.parse(r).repository();
        } catch (IllegalArgumentException e) {
            return null; // not ours to judge: the API server or kubelet reports InvalidImageName
        }
        for (ImageBinding b : images) {
            if (ImageReference.sameRepository(repository, b.repository())) {
                return b;
            }
        }
        return null;
    }
}
