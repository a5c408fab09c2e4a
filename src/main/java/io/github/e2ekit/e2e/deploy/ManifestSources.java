package io.github.e2ekit.e2e.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Turns a stage's {@code <manifest>} into YAML text, the way teams keep manifests:
 * <ul>
 * <li>a file ({@code .yaml/.yml/.json}, multi-document): its text, interpolated;</li>
 * <li>a directory holding {@code kustomization.yaml}, {@code kustomization.yml} or {@code Kustomization}: a
 * kustomize overlay, rendered by {@code kubectl kustomize <dir>} (kustomize is built into kubectl; no Java
 * implementation exists), then interpolated like a file — an overlay is the team's own YAML;</li>
 * <li>a directory holding {@code Chart.yaml}: a Helm chart, rendered in-process by helm-java ({@code helm
 * template}) with its {@code values.yaml}, the stage's {@code <valuesFiles>} and {@code <values>}, the release
 * and the namespace; the output is <b>not</b> interpolated (charts, third-party ones above all, carry shell
 * {@code ${VAR}} in ConfigMaps and scripts: pass this run's values through {@code <values>}, which are
 * interpolated); chart test hooks ({@code helm.sh/hook: test}) are left out, as {@code helm install} does;</li>
 * <li>any other directory: its {@code .yaml/.yml/.json} files, sorted by name, each as a file.</li>
 * </ul>
 */
public final class ManifestSources {
    /** YAML to parse, where it came from, and whether {@code ${…}} in it is this plugin's to expand. */
    public record Text(String yaml, String origin, boolean interpolate) {}

    /** A stage's Helm settings: values files (absolute) and single values (already interpolated). */
    public record ChartValues(List<Path> valuesFiles, Map<String, String> values) {
        public static final ChartValues NONE = new ChartValues(List.of(), Map.of());
    }

    public enum Kind {
        FILE,
        DIRECTORY,
        KUSTOMIZE,
        HELM
    }

    static final String KUSTOMIZE_PARAMETER = "kubectl";
    private static final String MANIFEST = "deploy/stages/stage/manifests";
    private static final List<String> KUSTOMIZATION =
            List.of("kustomization.yaml", "kustomization.yml", "Kustomization");

    private final String kubectl;
    private final String release;
    private final String namespace;
    private final Map<Path, ChartValues> charts;

    /**
     * @param kubectl   the kubectl executable for kustomize overlays
     * @param release   the Helm release name charts are rendered with
     * @param namespace the namespace charts are rendered for
     * @param charts    per chart directory, the values its stage gives
     */
    public ManifestSources(String kubectl, String release, String namespace, Map<Path, ChartValues> charts) {
        this.kubectl = kubectl == null || kubectl.isBlank() ? "kubectl" : kubectl;
        this.release = release;
        this.namespace = namespace;
        this.charts = charts;
    }

    /** Plain files and directories only (what a renderer gets when nothing else is configured). */
    public static ManifestSources plain() {
        return new ManifestSources("kubectl", "release", "default", Map.of());
    }

    public static Kind kind(Path path) {
        if (!Files.isDirectory(path)) {
            return Kind.FILE;
        }
        if (KUSTOMIZATION.stream().anyMatch(n -> Files.isRegularFile(path.resolve(n)))) {
            return Kind.KUSTOMIZE;
        }
        if (Files.isRegularFile(path.resolve("Chart.yaml"))) {
            return Kind.HELM;
        }
        return Kind.DIRECTORY;
    }

    public List<Text> read(Path path) {
        return switch (kind(path)) {
            case KUSTOMIZE -> List.of(new Text(kustomize(path), "kustomize " + path, true));
            case HELM -> List.of(new Text(helmTemplate(path), "helm chart " + path, false));
            case FILE, DIRECTORY ->
                files(path).stream()
                        .map(f -> new Text(readFile(f), f.toString(), true))
                        .toList();
        };
    }

    /** Expands a manifest path into the files it stands for: a file, or a directory's manifests sorted by name. */
    public static List<Path> files(Path path) {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            throw new DeployException(MANIFEST, "manifest '" + path + "' does not exist");
        }
        try (Stream<Path> s = Files.list(path)) {
            List<Path> out = s.filter(Files::isRegularFile)
                    .filter(p ->
                            p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(ya?ml|json)"))
                    .sorted()
                    .toList();
            if (out.isEmpty()) {
                throw new DeployException(
                        MANIFEST,
                        "directory '" + path
                                + "' holds no .yaml, .yml or .json manifest, no kustomization.yaml and no Chart.yaml");
            }
            return out;
        } catch (IOException e) {
            throw new DeployException("cannot list " + path + ": " + e.getMessage(), e);
        }
    }

    private static String readFile(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new DeployException(MANIFEST, "cannot read " + file + ": " + e.getMessage());
        }
    }

    String kustomize(Path dir) {
        Process p;
        try {
            p = new ProcessBuilder(kubectl, "kustomize", dir.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
                            System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new DeployException(
                    KUSTOMIZE_PARAMETER,
                    "'" + kubectl + "' cannot be run ("
                            + e.getMessage().replaceFirst("^Cannot run program \"[^\"]*\"[^:]*: ", "") + "), and " + dir
                            + " is a kustomize overlay: install kubectl or set <kubectl> (-De2e.kubectl=/path/to/kubectl)");
        }
        try {
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            byte[] out = readAll(p.getInputStream());
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new DeployException(MANIFEST, "kubectl kustomize " + dir + " did not finish within 2 minutes");
            }
            String stderr = new String(err.join(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new DeployException(
                        MANIFEST,
                        "kustomize overlay " + dir + " failed: " + oneLine(withoutKlog(stderr))
                                + " — fix the overlay (try: kubectl kustomize " + dir + ")");
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new DeployException("interrupted while running kubectl kustomize " + dir, e);
        }
    }

    String helmTemplate(Path chart) {
        ChartValues v = charts.getOrDefault(chart, ChartValues.NONE);
        for (Path f : v.valuesFiles()) {
            if (!Files.isRegularFile(f)) {
                throw new DeployException(
                        "deploy/stages/stage/valuesFiles",
                        "values file '" + f
                                + "' does not exist: fix the path (relative to the project directory) or remove it");
            }
        }
        TemplateCommand t = new Helm(chart).template().withName(release).withNamespace(namespace);
        v.valuesFiles().forEach(t::withValuesFile);
        v.values().forEach(t::set);
        try {
            return t.call();
        } catch (RuntimeException e) {
            throw new DeployException(
                    MANIFEST,
                    "Helm chart " + chart + " cannot be rendered: " + oneLine(String.valueOf(e.getMessage()))
                            + " — fix the chart or its <values>/<valuesFiles>");
        }
    }

    /** Whether a rendered object is a Helm test hook, which {@code helm install} does not create. */
    static boolean helmTestHook(Map<String, Object> object) {
        Map<String, Object> annotations = Manifest.mapOrNull(object, "metadata", "annotations");
        Object hook = annotations == null ? null : annotations.get("helm.sh/hook");
        if (!(hook instanceof String h)) {
            return false;
        }
        for (String s : h.split(",")) {
            String t = s.trim();
            if (t.equals("test") || t.equals("test-success") || t.equals("test-failure")) {
                return true;
            }
        }
        return false;
    }

    private static byte[] readAll(InputStream in) {
        try (in;
                ByteArrayOutputStream b = new ByteArrayOutputStream()) {
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * kubectl's error without its klog header: {@code E1206 13:26:57.950542 9200 run.go:72] "command failed"
     * err="…"} becomes {@code …} (k8s.io/klog text format: severity, date, time, pid, file:line]).
     */
    static String withoutKlog(String text) {
        return text.lines()
                .map(l -> l.replaceFirst("^[IWEF]\\d{4} [0-9:.]+\\s+\\d+ [^\\]]+] ", "")
                        .replaceFirst("^\"command failed\" err=\"(.*)\"$", "$1")
                        .replace("\\\"", "\""))
                .reduce((a, b) -> a + "\n" + b)
                .orElse("");
    }

    /** A tool's error output as one line: its lines joined, blank ones dropped. */
    static String oneLine(String text) {
        List<String> lines = new ArrayList<>();
        text.lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(lines::add);
        String joined = String.join(" | ", lines);
        return joined.length() > 400 ? joined.substring(0, 400) + "…" : joined;
    }
}
