package io.github.e2ekit.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.tag.PhaseZero;
import io.github.e2ekit.e2e.tag.TagDecision;
import io.github.e2ekit.e2e.tag.TagTemplate;
import io.github.e2ekit.e2e.testbed.EveryEngine;
import io.github.e2ekit.e2e.work.SharedWork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/**
 * Services building the same context at the same time (the example under {@code mvn -T 4}: every module builds
 * DataStorage), each under its own tag and labels. With shared work the second waits and builds from the first's
 * cache: all images have the very same layers — the {@code RUN} writing random bytes ran once — and only their
 * labels (so their IDs) differ. Without it two run every step.
 */
@EveryEngine
class SharedBuildTest {
    private static final int RUN_MEGABYTES = 40;
    private static final List<String> FOUR =
            List.of("gateway", "signalprocessing", "workflowexecution", "remediationorchestrator");

    @TempDir
    Path context;

    @TempDir
    Path locks;

    @Parameter
    Engine engine;

    private final String run = PhaseZero.newRunId();
    private final List<String> references = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        Files.copy(Path.of("/bin/busybox"), context.resolve("busybox"));
        Files.writeString(context.resolve("run.txt"), run); // this run's own context: no cache from earlier runs
        Files.writeString(context.resolve("Dockerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                COPY run.txt /run.txt
                ARG E2E_SOURCE_DIGEST
                RUN ["/bin/busybox", "sh", "-c", "/bin/busybox sleep 2; /bin/busybox head -c %dm /dev/urandom > /random"]
                """.formatted(RUN_MEGABYTES));
    }

    @AfterEach
    void removeImages() {
        for (String ref : references) {
            try {
                engine.client().removeImageCmd(ref).exec();
            } catch (RuntimeException e) {
                // not built
            }
        }
    }

    @Test
    void fourConcurrentBuildsOfTheSameInputsRunTheStepsOnceAndKeepTheirOwnImages() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        List<BuildResult> built = buildAtOnce(new SharedWork(locks), FOUR, lines);
        report("shared", FOUR.size(), start);
        assertThat(built.stream().map(BuildResult::reference).distinct()).hasSize(4);
        assertThat(built.stream().map(BuildResult::imageId).distinct()).hasSize(4); // own labels, own image
        for (int i = 0; i < FOUR.size(); i++) {
            assertThat(engine.client()
                            .inspectImageCmd(built.get(i).reference())
                            .exec()
                            .getConfig()
                            .getLabels())
                    .containsEntry(ImageLabels.SERVICE, FOUR.get(i));
            // the random bytes were written once: the same layers under every image
            assertThat(layers(built.get(i))).isEqualTo(layers(built.get(0))).hasSize(3);
        }
        assertThat(lines)
                .anyMatch(l ->
                        l.contains("waiting for pid " + ProcessHandle.current().pid())
                                && l.contains("which builds the same inputs"));
    }

    @Test
    void withoutSharingTwoConcurrentBuildsOfTheSameInputsEachRunEveryStep() throws Exception {
        long start = System.nanoTime();
        List<BuildResult> built = buildAtOnce(SharedWork.none(), FOUR.subList(0, 2), new CopyOnWriteArrayList<>());
        report("not shared", 2, start);
        assertThat(layers(built.get(0)).subList(0, 2))
                .isEqualTo(layers(built.get(1)).subList(0, 2));
        assertThat(layers(built.get(0)).get(2))
                .isNotEqualTo(layers(built.get(1)).get(2));
    }

    private List<BuildResult> buildAtOnce(SharedWork work, List<String> services, List<String> lines) throws Exception {
        List<TagDecision> decided = new ArrayList<>();
        for (String service : services) {
            ImageSpec spec = new ImageSpec(
                    "datastorage",
                    "localhost/e2e-test/shared-" + run,
                    context,
                    context.resolve("Dockerfile"),
                    null,
                    Map.of());
            TagDecision d = new PhaseZero(service, run, "1.0", new TagTemplate(null), Clock.systemUTC())
                    .decide(List.of(spec))
                    .get(0);
            references.add(engine.buildName(d.reference()));
            decided.add(d);
        }
        assertThat(decided.stream().map(TagDecision::digest).distinct()).hasSize(1);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<BuildResult>> futures = new ArrayList<>();
        for (int i = 0; i < decided.size(); i++) {
            TagDecision d = decided.get(i);
            Map<String, String> labels = Map.of(
                    ImageLabels.SOURCE_DIGEST, d.digest(), ImageLabels.RUN, run, ImageLabels.SERVICE, services.get(i));
            ImageBuilder builder = new ImageBuilder(engine, System.getenv(), work);
            futures.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return DecidedImages.build(builder, d, labels, BuildOptions.defaults(), (id, line) -> lines.add(line));
            }));
        }
        go.countDown();
        List<BuildResult> results = new ArrayList<>();
        for (CompletableFuture<BuildResult> f : futures) {
            BuildResult r = f.get(5, TimeUnit.MINUTES);
            assertThat(r.outcome()).isEqualTo(BuildResult.Outcome.BUILT);
            results.add(r);
        }
        return results;
    }

    private List<String> layers(BuildResult r) {
        return engine.client().inspectImageCmd(r.imageId()).exec().getRootFS().getLayers();
    }

    private void report(String how, int builds, long start) {
        System.out.printf(
                "e2e-measure: %s on %s: %d concurrent builds (RUN writes %d MB) took %.2f s%n",
                how, engine.kind(), builds, RUN_MEGABYTES, (System.nanoTime() - start) / 1e9);
    }
}
