package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.ledger.EntryState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A goal that finds no engine: its failure teardown neither probes again nor speaks of images never built. */
class EngineDownTeardownTest {
    @TempDir
    Path dir;

    private Run run(List<String> lines) throws ConfigException {
        RunConfiguration config = TestConfigurations.module(
                dir, "svc", List::of, "{digest}", "unix://" + dir.resolve("no-engine.sock"), false);
        Run run = Runs.of(new Object(), config.workDirectory(), RunLog.to(lines::add), (k, v) -> {});
        run.configure(config);
        return run;
    }

    @Test
    void imagesOnlyIntendedAreForgottenSilentlyAndTheEngineIsProbedOnce() throws ConfigException {
        List<String> lines = new ArrayList<>();
        Run run = run(lines);
        run.ledger().images().intend("app", "localhost/app:1", "1", "d", null, "2099-01-01T00:00:00Z");
        RuntimeException first = null;
        try {
            run.goal("build", r -> r.engine());
        } catch (RuntimeException e) {
            first = e;
        }
        assertThat(first).isNotNull();
        long started = System.nanoTime();
        RuntimeException again = null;
        try {
            run.engine();
        } catch (RuntimeException e) {
            again = e;
        }
        assertThat(again).isSameAs(first);
        assertThat(System.nanoTime() - started).isLessThan(100_000_000L);
        assertThat(run.ledger().<Boolean>read(d -> d.hasLiveEntries())).isFalse();
        assertThat(run.ledger().<Integer>read(d -> d.images.size())).isZero();
        assertThat(lines).noneMatch(l -> l.contains("removing what run")).noneMatch(l -> l.contains("teardown failed"));
        List<String> atExit = new ArrayList<>();
        new RunTeardown(run).atExit(false, null, RunLog.to(atExit::add));
        assertThat(atExit).isEmpty();
    }

    @Test
    void whatWasCreatedIsSaidOnceWithHowToRemoveIt() throws ConfigException {
        List<String> lines = new ArrayList<>();
        Run run = run(lines);
        run.ledger().images().intend("app", "localhost/app:1", "1", "d", null, "2099-01-01T00:00:00Z");
        run.ledger().images().built("app", "sha256:0123");
        assertThatThrownBy(() -> run.goal("load", r -> r.engine())).isInstanceOf(RuntimeException.class);
        assertThat(run.ledger().<EntryState>read(d -> d.images.get(0).state)).isEqualTo(EntryState.CREATED);
        assertThat(lines.stream().filter(l -> l.contains("mvn e2e:teardown")).toList())
                .hasSize(1)
                .allMatch(l -> l.contains(dir.toString()));
        List<String> atExit = new ArrayList<>();
        new RunTeardown(run).atExit(false, null, RunLog.to(atExit::add));
        assertThat(atExit).isEmpty();
    }

    @Test
    void aBuildEndingWithoutTeardownWhileTheLedgerHoldsThingsSaysHowToRemoveThem() throws ConfigException {
        List<String> lines = new ArrayList<>();
        Run run = run(lines);
        run.goal("tag", r -> {
            r.ledger().images().intend("app", "localhost/app:1", "1", "d", null, "2099-01-01T00:00:00Z");
            r.ledger().images().built("app", "sha256:0123");
        });
        // e.g. Maven could not configure the next goal: it never started, and the build ends
        List<String> atExit = new ArrayList<>();
        new RunTeardown(run).leftAtExit(RunLog.to(atExit::add));
        assertThat(atExit)
                .singleElement()
                .satisfies(l -> assertThat(l)
                        .contains("mvn e2e:teardown")
                        .contains(dir.toString())
                        .contains("last e2e goal: tag"));
        run.goal("teardown", r -> {});
        List<String> afterTeardown = new ArrayList<>();
        new RunTeardown(run).leftAtExit(RunLog.to(afterTeardown::add));
        assertThat(afterTeardown).isEmpty();
    }

    @Test
    void aTagGoalFoundWrongLeavesNoLedgerEntryAndNoWordAboutRemoving() throws ConfigException {
        List<String> lines = new ArrayList<>();
        Run run = run(lines);
        assertThatThrownBy(() -> run.goal("tag", r -> {
                    r.ledger().images().intend("app", "localhost/app:1", "1", "d", null, "2099-01-01T00:00:00Z");
                    throw new ConfigException("deploy/timeout", "'5 minutes' is not a positive duration");
                }))
                .isInstanceOf(ConfigException.class);
        assertThat(run.ledger().<Integer>read(d -> d.images.size())).isZero();
        assertThat(lines).noneMatch(l -> l.contains("removing what run"));
    }
}
