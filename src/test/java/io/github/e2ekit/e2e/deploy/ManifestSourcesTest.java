package io.github.e2ekit.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kustomize overlays (the real kubectl on this machine), Helm charts (helm-java), interpolation and render. */
class ManifestSourcesTest {
    static final ImageBinding APP =
            new ImageBinding("app", "orders-app", "orders-app:run-tag", "ab".repeat(32), "sha256:" + "cd".repeat(32));

    @TempDir
    Path dir;

    private ManifestRenderer renderer(ManifestSources sources) {
        return new ManifestRenderer(
                        Map.of("e2e.image.app", "orders-app:run-tag", "greeting", "hello"),
                        List.of(APP),
                        "r1",
                        "svc",
                        "2030-01-01T00:00:00Z")
                .withSources(sources)
                .withEnvironment(Map.of("TEAM", "payments"));
    }

    private Path write(String relative, String text) throws Exception {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private Path overlay() throws Exception {
        write("base/kustomization.yaml", "resources: [deployment.yaml]\n");
        write("base/deployment.yaml", TestManifests.deployment("web", "orders-app:from-the-file"));
        write("overlay/config.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                data: {team: "${env.TEAM}", script: "echo $${HOME}", greeting: "${greeting}"}
                """);
        return write("overlay/kustomization.yaml", """
                resources: [../base, config.yaml]
                namePrefix: e2e-
                commonLabels: {tier: backend}
                """).getParent();
    }

    @Test
    void aKustomizeOverlayIsRenderedByKubectlAndPreparedLikeFiles() throws Exception {
        Path overlay = overlay();
        assertThat(ManifestSources.kind(overlay)).isEqualTo(ManifestSources.Kind.KUSTOMIZE);
        List<Manifest> out = renderer(new ManifestSources("/usr/bin/kubectl", "svc", "ns1", Map.of()))
                .render(List.of(overlay));
        assertThat(out)
                .extracting(Manifest::describe)
                .containsExactlyInAnyOrder("Deployment/e2e-web", "ConfigMap/e2e-settings");
        Manifest web = out.stream()
                .filter(m -> m.kind().equals("Deployment"))
                .findFirst()
                .orElseThrow();
        Map<String, Object> container = Manifest.list(
                        Manifest.mapOrNull(web.object(), "spec", "template", "spec"), "containers")
                .get(0);
        assertThat(container)
                .containsEntry("image", "orders-app:run-tag")
                .containsEntry("imagePullPolicy", "IfNotPresent");
        assertThat(Manifest.mapOrNull(web.object(), "metadata", "labels"))
                .containsEntry("tier", "backend")
                .containsEntry(ManifestRenderer.RUN, "r1");
        Manifest cm = out.stream()
                .filter(m -> m.kind().equals("ConfigMap"))
                .findFirst()
                .orElseThrow();
        assertThat(Manifest.mapOrNull(cm.object(), "data"))
                .containsEntry("team", "payments")
                .containsEntry("script", "echo ${HOME}")
                .containsEntry("greeting", "hello");
    }

    @Test
    void aFailingOverlayIsOneLineWithKustomizesReason() throws Exception {
        write("broken/kustomization.yaml", "resources: [missing.yaml]\n");
        assertThatThrownBy(() -> renderer(new ManifestSources("/usr/bin/kubectl", "svc", "ns1", Map.of()))
                        .render(List.of(dir.resolve("broken"))))
                .isInstanceOfSatisfying(DeployException.class, e -> {
                    assertThat(e.parameter()).isEqualTo("deploy/stages/stage/manifests");
                    assertThat(e.getMessage())
                            .doesNotContain("\n")
                            .doesNotContain("run.go")
                            .contains("missing.yaml")
                            .contains("kustomize overlay " + dir.resolve("broken"));
                });
    }

    @Test
    void anOverlayWithoutKubectlNamesTheParameterAndTheFix() throws Exception {
        Path overlay = overlay();
        assertThatThrownBy(() -> renderer(
                                new ManifestSources(dir.resolve("no-kubectl").toString(), "svc", "ns1", Map.of()))
                        .render(List.of(overlay)))
                .isInstanceOfSatisfying(DeployException.class, e -> {
                    assertThat(e.parameter()).isEqualTo("kubectl");
                    assertThat(e.getMessage()).doesNotContain("\n").contains("-De2e.kubectl=");
                });
    }

    private Path chart() throws Exception {
        write("chart/Chart.yaml", "apiVersion: v2\nname: orders\nversion: 0.1.0\n");
        write("chart/values.yaml", "image: {repository: orders-app, tag: chart-default}\nreplicas: 1\nmode: plain\n");
        write("chart/templates/deployment.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: {{ .Release.Name }}-web
                  namespace: {{ .Release.Namespace }}
                  labels: {mode: {{ .Values.mode | quote }}}
                spec:
                  replicas: {{ .Values.replicas }}
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: main
                        image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
                """);
        write("chart/templates/configmap.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: {{ .Release.Name }}-script}
                data: {run.sh: "echo ${HOME}"}
                """);
        write("chart/templates/tests/test.yaml", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: {{ .Release.Name }}-test
                  annotations: {"helm.sh/hook": test}
                spec: {containers: [{name: t, image: busybox}]}
                """);
        return dir.resolve("chart");
    }

    @Test
    void aHelmChartIsRenderedWithItsValuesTheStagesValuesFilesAndValues() throws Exception {
        Path chart = chart();
        Path extra = write("values-e2e.yaml", "replicas: 2\nmode: from-file\n");
        assertThat(ManifestSources.kind(chart)).isEqualTo(ManifestSources.Kind.HELM);
        ManifestSources sources = new ManifestSources(
                "kubectl",
                "svc",
                "e2e-svc-r1",
                Map.of(chart, new ManifestSources.ChartValues(List.of(extra), Map.of("mode", "from-values"))));
        List<Manifest> out = renderer(sources).render(List.of(chart));
        assertThat(out)
                .extracting(Manifest::describe)
                .containsExactlyInAnyOrder("Deployment/svc-web", "ConfigMap/svc-script"); // test hook left out
        Manifest web = out.stream()
                .filter(m -> m.kind().equals("Deployment"))
                .findFirst()
                .orElseThrow();
        assertThat(web.namespace()).isEqualTo("e2e-svc-r1");
        assertThat(Manifest.mapOrNull(web.object(), "spec")).containsEntry("replicas", 2);
        assertThat(Manifest.mapOrNull(web.object(), "metadata", "labels"))
                .containsEntry("mode", "from-values")
                .containsEntry(ManifestRenderer.RUN, "r1");
        assertThat(Manifest.list(Manifest.mapOrNull(web.object(), "spec", "template", "spec"), "containers")
                        .get(0))
                .containsEntry("image", "orders-app:run-tag");
        Manifest cm = out.stream()
                .filter(m -> m.kind().equals("ConfigMap"))
                .findFirst()
                .orElseThrow();
        // Helm output is not interpolated: a chart's shell variables stay as they are
        assertThat(Manifest.mapOrNull(cm.object(), "data")).containsEntry("run.sh", "echo ${HOME}");
    }

    @Test
    void aMissingValuesFileNamesTheParameter() throws Exception {
        Path chart = chart();
        ManifestSources sources = new ManifestSources(
                "kubectl",
                "svc",
                "ns",
                Map.of(chart, new ManifestSources.ChartValues(List.of(dir.resolve("nope.yaml")), Map.of())));
        assertThatThrownBy(() -> renderer(sources).render(List.of(chart)))
                .isInstanceOfSatisfying(DeployException.class, e -> {
                    assertThat(e.parameter()).isEqualTo("deploy/stages/stage/valuesFiles");
                    assertThat(e.getMessage()).contains("nope.yaml").doesNotContain("\n");
                });
    }

    @Test
    void aBrokenChartIsOneLine() throws Exception {
        Path chart = chart();
        write("chart/templates/bad.yaml", "kind: {{ .Values.missing.deeper }}\n");
        assertThatThrownBy(() -> renderer(new ManifestSources("kubectl", "svc", "ns", Map.of()))
                        .render(List.of(chart)))
                .isInstanceOfSatisfying(DeployException.class, e -> {
                    assertThat(e.parameter()).isEqualTo("deploy/stages/stage/manifests");
                    assertThat(e.getMessage())
                            .doesNotContain("\n")
                            .contains("Helm chart " + chart)
                            .contains("bad.yaml");
                });
    }

    @Test
    void aDirectoryWithNeitherManifestsNorKustomizationNorChartIsRefused() throws Exception {
        write("empty/README.md", "nothing\n");
        assertThatThrownBy(() -> renderer(ManifestSources.plain()).render(List.of(dir.resolve("empty"))))
                .isInstanceOf(DeployException.class)
                .hasMessageContaining("no Chart.yaml");
    }

    @Test
    void anUnsetEnvironmentVariableNamesItAndTheEscape() throws Exception {
        Path f = write("m.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: \"${env.NOPE}\"}\n");
        assertThatThrownBy(() -> renderer(ManifestSources.plain()).render(List.of(f)))
                .hasMessageContaining("${env.NOPE} is not set in the environment")
                .hasMessageContaining("$${env.NOPE}");
    }

    @Test
    void renderWritesEveryStagesObjectsAndReplacesAnEarlierRender() throws Exception {
        Path overlay = overlay();
        Path chart = chart();
        Path out = dir.resolve("target/e2e/manifests");
        Files.createDirectories(out.resolve("stage-9"));
        Files.writeString(out.resolve("stage-9/old.yaml"), "old");
        List<Path> written = new RenderedManifests(out)
                .write(
                        new DeployPlan(
                                "e2e-svc-r1",
                                List.of(List.of(overlay), List.of(chart)),
                                java.time.Duration.ofMinutes(1)),
                        renderer(new ManifestSources("/usr/bin/kubectl", "svc", "e2e-svc-r1", Map.of())));
        assertThat(written)
                .extracting(p -> out.relativize(p).toString().replace('\\', '/'))
                .contains("stage-1/01-configmap-e2e-settings.yaml", "stage-2/01-configmap-svc-script.yaml")
                .hasSize(4);
        assertThat(out.resolve("stage-9")).doesNotExist();
        String web = Files.readString(out.resolve("stage-2/02-deployment-svc-web.yaml"));
        assertThat(web).contains("image: orders-app:run-tag").contains(ManifestRenderer.RUN + ": r1");
    }

    @Test
    void badInputLeavesNoRenderedOutputBehind() throws Exception {
        Path overlay = overlay();
        write("broken/kustomization.yaml", "resources: [missing.yaml]\n");
        Path out = dir.resolve("manifests");
        assertThatThrownBy(() -> new RenderedManifests(out)
                        .write(
                                new DeployPlan(
                                        "ns",
                                        List.of(List.of(overlay), List.of(dir.resolve("broken"))),
                                        java.time.Duration.ofMinutes(1)),
                                renderer(new ManifestSources("/usr/bin/kubectl", "svc", "ns", Map.of()))))
                .isInstanceOf(DeployException.class);
        assertThat(out).doesNotExist();
    }
}
