package io.github.e2ekit.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.tag.PhaseZero;
import io.github.e2ekit.e2e.tag.TagDecision;
import io.github.e2ekit.e2e.testbed.EngineContainers;
import io.github.e2ekit.e2e.testbed.EveryEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/**
 * Dockerfiles with BuildKit features, once per engine: on Docker through the engine's BuildKit driven by a docker
 * CLI (here Debian's 20.10 CLI, found on the PATH behind a 28.2 CLI without buildx), on Podman through its own
 * builder (buildah), both under the decided tag with labels, build args and the up-to-date skip.
 */
@EveryEngine
class BuildKitBuildTest {
    private static final String SECRET = "s3cret-value-e2e";

    @TempDir
    Path context;

    @TempDir
    Path secrets;

    @Parameter
    Engine engine;

    private final String run = PhaseZero.newRunId();
    private final DecidedImages decided = new DecidedImages(run);
    private final Map<String, String> env = new HashMap<>(System.getenv());

    @BeforeEach
    void setUp() throws Exception {
        Files.copy(Path.of("/bin/busybox"), context.resolve("busybox"));
        // a cache mount with an id of this run: the count it keeps proves the cache outlives a build
        dockerfile(cacheMountDockerfile(1));
    }

    private String cacheMountDockerfile(int round) {
        return """
                FROM scratch
                COPY busybox /bin/busybox
                ARG FLAVOUR=plain
                ARG E2E_SOURCE_DIGEST
                RUN --mount=type=cache,id=e2e-%s,target=/cache ["/bin/busybox", "sh", "-c", \
                "echo x >> /cache/n; echo count=$(/bin/busybox wc -l < /cache/n) flavour=$FLAVOUR digest=$E2E_SOURCE_DIGEST"]
                ENV ROUND=%d
                """.formatted(run, round);
    }

    private void dockerfile(String text) throws Exception {
        Files.writeString(context.resolve("Dockerfile"), text);
    }

    @AfterEach
    void removeImages() {
        decided.remove(engine);
    }

    private TagDecision decide() throws Exception {
        ImageSpec spec = new ImageSpec(
                "app",
                "localhost/e2e-test/bk-" + run,
                context,
                context.resolve("Dockerfile"),
                null,
                Map.of("FLAVOUR", "kit"));
        return decided.decide(spec);
    }

    private BuildResult build(TagDecision d, BuildOptions options, List<String> lines) {
        return decided.build(new ImageBuilder(engine, env), d, options, lines);
    }

    private static BuildOptions with(BuilderChoice choice, List<BuildSecret> secrets) {
        return BuildOptions.defaults().withBuilder(choice, secrets, null, null);
    }

    @Test
    void aCacheMountDockerfileIsBuiltUnderTheDecidedTagAndSkippedWhenUpToDate() throws Exception {
        TagDecision d = decide();
        List<String> lines = new ArrayList<>();
        BuildResult first = build(d, BuildOptions.defaults(), lines);
        assertThat(first.outcome()).isEqualTo(BuildResult.Outcome.BUILT);
        assertThat(lines).anyMatch(l -> l.contains("count=1 flavour=kit digest=" + d.digest()));
        if (engine.kind() == EngineKind.DOCKER) {
            assertThat(lines)
                    .anyMatch(l -> l.startsWith("BuildKit through ") && l.contains("RUN --mount=type=cache (line 5)"));
        }
        var inspected = engine.client().inspectImageCmd(first.reference()).exec();
        assertThat(inspected.getId()).isEqualTo(first.imageId());
        assertThat(inspected.getConfig().getLabels())
                .containsEntry(ImageLabels.SOURCE_DIGEST, d.digest())
                .containsEntry(ImageLabels.RUN, run);

        assertThat(build(decide(), BuildOptions.defaults(), new ArrayList<>()).outcome())
                .isEqualTo(BuildResult.Outcome.UP_TO_DATE);

        // a changed Dockerfile gives a new tag and runs the RUN again, which finds what the first build left in the
        // cache mount (BuildKit 20.10 gives --no-cache builds a fresh cache mount: measured, so not used here)
        dockerfile(cacheMountDockerfile(2).replace("ARG FLAVOUR=plain", "ARG FLAVOUR=plain\nENV ROUND_BEFORE=2"));
        List<String> again = new ArrayList<>();
        BuildResult rebuilt = build(decide(), BuildOptions.defaults(), again);
        assertThat(rebuilt.outcome()).isEqualTo(BuildResult.Outcome.BUILT);
        assertThat(again).anyMatch(l -> l.contains("count=2 flavour=kit"));
    }

    @Test
    void secretsFromAFileAndFromTheEnvironmentReachDockersBuildAndNeverTheLogAndPodmanRefusesThemInOneLine()
            throws Exception {
        Path file = Files.writeString(secrets.resolve("token"), SECRET);
        env.put("E2E_TEST_SECRET", SECRET + "-env");
        dockerfile("""
                FROM scratch
                COPY busybox /bin/busybox
                RUN --mount=type=secret,id=file-token --mount=type=secret,id=env-token ["/bin/busybox", "sh", "-c", \
                "echo sizes $(/bin/busybox wc -c < /run/secrets/file-token) $(/bin/busybox wc -c < /run/secrets/env-token) %s"]
                """.formatted(run)); // the run id: a step from an earlier test run would be cached and print nothing
        Set<String> tmpBefore =
                Set.of(Path.of(System.getProperty("java.io.tmpdir")).toFile().list());
        List<String> lines = new ArrayList<>();
        TagDecision d = decide();
        BuildOptions options = with(
                BuilderChoice.AUTO,
                List.of(
                        new BuildSecret("file-token", file, null),
                        new BuildSecret("env-token", null, "E2E_TEST_SECRET")));
        if (engine.kind() == EngineKind.PODMAN) {
            assertThatThrownBy(() -> build(d, options, lines))
                    .isInstanceOf(BuildFailedException.class)
                    .hasMessageStartingWith("<secrets>: " + d.context().dockerfile() + " mounts secrets")
                    .satisfies(e ->
                            assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("\n"));
            return;
        }
        BuildResult r = build(d, options, lines);
        assertThat(r.outcome()).isEqualTo(BuildResult.Outcome.BUILT);
        assertThat(lines).anyMatch(l -> l.contains("sizes " + SECRET.length() + " " + (SECRET.length() + 4)));
        assertThat(lines).noneMatch(l -> l.contains(SECRET));
        // the environment secret's file is gone
        assertThat(Path.of(System.getProperty("java.io.tmpdir")).toFile().list())
                .noneMatch(n -> n.startsWith("e2e-secret-") && !tmpBefore.contains(n));
    }

    @Test
    void aDockerfileSyntaxErrorThroughBuildKitIsOneLineNamingTheDockerfileAndItsLine() throws Exception {
        dockerfile("""
                FROM scratch
                COPY busybox /bin/busybox
                RUN --mount=type=cache,target=/cache ["/bin/busybox", "true"]
                FORM x
                """);
        TagDecision d = decide();
        assertThatThrownBy(() -> build(d, with(BuilderChoice.BUILDKIT, List.of()), new ArrayList<>()))
                .isInstanceOfSatisfying(
                        BuildFailedException.class,
                        e -> assertThat(e.getMessage())
                                .startsWith("Dockerfile " + context.resolve("Dockerfile") + " line 4: ")
                                .containsIgnoringCase("unknown instruction"));
    }

    @Test
    void aFailingBuildKitStepReportsTheStepItsOutputAndLeavesNoContainerNorImageOfItsRun() throws Exception {
        dockerfile("""
                FROM scratch
                COPY busybox /bin/busybox
                RUN --mount=type=cache,target=/cache ["/bin/busybox", "sh", "-c", "echo about to fail; exit 3"]
                """);
        Set<String> before = EngineContainers.names(engine);
        TagDecision d = decide();
        assertThatThrownBy(() -> build(d, BuildOptions.defaults(), new ArrayList<>()))
                .isInstanceOfSatisfying(BuildFailedException.class, e -> {
                    assertThat(e.step()).contains("RUN --mount=type=cache").contains("exit 3");
                    assertThat(e.output()).anyMatch(l -> l.contains("about to fail"));
                    assertThat(e.getMessage()).contains("3");
                });
        assertThat(EngineContainers.leftSince(engine, before)).isEmpty();
        // Podman's builder commits the COPY before the failing step with the run's labels: removed with the failure
        assertThat(engine.imagesLabelled(Map.of(ImageLabels.RUN, run))).isEmpty();
    }

    @Test
    void onDockerBuildKitChoicesThatCannotWorkAreOneLineEachWhilePodmansBuilderNeedsNoChoice() throws Exception {
        if (engine.kind() == EngineKind.PODMAN) {
            // buildah reads RUN --mount whatever the choice, and ignores a # syntax= frontend (measured: no pull)
            dockerfile("# syntax=e2e-test/absent-frontend:" + run + "\n" + cacheMountDockerfile(1));
            List<String> lines = new ArrayList<>();
            assertThat(build(decide(), with(BuilderChoice.CLASSIC, List.of()), lines)
                            .outcome())
                    .isEqualTo(BuildResult.Outcome.BUILT);
            assertThat(lines).anyMatch(l -> l.contains("count=1 flavour=kit"));
            return;
        }
        TagDecision d = decide();
        String df = d.context().dockerfile().toString();
        // classic forced on a BuildKit Dockerfile
        assertThatThrownBy(() -> build(d, with(BuilderChoice.CLASSIC, List.of()), new ArrayList<>()))
                .isInstanceOf(BuildFailedException.class)
                .hasMessage("<builder>classic cannot build " + df + ", which needs BuildKit (RUN --mount=type=cache"
                        + " (line 5)): use <builder>auto (-De2e.builder=auto)");
        // a docker CLI without BuildKit (the 28.2 CLI here has no buildx)
        Path cliWithoutBuildx = Path.of("/usr/local/bin/docker");
        assertThat(cliWithoutBuildx)
                .as("this machine's second docker CLI (PLATFORM-NOTES)")
                .isExecutable();
        assertThatThrownBy(() -> build(
                        d,
                        BuildOptions.defaults()
                                .withBuilder(BuilderChoice.AUTO, List.of(), null, cliWithoutBuildx.toString()),
                        new ArrayList<>()))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageStartingWith(
                        df + " (RUN --mount=type=cache (line 5)) needs BuildKit, which the plugin drives"
                                + " through the docker CLI, and no usable one was found (/usr/local/bin/docker: ")
                .hasMessageContaining(
                        " without buildx): install the docker CLI with the buildx plugin, or set <dockerCli>");
        // a # syntax= frontend that is not in the engine: no pull is attempted
        dockerfile("# syntax=e2e-test/absent-frontend:" + run + "\nFROM scratch\nCOPY busybox /bin/busybox\n");
        TagDecision s = decide();
        assertThatThrownBy(() -> build(s, BuildOptions.defaults(), new ArrayList<>()))
                .isInstanceOf(BuildFailedException.class)
                .hasMessage(df + " line 1 asks for the Dockerfile frontend image e2e-test/absent-frontend:" + run
                        + " (# syntax=), which is not in the engine, and <pull> is off: load that image into the engine"
                        + " (docker pull e2e-test/absent-frontend:" + run + " where a registry is reachable), or remove"
                        + " the line to use the engine's built-in frontend");
    }

    @Test
    void aBuildKitBuildThatOutlivesItsTimeoutIsStopped() throws Exception {
        dockerfile("""
                FROM scratch
                COPY busybox /bin/busybox
                RUN --mount=type=cache,target=/cache ["/bin/busybox", "sleep", "30"]
                ENV RUN_ID=%s
                """.formatted(run));
        TagDecision d = decide();
        long start = System.nanoTime();
        assertThatThrownBy(() -> build(
                        d,
                        new BuildOptions(false, false, false, java.time.Duration.ofSeconds(3), false),
                        new ArrayList<>()))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageContaining("buildTimeout");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(25));
        assertThat(engine.client()
                        .listImagesCmd()
                        .withReferenceFilter(d.reference().toString())
                        .exec())
                .isEmpty();
    }

    @Test
    void syntaxTheEnginesFrontendDoesNotKnowFailsNamingTheFeatureAndTheFix() throws Exception {
        // measured: Docker 20.10's built-in frontend and Podman 4.3's buildah know RUN --mount, not COPY --link
        dockerfile("FROM scratch\nCOPY --link busybox /bin/busybox\n");
        TagDecision d = decide();
        assertThatThrownBy(() -> build(d, BuildOptions.defaults(), new ArrayList<>()))
                .isInstanceOf(BuildFailedException.class)
                .satisfies(e -> {
                    if (engine.kind() == EngineKind.DOCKER) {
                        assertThat(e.getMessage())
                                .contains("Unknown flag: link")
                                .endsWith("— the engine's built-in"
                                        + " Dockerfile frontend is older than this Dockerfile (COPY --link (line 2)): add"
                                        + " '# syntax=docker/dockerfile:1.4' with that frontend image in the engine, or write it"
                                        + " without these features");
                    } else {
                        assertThat(e.getMessage()).contains("COPY only supports");
                    }
                });
    }
}
