package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.registry.RegistryPush;
import io.github.e2ekit.e2e.report.RunReports;
import io.github.e2ekit.e2e.run.ConfigException;
import io.github.e2ekit.e2e.run.Run;
import io.github.e2ekit.e2e.run.Runs;
import io.github.e2ekit.e2e.run.Skips;
import java.util.Optional;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/** Every goal: skip switches, then one call into the module's {@link Run}; failures worded by {@link Messages}. */
public abstract class AbstractE2eMojo extends E2eParameters {
    static {
        // With mvn -X every logger is at DEBUG, and the engine client's HTTP library logs request headers and
        // bodies there: X-Registry-Auth (the registry password, base64) and build contexts byte by byte. Maven's
        // logger takes per-logger levels from these properties when a logger is made, which for these is
        // later (at the first engine request); a level the user set stays (and RegistryPush then refuses).
        for (String name : RegistryPush.HTTP_LOGGERS) {
            String key = "org.slf4j.simpleLogger.log." + name;
            if (System.getProperty(key) == null) {
                System.setProperty(key, "info");
            }
        }
    }

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    protected MavenProject project;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    protected MavenSession session;

    @Override
    public final void execute() throws MojoFailureException {
        Optional<String> skipped = Skips.reason(goal(), skip, skipITs, mavenTestSkip, skipGoal());
        if (skipped.isPresent()) {
            getLog().info("e2e: " + goal() + " skipped (" + skipped.get() + ")");
            return;
        }
        long started = System.nanoTime();
        String failure = "did not finish"; // report.json is written at the end of every goal, success or failure
        Run run = null;
        try {
            run = Runs.of(session, workDirectory.toPath(), new MavenRunLog(getLog()),
                    project.getProperties()::setProperty);
            MavenSession build = session;
            BuildEnd.watch(session, () -> Runs.buildEnded(build));
            run.configure(Configurations.run(this, run));
            run.goal(goal(), this::run);
            failure = null;
        } catch (ConfigException e) {
            failure = e.getMessage();
            throw new MojoFailureException(e.getMessage());
        } catch (RuntimeException e) {
            MojoFailureException f = Messages.failure(e);
            failure = f.getMessage();
            throw f;
        } finally {
            if (run == null || !run.heldElsewhere()) { // the report of another build's run is not this goal's
                RunReports.finished(workDirectory.toPath(), goal(), System.nanoTime() - started, failure,
                        getLog()::warn);
            }
        }
    }

    /** The goal's name, for messages and its skip property {@code e2e.skip.<goal>}. */
    protected abstract String goal();

    /** The goal's own skip switch. */
    protected boolean skipGoal() {
        return false;
    }

    /** The goal's one call into the core. */
    protected abstract void run(Run run) throws ConfigException;
}
