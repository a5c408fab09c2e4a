package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.run.ConfigException;
import io.github.e2ekit.e2e.run.Run;
import io.github.e2ekit.e2e.run.RunTeardown;
import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Removes exactly what this run (and earlier runs of this module that left something behind)
 * recorded in the ledger. Works in a new Maven invocation from the ledger alone. A failed goal and an
 * interrupted build run this same code with the same {@code <cluster>} and {@code <kindExecutable>}.
 */
@Mojo(name = "teardown", defaultPhase = LifecyclePhase.POST_INTEGRATION_TEST, threadSafe = true)
public class TeardownMojo extends AbstractE2eMojo {
    /** {@code allButNewest} (default), {@code all} or {@code none}: local images this run built. */
    @Parameter(property = "e2e.removeImages", defaultValue = "allButNewest")
    String removeImages;

    /** Fail the build when something could not be removed. */
    @Parameter(property = "e2e.failOnTeardownError", defaultValue = "true")
    boolean failOnTeardownError;

    /** Failsafe's summary file, read to tell whether the integration tests failed. */
    @Parameter(
            property = "e2e.failsafeSummary",
            defaultValue = "${project.build.directory}/failsafe-reports/failsafe-summary.xml")
    File failsafeSummary;

    /** Skips this goal. */
    @Parameter(property = "e2e.skip.teardown", defaultValue = "false")
    boolean skipTeardown;

    @Override
    protected boolean skipGoal() {
        return skipTeardown;
    }

    @Override
    protected void run(Run run) throws ConfigException {
        new RunTeardown(run)
                .goal(RunTeardown.Settings.of(
                        removeImages, failOnTeardownError, failsafeSummary == null ? null : failsafeSummary.toPath()));
    }
}
