package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageSpec;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.testbed.TestEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin run many times in one JVM, as mvnd or an embedder does: each "build" drives the run layer as the mojos
 * do (one {@link Runs#of} per goal with a new build object, tag, build against the real engine, then teardown or a
 * failing goal). Maven itself is not embedded: the mojos are one call each into this layer (AbstractE2eMojo), and
 * what can pile up (threads, sockets, shutdown hooks, the run registry) lives here.
 */
class LongLivedJvmTest {
    private static final int BUILDS = 6;

    @TempDir
    Path dir;

    private final Engine engine = TestEngine.require();

    @Test
    void buildAfterBuildInOneJvmHoldsNoMoreThreadsSocketsHooksOrRuns() throws Exception {
        List<Thread> hooks = new ArrayList<>();
        build(0, false, hooks); // warm-up: classes, the engine client's shared pools
        System.gc();
        int threads = liveThreads();
        long fds = openFds();
        for (int i = 1; i <= BUILDS; i++) {
            build(i, i % 2 == 0, hooks);
        }
        System.gc();
        assertThat(Runs.held()).as("runs held after %d builds", BUILDS + 1).isZero();
        assertThat(hooks).hasSize(BUILDS + 1);
        for (int i = 0; i < hooks.size(); i++) {
            // removeShutdownHook answers whether it was still registered (and unregisters it if so)
            assertThat(Runtime.getRuntime().removeShutdownHook(hooks.get(i)))
                    .as(
                            "exit hook of build %d (%s) still" + " registered; ledger: %s",
                            i,
                            i % 2 == 0 && i > 0 ? "failed" : "torn down",
                            Files.readString(dir.resolve("m" + i + "/target/e2e/ledger.json")))
                    .isFalse();
        }
        System.out.printf(
                "long-lived JVM: after build 1: %d threads, %d fds; after build %d: %d threads, %d fds%n",
                threads, fds, BUILDS + 1, liveThreads(), openFds());
        assertThat(liveThreads()).as("threads after %d more builds", BUILDS).isLessThanOrEqualTo(threads + 1);
        assertThat(openFds())
                .as("open file descriptors after %d more builds", BUILDS)
                .isLessThanOrEqualTo(fds + 2);
    }

    @Test
    void aFailedGoalRemovesWhatTheRunCreatedAtOnceAndReleasesTheRunWithoutJvmExit() throws Exception {
        List<Thread> hooks = new ArrayList<>();
        Run run = build(1, true, hooks);
        Ledger ledger = Ledger.open(run.config().ledgerFile());
        String reference = ledger.read(d -> d.images.get(0).reference);
        assertThat(ledger.<EntryState>read(d -> d.images.get(0).state)).isEqualTo(EntryState.REMOVED);
        assertThat(engine.inspectImage(reference).isPresent())
                .as("image %s after the failed goal", reference)
                .isFalse();
        assertThat(Runs.held()).isZero();
        assertThat(Runtime.getRuntime().removeShutdownHook(hooks.get(0)))
                .as("exit hook still registered")
                .isFalse();
    }

    @Test
    void aSecondBuildOfTheSameModuleAtOnceFailsWithOneLineAndTouchesNothing() throws Exception {
        Path module = dir.resolve("same");
        RunConfiguration config =
                TestConfigurations.module(module, "same", List::of, "{service}-{digest}", engine.endpoint(), false);
        Run first = goal(new Object(), config, RunLog.to(l -> {}), "tag", Tags::decide);
        String ledger = Files.readString(config.ledgerFile());
        // the first build holds the module as another process would (the next build in this JVM would release it)
        try (ModuleLock other = otherBuild(first, config)) {
            Run second = Runs.of(new Object(), config.workDirectory(), RunLog.to(l -> {}), (k, v) -> {});
            second.configure(config);
            assertThatThrownBy(() -> second.goal("tag", Tags::decide))
                    .hasMessageStartingWith("another build is running e2e goals in " + config.workDirectory())
                    .hasMessageNotContaining("\n");
            assertThat(second.heldElsewhere()).isTrue();
            assertThat(second.startedLedger()).isNull();
            assertThat(Files.readString(config.ledgerFile())).isEqualTo(ledger);
        }
        Run third = goal(new Object(), config, RunLog.to(l -> {}), "tag", Tags::decide);
        assertThat(third.heldElsewhere()).isFalse();
        third.release(true);
    }

    /** The first run's build released by the next one (one build at a time per JVM), its lock taken again. */
    private static ModuleLock otherBuild(Run first, RunConfiguration config) {
        first.release(true);
        return ModuleLock.take(config.workDirectory());
    }

    /** One build of one module: tag, build, then teardown, or a goal that fails. Returns the run. */
    private Run build(int n, boolean fail, List<Thread> hooks) throws Exception {
        Path module = dir.resolve("m" + n);
        Path context = Files.createDirectories(module.resolve("app"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY hello /hello\n");
        Files.writeString(context.resolve("hello"), "build " + n + " of " + dir + "\n");
        List<ImageSpec> images = List.of(new ImageSpec(
                "app", "localhost/e2e-test/long-lived", context, context.resolve("Dockerfile"), null, Map.of()));
        RunConfiguration config = TestConfigurations.module(
                module, "longlived", () -> images, "{service}-{digest}", engine.endpoint(), false);
        Object build = new Object();
        RunLog log = RunLog.to(line -> {});
        Run run = goal(build, config, log, "tag", Tags::decide);
        hooks.add(run.exitHook());
        goal(
                build,
                config,
                log,
                "build",
                r -> new Build(r)
                        .goal(
                                Build.Settings.of(
                                        false, false, false, "5m", true, true, "classic", null, null, List.of(), true),
                                RuntimeException::getMessage));
        String reference = run.ledger().read(d -> d.images.get(0).reference);
        assertThat(engine.inspectImage(reference).isPresent())
                .as("built %s", reference)
                .isTrue();
        if (fail) {
            assertThatThrownBy(() -> goal(build, config, log, "deploy", r -> {
                        throw new ConfigException("deploy/stages", "is empty");
                    }))
                    .isInstanceOf(ConfigException.class);
        } else {
            goal(
                    build,
                    config,
                    log,
                    "teardown",
                    r -> new RunTeardown(r)
                            .goal(RunTeardown.Settings.of("all", true, module.resolve("no-failsafe-summary.xml"))));
        }
        assertThat(engine.inspectImage(reference).isPresent())
                .as("%s after the run", reference)
                .isFalse();
        return run;
    }

    /** What a mojo does: the module's run for this build, its configuration, one goal. */
    private static Run goal(Object build, RunConfiguration config, RunLog log, String name, Run.Goal body)
            throws ConfigException {
        Run run = Runs.of(build, config.workDirectory(), log, (k, v) -> {});
        run.configure(config);
        run.goal(name, body);
        return run;
    }

    private static int liveThreads() throws InterruptedException {
        // threads that end on their own (a finished build's readers) get a moment to do so
        Thread.sleep(300);
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .count();
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
