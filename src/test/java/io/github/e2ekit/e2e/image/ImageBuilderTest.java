package io.github.e2ekit.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.tag.PhaseZero;
import io.github.e2ekit.e2e.tag.TagDecision;
import io.github.e2ekit.e2e.testbed.EngineContainers;
import io.github.e2ekit.e2e.testbed.EveryEngine;
import io.github.e2ekit.e2e.testbed.TestEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Runs once per engine on the machine (Docker, Podman): see {@link TestEngine#engines()}. */
@EveryEngine
class ImageBuilderTest {
    @TempDir
    Path context;

    @Parameter
    Engine engine;

    private final String run = PhaseZero.newRunId();
    private final DecidedImages decided = new DecidedImages(run);

    @BeforeEach
    void setUp() throws Exception {
        Files.copy(Path.of("/bin/busybox"), context.resolve("busybox"));
        Files.writeString(context.resolve("app.txt"), "v1");
        Files.writeString(context.resolve("notes.md"), "ignored");
        Files.writeString(context.resolve(".dockerignore"), "*.md\n");
        Files.writeString(context.resolve("Dockerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                COPY app.txt /app.txt
                ARG FLAVOUR=plain
                RUN ["/bin/busybox", "sh", "-c", "echo building $FLAVOUR; /bin/busybox mkdir -p /out"]
                """);
    }

    @AfterEach
    void removeImages() {
        decided.remove(engine);
    }

    private TagDecision decide() throws Exception {
        return decide("localhost/e2e-test/app-" + run);
    }

    private TagDecision decide(String repository) throws Exception {
        ImageSpec spec = new ImageSpec(
                "app", repository, context, context.resolve("Dockerfile"), null, Map.of("FLAVOUR", "test"));
        return decided.decide(spec);
    }

    private BuildResult build(TagDecision d, BuildOptions options, List<String> lines) {
        return decided.build(new ImageBuilder(engine), d, options, lines);
    }

    @Test
    void buildsUnderTheDecidedTagWithLabelsAndSkipsWhenUpToDate() throws Exception {
        TagDecision d = decide();
        List<String> lines = new ArrayList<>();
        BuildResult first = build(d, BuildOptions.defaults(), lines);
        assertThat(first.outcome()).isEqualTo(BuildResult.Outcome.BUILT);
        assertThat(lines).anyMatch(l -> l.contains("building test"));
        assertThat(first.reference()).isEqualTo(d.reference().toString());
        var inspected =
                engine.client().inspectImageCmd(d.reference().toString()).exec();
        assertThat(inspected.getId()).isEqualTo(first.imageId());
        assertThat(inspected.getConfig().getLabels()).containsEntry(ImageLabels.SOURCE_DIGEST, d.digest());

        BuildResult second = build(decide(), BuildOptions.defaults(), new ArrayList<>());
        assertThat(second.outcome()).isEqualTo(BuildResult.Outcome.UP_TO_DATE);
        assertThat(second.imageId()).isEqualTo(first.imageId());
    }

    @Test
    void aShortNameIsBuiltUnderTheEnginesOwnNameWhichEveryLaterStepFinds() throws Exception {
        TagDecision d = decide("e2e-test-short-" + run);
        String ref = d.reference().toString();
        BuildResult first = build(d, BuildOptions.defaults(), new ArrayList<>());
        String stored = engine.storedName(d.reference());
        // Podman: fully qualified, as `podman build` names it; Docker: as written
        assertThat(stored).isEqualTo(engine.kind() == EngineKind.PODMAN ? "localhost/" + ref : ref);
        assertThat(first.reference()).isEqualTo(stored);
        var inspected = engine.client().inspectImageCmd(stored).exec();
        assertThat(inspected.getId()).isEqualTo(first.imageId()).startsWith("sha256:");
        assertThat(inspected.getRepoTags()).contains(stored);
        assertThat(inspected.getConfig().getLabels()).containsEntry(ImageLabels.RUN, run);
        assertThat(engine.client()
                        .listImagesCmd()
                        .withLabelFilter(Map.of(ImageLabels.RUN, run))
                        .exec())
                .anySatisfy(i -> assertThat(i.getRepoTags()).contains(stored));
        assertThat(engine.imagesLabelled(Map.of(ImageLabels.RUN, run, ImageLabels.SOURCE_DIGEST, d.digest())))
                .singleElement()
                .satisfies(i -> assertThat(i.repoTags()).contains(stored));
        assertThat(engine.imagesLabelled(Map.of(ImageLabels.RUN, run, ImageLabels.SOURCE_DIGEST, "other")))
                .isEmpty();
        assertThat(build(decide("e2e-test-short-" + run), BuildOptions.defaults(), new ArrayList<>())
                        .outcome())
                .isEqualTo(BuildResult.Outcome.UP_TO_DATE);
        engine.client().removeImageCmd(stored).exec();
        assertThat(engine.storedName(d.reference())).isEqualTo(stored);
        assertThat(build(decide("e2e-test-short-" + run), BuildOptions.defaults(), new ArrayList<>())
                        .outcome())
                .isEqualTo(BuildResult.Outcome.BUILT);
    }

    @Test
    void changingAnIncludedFileGivesANewTagAndImageButAnIgnoredFileKeepsBoth() throws Exception {
        TagDecision d1 = decide();
        BuildResult b1 = build(d1, BuildOptions.defaults(), new ArrayList<>());

        Files.writeString(context.resolve("notes.md"), "changed but ignored");
        TagDecision d2 = decide();
        assertThat(d2.reference()).isEqualTo(d1.reference());
        assertThat(build(d2, BuildOptions.defaults(), new ArrayList<>()).imageId())
                .isEqualTo(b1.imageId());

        Files.writeString(context.resolve("app.txt"), "v2");
        TagDecision d3 = decide();
        assertThat(d3.tag()).isNotEqualTo(d1.tag());
        BuildResult b3 = build(d3, BuildOptions.defaults(), new ArrayList<>());
        assertThat(b3.outcome()).isEqualTo(BuildResult.Outcome.BUILT);
        assertThat(b3.imageId()).isNotEqualTo(b1.imageId());
    }

    @Test
    void aFailingStepReportsTheStepItsOutputAndLeavesNoContainer() throws Exception {
        Files.writeString(context.resolve("Dockerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "sh", "-c", "echo about to fail; exit 3"]
                """);
        java.util.Set<String> containersBefore = EngineContainers.names(engine);
        TagDecision d = decide();
        assertThatThrownBy(() -> build(d, BuildOptions.defaults(), new ArrayList<>()))
                .isInstanceOfSatisfying(BuildFailedException.class, e -> {
                    assertThat(e.step()).startsWith("Step 3/").contains("exit 3");
                    assertThat(e.output()).anyMatch(l -> l.contains("about to fail"));
                    assertThat(e.getMessage()).contains("non-zero code: 3");
                });
        assertThat(EngineContainers.leftSince(engine, containersBefore)).isEmpty();
    }

    @Test
    void aDockerfileSyntaxErrorIsOneLineNamingTheDockerfileAndItsLine() throws Exception {
        Files.writeString(context.resolve("Dockerfile"), """
                FROM scratch
                FORM x
                """);
        TagDecision d = decide();
        assertThatThrownBy(() -> build(d, BuildOptions.defaults(), new ArrayList<>()))
                .isInstanceOfSatisfying(BuildFailedException.class, e -> {
                    assertThat(e.getMessage())
                            .startsWith("Dockerfile " + context.resolve("Dockerfile") + " line 2: ")
                            .containsIgnoringCase("unknown instruction")
                            .doesNotContain("{")
                            .doesNotContain("\n");
                    assertThat(e.step()).isNull();
                });
    }

    @Test
    void aFailedBuildLeavesNoImageOfItsRunBehind() throws Exception {
        // Podman (buildah) commits every step with the build's labels: the COPY before the failing RUN stays
        Files.writeString(context.resolve("Dockerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                COPY app.txt /app.txt
                RUN ["/bin/busybox", "sh", "-c", "exit 3"]
                """);
        TagDecision d = decide();
        assertThat(engine.imagesLabelled(Map.of(ImageLabels.RUN, run))).isEmpty();
        assertThatThrownBy(() -> build(d, BuildOptions.defaults(), new ArrayList<>()))
                .isInstanceOf(BuildFailedException.class);
        assertThat(engine.imagesLabelled(Map.of(ImageLabels.RUN, run))).isEmpty();
    }

    @Test
    void aBuildThatOutlivesItsTimeoutIsStopped() throws Exception {
        Files.writeString(context.resolve("Dockerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "sleep", "30"]
                """);
        TagDecision d = decide();
        long start = System.nanoTime();
        assertThatThrownBy(() -> build(
                        d, new BuildOptions(false, false, false, Duration.ofSeconds(2), false), new ArrayList<>()))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageContaining("buildTimeout");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }
}
