package io.github.e2ekit.e2e.run;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The registry of run objects, one per module (its work directory) and build: the plugin's only JVM-wide mutable
 * state. A goal of a new build in the same JVM (an embedder, mvnd) gets a new run.
 */
public final class Runs {
    private static final Map<Path, Run> RUNS = new ConcurrentHashMap<>();

    private Runs() {
    }

    /**
     * The run of the module whose work directory {@code config} names, made on first use in {@code build}; the goal
     * now executing brings its configuration, log and property sink.
     */
    public static Run of(Object build, RunConfiguration config, RunLog log, BiConsumer<String, String> outputs) {
        Path key = config.workDirectory().toAbsolutePath().normalize();
        Run run = RUNS.compute(key, (k, old) -> old != null && old.build() == build ? old : new Run(build, config, log));
        run.attach(config, log, outputs);
        return run;
    }

    /** An e2e goal is executing right now in this JVM: at JVM exit that means the build was interrupted. */
    static boolean anyGoalRunning() {
        return RUNS.values().stream().anyMatch(Run::goalRunning);
    }

    /**
     * At JVM exit: the run's port-forwards and pod log followers are closed; when the build was interrupted (Ctrl-C,
     * SIGTERM) or a goal failed, what the ledger holds is removed as the teardown goal would, bounded to 30 s.
     */
    static void atExit(Run run) {
        Thread hook = new Thread(() -> {
            boolean interrupted = anyGoalRunning();
            if (interrupted || run.failed()) {
                new RunTeardown(run).atExit(interrupted);
            }
            run.closeForwards();
            run.stopPodLogs();
        }, "e2e-shutdown-teardown");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) {
            // first used while the JVM is already shutting down: nothing more to register
        }
    }
}
