package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.work.SharedWork;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The registry of run objects, one per module (its work directory) and build, and the one piece they share across
 * builds, this user's {@link SharedWork} locks (Java holds file locks for the whole JVM, so one object serves it):
 * the plugin's only JVM-wide mutable state. A goal of a new build in the same JVM (an embedder, mvnd) gets a new run. A run leaves it when it is
 * released ({@link Run#release}: after its teardown goal, after a failed goal) and at the latest when a goal of
 * another build starts, so a JVM that runs many builds holds only the current build's runs, their shutdown hooks
 * and engine connections.
 */
public final class Runs {
    private static final Map<Path, Run> RUNS = new ConcurrentHashMap<>();

    private Runs() {}

    /** Made on first use: a JVM that never builds or loads never makes the lock directory. */
    private static final class UserWork {
        static final SharedWork LOCKS = SharedWork.forUser();
    }

    /** Where builds and loads of the same inputs take turns, within this JVM and across this user's JVMs. */
    static SharedWork sharedWork() {
        return UserWork.LOCKS;
    }

    /**
     * The run of the module with this work directory, made on first use in {@code build}; the goal now executing
     * brings its log and property sink, then its configuration ({@link Run#configure}).
     */
    public static Run of(Object build, Path workDirectory, RunLog log, BiConsumer<String, String> outputs) {
        Path key = workDirectory.toAbsolutePath().normalize();
        releaseEarlierBuilds(build);
        Run run = RUNS.compute(key, (k, old) -> old != null && old.build() == build ? old : new Run(build, log));
        run.attach(log, outputs);
        return run;
    }

    /** The runs of earlier builds in this JVM are over (no goal of theirs runs): their resources are freed. */
    private static void releaseEarlierBuilds(Object build) {
        for (Run run : RUNS.values()) {
            if (run.build() != build && !run.goalRunning()) {
                run.release(true);
            }
        }
    }

    /**
     * The build ended (Maven said so): its runs are released; what a run keeps on purpose (a build without
     * {@code teardown}, keepOnFailure) stays, recorded in its ledger. A JVM exit before this is an interrupted build.
     */
    public static void buildEnded(Object build) {
        for (Run run : RUNS.values()) {
            if (run.build() == build) {
                // e.g. Maven could not configure a later goal, so it never started: say how to remove what is left
                new RunTeardown(run).leftAtExit(run.log());
                run.release(true);
            }
        }
    }

    /** Drops a released run. */
    static void forget(Run run) {
        RUNS.values().remove(run);
    }

    /** How many runs this JVM holds now. */
    static int held() {
        return RUNS.size();
    }

    /** An e2e goal is executing right now in this JVM: at JVM exit that means the build was interrupted. */
    static boolean anyGoalRunning() {
        return RUNS.values().stream().anyMatch(Run::goalRunning);
    }

    /**
     * At JVM exit before the build ended (Ctrl-C, SIGTERM, during a goal or between goals) or after a failed goal:
     * what the ledger holds is removed as the teardown goal would, bounded to 30 s, and the run's port-forwards and
     * pod log followers are closed. A build that ended released the run and unregistered this.
     */
    static Thread atExit(Run run) {
        // made now: at JVM exit Maven may have closed the plugin's class realm, so no class of ours can load then
        RunTeardown teardown = new RunTeardown(run);
        RunLog stderr = RunLog.to(line -> System.err.println("[e2e] " + line));
        Thread hook = new Thread(
                () -> {
                    try {
                        // still registered: the build did not end (an ended build releases its runs and this hook), so
                        // the JVM exits because of Ctrl-C/SIGTERM — during a goal, or between goals (the ITs) — or
                        // after a failed goal whose removal left something
                        boolean interrupted = anyGoalRunning() || !run.failed();
                        String during = run.goalRunning() ? run.lastGoal() : null;
                        run.exiting(); // the goal under way may end meanwhile: no later goal starts
                        teardown.atExit(interrupted, during, stderr);
                        run.closeForwards();
                        run.stopPodLogs();
                    } catch (LinkageError e) {
                        stderr.warn("cannot tear down at exit (" + e + "); run 'mvn e2e:teardown' or 'e2e:reap'");
                    } finally {
                        // the goal this exit interrupted may be writing the ledger or report: the halt must not cut it
                        run.files().closeAtExit();
                    }
                },
                "e2e-shutdown-teardown");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return hook;
        } catch (IllegalStateException e) {
            // first used while the JVM is already shutting down: nothing more to register
            return null;
        }
    }
}
