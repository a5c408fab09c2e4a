package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.run.ConfigException;
import io.github.e2ekit.e2e.run.Run;
import io.github.e2ekit.e2e.run.Skips;
import java.util.Optional;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/** Every goal: skip switches, then one call into the module's {@link Run}; failures worded by {@link Messages}. */
public abstract class AbstractE2eMojo extends E2eParameters {
    static {
        HttpLogLevels.keepQuiet(); // before any engine request: mvn -X must not log registry credentials
    }

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    protected MavenProject project;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    protected MavenSession session;

    /** This goal's execution: its name comes from the mojo's {@code @Mojo(name)}, declared nowhere else. */
    @Parameter(defaultValue = "${mojoExecution}", readonly = true, required = true)
    protected MojoExecution mojoExecution;

    /** Whether this execution decided the tags (as the first goal of the build, before its check). */
    boolean decidedNow;

    @Override
    public final void execute() throws MojoFailureException {
        Optional<String> skipped = Skips.reason(goal(), skip, skipITs, mavenTestSkip, skipGoal());
        if (skipped.isPresent()) {
            getLog().info("e2e: " + goal() + " skipped (" + skipped.get() + ")");
            return;
        }
        GoalExecution.execute(this);
    }

    /** The goal's name ({@code @Mojo(name)}), for messages, the report and its skip property {@code e2e.skip.<goal>}. */
    protected final String goal() {
        return mojoExecution.getGoal();
    }

    /** The goal's own skip switch. */
    protected boolean skipGoal() {
        return false;
    }

    /**
     * Whether this goal, when it is the first of a build, checks the whole configuration: not the clean-ups
     * {@code teardown} and {@code reap}, which remove what is recorded whatever the configuration says now.
     */
    final boolean checksFirst() {
        return !goal().equals("teardown") && !goal().equals("reap");
    }

    /** The goal's one call into the core. */
    protected abstract void run(Run run) throws ConfigException;
}
