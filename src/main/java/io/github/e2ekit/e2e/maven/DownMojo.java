package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.run.Down;
import io.github.e2ekit.e2e.run.Run;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Removes the environment {@code <reuse>} kept for this project (its namespace and objects, node and local images,
 * port-forwards and record), exactly as recorded; the cluster stays. Works in a new Maven invocation, also after
 * {@code mvn clean} (the record is in the user's cache directory).
 */
@Mojo(name = "down", threadSafe = true)
public class DownMojo extends AbstractE2eMojo {
    /** Skips this goal. */
    @Parameter(property = "e2e.skip.down", defaultValue = "false")
    boolean skipDown;

    @Override
    protected boolean skipGoal() {
        return skipDown;
    }

    @Override
    protected void run(Run run) {
        new Down(run).goal();
    }
}
