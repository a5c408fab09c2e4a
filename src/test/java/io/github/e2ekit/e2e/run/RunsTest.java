package io.github.e2ekit.e2e.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.ledger.Ledger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunsTest {
    @TempDir
    Path dir;

    private static Run run(
            Object build, RunConfiguration config, RunLog log, java.util.function.BiConsumer<String, String> outputs) {
        Run run = Runs.of(build, config.workDirectory(), log, outputs);
        run.configure(config);
        return run;
    }

    private RunConfiguration config(Path module, boolean keepOnFailure) throws ConfigException {
        return TestConfigurations.module(module, keepOnFailure);
    }

    @Test
    void theGoalsOfOneModuleInOneBuildShareOneRunAndANewBuildGetsANewOne() throws ConfigException {
        Object build = new Object();
        Run first = run(build, config(dir.resolve("a"), false), RunLog.to(l -> {}), (k, v) -> {});
        assertThat(run(build, config(dir.resolve("a"), false), RunLog.to(l -> {}), (k, v) -> {}))
                .isSameAs(first);
        assertThat(run(build, config(dir.resolve("b"), false), RunLog.to(l -> {}), (k, v) -> {}))
                .isNotSameAs(first);
        assertThat(run(new Object(), config(dir.resolve("a"), false), RunLog.to(l -> {}), (k, v) -> {}))
                .isNotSameAs(first);
    }

    @Test
    void startingTheRunWritesALedgerAndExportsTheRunAndServiceAsOutputs() throws ConfigException {
        Map<String, String> exported = new HashMap<>();
        Run run = run(new Object(), config(dir, false), RunLog.to(l -> {}), exported::put);
        String id = run.id();
        assertThat(id).matches("[0-9a-f]{8}");
        assertThat(run.ledger().<String>read(d -> d.run)).isEqualTo(id);
        assertThat(Files.exists(dir.resolve("target/e2e/ledger.json"))).isTrue();
        assertThat(exported).containsEntry("e2e.run", id).containsEntry("e2e.service", "svc");
    }

    @Test
    void anEarlierRunsLedgerWithLiveEntriesIsKeptBesideTheNewOne() throws ConfigException {
        Path work = dir.resolve("target/e2e");
        Ledger earlier = Ledger.start(work.resolve("ledger.json"), "0badc0de", "svc");
        earlier.update(d -> {
            var e = new io.github.e2ekit.e2e.ledger.ImageEntry();
            e.id = "app";
            e.state = io.github.e2ekit.e2e.ledger.EntryState.CREATED;
            d.images.add(e);
        });
        List<String> warnings = new ArrayList<>();
        Run run = run(new Object(), config(dir, false), RunLog.to(warnings::add), (k, v) -> {});
        run.id();
        assertThat(work.resolve("ledger-0badc0de.json")).exists();
        assertThat(warnings).anyMatch(w -> w.contains("ledger-0badc0de.json"));
    }

    @Test
    void anOutputMavenHandsBackAsAParameterValueIsNoInput() throws ConfigException {
        Run run = run(new Object(), config(dir, false), RunLog.to(l -> {}), (k, v) -> {});
        run.export("e2e.namespace", "e2e-svc-0a1b2c3d");
        assertThat(run.input("e2e.namespace", "e2e-svc-0a1b2c3d")).isNull();
        assertThat(run.input("e2e.namespace", "mine")).isEqualTo("mine");
        assertThat(run.input("e2e.kubeconfig", "/k")).isEqualTo("/k");
    }

    @Test
    void aFailedGoalMarksTheRunFailedAndItsErrorReachesTheCaller() throws ConfigException {
        Run run = run(new Object(), config(dir, true), RunLog.to(l -> {}), (k, v) -> {});
        assertThat(run.failed()).isFalse();
        assertThatThrownBy(() -> run.goal("deploy", r -> {
                    throw new ConfigException("deploy/stages", "is empty");
                }))
                .isInstanceOf(ConfigException.class);
        assertThat(run.failed()).isTrue();
        assertThat(run.goalRunning()).isFalse();
    }

    @Test
    void aRunningGoalIsCountedUntilItEnds() throws ConfigException {
        Run run = run(new Object(), config(dir, false), RunLog.to(l -> {}), (k, v) -> {});
        boolean[] during = new boolean[2];
        run.goal("tag", r -> {
            during[0] = r.goalRunning();
            during[1] = Runs.anyGoalRunning();
        });
        assertThat(during).containsExactly(true, true);
        assertThat(run.goalRunning()).isFalse();
    }
}
