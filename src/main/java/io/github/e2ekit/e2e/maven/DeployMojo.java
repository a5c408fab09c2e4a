package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.run.ConfigException;
import io.github.e2ekit.e2e.run.Deploy;
import io.github.e2ekit.e2e.run.Run;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Applies the manifests with this run's images, waits until ready (failing fast), proves that the
 * pods run the images this run built, and exports endpoints for the integration tests.
 */
@Mojo(name = "deploy", defaultPhase = LifecyclePhase.PRE_INTEGRATION_TEST, threadSafe = true)
public class DeployMojo extends AbstractE2eMojo {

    /** Skips this goal. */
    @Parameter(property = "e2e.skip.deploy", defaultValue = "false")
    boolean skipDeploy;

    @Override
    protected boolean skipGoal() {
        return skipDeploy;
    }

    @Override
    protected void run(Run run) throws ConfigException {
        new Deploy(run).goal(Configurations.deploy(this, run));
    }
}
