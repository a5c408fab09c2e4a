package io.github.e2ekit.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.source.BuildContext;
import io.github.e2ekit.e2e.source.SourceDigest;
import io.github.e2ekit.e2e.tag.PhaseZero;
import io.github.e2ekit.e2e.testbed.TestEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stale build cache, reproduced honestly: step 2 "fetches dependencies" (records the time); its
 * cache key is only the command, so a cached layer keeps an old fetch. A later step requires a fetch
 * newer than MIN_FETCH_TIME and fails on the stale layer, like the compile error that did not exist
 * in the sources.
 */
class StaleCacheRetryTest {
    private static final String DOCKERFILE = """
            FROM scratch
            COPY busybox /bin/busybox
            RUN ["/bin/busybox", "sh", "-c", "/bin/busybox date +%%s > /fetched-at; echo fetched %s"]
            ARG MIN_FETCH_TIME=0
            RUN ["/bin/busybox", "sh", "-c", "%s"]
            """;
    private static final String CHECK = "f=$(/bin/busybox cat /fetched-at); if [ $f -lt $MIN_FETCH_TIME ]; then"
            + " echo cfg.Database undefined: dependencies fetched at $f, before $MIN_FETCH_TIME; exit 1; fi";

    @TempDir
    Path context;

    private Engine engine;
    private final String run = PhaseZero.newRunId();
    private final List<String> references = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        engine = TestEngine.require();
        Files.copy(Path.of("/bin/busybox"), context.resolve("busybox"));
    }

    private final List<String> output = new ArrayList<>();

    @AfterEach
    void removeImages() {
        for (String ref : references) {
            try {
                engine.client().removeImageCmd(ref).withForce(true).exec();
            } catch (RuntimeException e) {
                // not built
            }
        }
        // the failed attempts' intermediate layers (the build cache these tests made), newest first;
        // a layer another image still builds on is refused by the engine and stays
        List<String> layers = new ArrayList<>(output.stream()
                .map(String::strip)
                .filter(l -> l.matches("---> [0-9a-f]{12}"))
                .map(l -> l.substring(5))
                .distinct()
                .toList());
        java.util.Collections.reverse(layers);
        for (String id : layers) {
            try {
                engine.client().removeImageCmd(id).withForce(false).exec();
            } catch (RuntimeException e) {
                // in use, or gone with its child
            }
        }
    }

    private BuildResult build(ImageBuilder builder, String check, long minFetchTime, List<String> lines)
            throws Exception {
        Files.writeString(context.resolve("Dockerfile"), DOCKERFILE.formatted(run, check));
        return buildAsIs(builder, minFetchTime, lines);
    }

    private BuildResult buildAsIs(ImageBuilder builder, long minFetchTime, List<String> lines) throws Exception {
        ImageSpec spec = new ImageSpec(
                "app",
                "localhost/e2e-test/stale-" + run,
                context,
                context.resolve("Dockerfile"),
                null,
                Map.of("MIN_FETCH_TIME", String.valueOf(minFetchTime)));
        BuildContext ctx = BuildContext.scan(context, spec.dockerfile());
        String digest = SourceDigest.compute(ctx, null, spec.buildArgs());
        String ref = spec.name() + ":" + digest.substring(0, 12);
        references.add(ref);
        return builder.build(
                spec,
                ctx,
                ref,
                digest,
                Map.of(ImageLabels.SOURCE_DIGEST, digest, ImageLabels.RUN, run),
                BuildOptions.defaults(),
                (id, line) -> {
                    lines.add(line);
                    output.add(line);
                });
    }

    @Test
    void aStepFailingOnAStaleCachedLayerIsRetriedOnceWithoutTheCacheAndWarnsWhichStep() throws Exception {
        ImageBuilder builder = new ImageBuilder(engine);
        BuildResult first = build(builder, CHECK, 0, new ArrayList<>());
        assertThat(first.outcome()).isEqualTo(BuildResult.Outcome.BUILT);
        Thread.sleep(1100);
        long now = System.currentTimeMillis() / 1000;
        List<String> lines = new ArrayList<>();
        BuildResult second = build(builder, CHECK, now, lines);
        assertThat(lines)
                .anyMatch(l -> l.contains("Using cache"))
                .anyMatch(l -> l.contains("cfg.Database undefined"))
                .anyMatch(l -> l.contains("retrying once without the build cache"));
        assertThat(second.outcome()).isEqualTo(BuildResult.Outcome.REBUILT_WITHOUT_CACHE);
        assertThat(second.warning())
                .contains("the build cache was stale")
                .contains("Step 5/")
                .contains("Step 3/")
                .contains("docker rmi ");
        assertThat(builder.buildCalls()).isEqualTo(3);
        var fresh = engine.client().inspectImageCmd(second.reference()).exec();
        assertThat(fresh.getId()).isEqualTo(second.imageId());
    }

    @Test
    void aRealFailureFailsOnceWithTheRealBuildFailureMessage() throws Exception {
        ImageBuilder builder = new ImageBuilder(engine);
        String broken = "echo cfg.Database undefined in the sources; exit 2";
        build(builder, "true", 0, new ArrayList<>()); // warms the cache for step 3
        assertThatThrownBy(() -> build(builder, broken, 0, new ArrayList<>()))
                .isInstanceOfSatisfying(BuildFailedException.class, e -> {
                    output.addAll(e.output());
                    assertThat(e.getMessage())
                            .contains("a real build failure in the sources")
                            .contains("fails without the build cache too");
                    assertThat(e.output())
                            .filteredOn(l -> l.strip().equals("cfg.Database undefined in the sources"))
                            .hasSize(1);
                });
        assertThat(builder.buildCalls()).isEqualTo(3);
    }

    @Test
    void aFailureWithoutCachedStepsIsNotRetried() throws Exception {
        ImageBuilder builder = new ImageBuilder(engine);
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY not-there-" + run + " /x\n");
        assertThatThrownBy(() -> buildAsIs(builder, 0, new ArrayList<>()))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageNotContaining("real build failure");
        assertThat(builder.buildCalls()).isEqualTo(1);
    }
}
