package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.report.RunReports;
import io.github.e2ekit.e2e.run.ConfigException;
import io.github.e2ekit.e2e.run.EarlyCheck;
import io.github.e2ekit.e2e.run.Run;
import io.github.e2ekit.e2e.run.Runs;
import io.github.e2ekit.e2e.run.Tags;
import io.github.e2ekit.e2e.work.AtomicFiles;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.MojoFailureException;

/**
 * One goal's execution, the glue every mojo shares: the module's {@link Run} (made once per module and build), the
 * whole configuration checked by the first goal, the goal's call, its failure worded by {@link Messages}, and
 * {@code report.json} written at its end, success or failure.
 */
final class GoalExecution {
    private GoalExecution() {}

    static void execute(AbstractE2eMojo m) throws MojoFailureException {
        long started = System.nanoTime();
        String failure = "did not finish"; // report.json is written at the end of every goal, success or failure
        Run run = null;
        try {
            run = Runs.of(
                    m.session,
                    m.workDirectory.toPath(),
                    new MavenRunLog(m.getLog()),
                    m.project.getProperties()::setProperty);
            MavenSession build = m.session;
            BuildEnd.watch(m.session, () -> Runs.buildEnded(build));
            run.configure(Configurations.run(m, run));
            run.goal(m.goal(), r -> {
                if (m.checksFirst() && r.decisions() == null) {
                    // the first goal of the build: the whole configuration, before anything is built
                    EarlyCheck.check(r, Tags.decide(r), Configurations.early(m, r));
                    m.decidedNow = true;
                }
                m.run(r);
            });
            failure = null;
        } catch (ConfigException e) {
            failure = e.getMessage();
            throw new MojoFailureException(e.getMessage());
        } catch (RuntimeException e) {
            MojoFailureException f = Messages.failure(e);
            failure = f.getMessage();
            throw f;
        } finally {
            // the report of another build's run is not this goal's; once the exit teardown began, it writes the report
            if (run == null || !run.heldElsewhere() && !run.exitBegun()) {
                RunReports.finished(
                        m.workDirectory.toPath(),
                        run != null ? run.files() : new AtomicFiles(),
                        m.goal(),
                        System.nanoTime() - started,
                        failure,
                        m.getLog()::warn);
            }
        }
    }
}
