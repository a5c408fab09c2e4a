package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.run.ConfigException;
import io.github.e2ekit.e2e.run.Deploy;
import io.github.e2ekit.e2e.run.Run;
import java.util.List;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Applies the manifests with this run's images, waits until ready (failing fast), proves that the
 * pods run the images this run built, and exports endpoints for the integration tests.
 */
@Mojo(name = "deploy", defaultPhase = LifecyclePhase.PRE_INTEGRATION_TEST, threadSafe = true)
public class DeployMojo extends AbstractE2eMojo {
    /** Namespace; default {@code e2e-<service>-<run>}, created and labelled by this run. */
    @Parameter(property = "e2e.namespace")
    String namespace;

    /**
     * Stages of manifests and the overall timeout:
     * {@code <stages><stage><manifests><manifest>PATH</manifest></manifests>[<valuesFiles><valuesFile>PATH
     * </valuesFile></valuesFiles>][<values><KEY>VALUE</KEY></values>]</stage>…</stages>[<timeout>5m</timeout>]}.
     * A {@code <manifest>} is a file, a directory of {@code .yaml/.yml/.json} (sorted), a kustomize overlay
     * (directory with {@code kustomization.yaml}; rendered by {@code <kubectl>}) or a Helm chart (directory with
     * {@code Chart.yaml}; release name = the service, namespace = the run's). {@code <valuesFiles>} and
     * {@code <values>} (like {@code helm --set}) apply to the stage's charts; none by default. {@code <timeout>}:
     * all stages together, default {@code 5m}. {@code <healRestarts>}: a pod in {@code CrashLoopBackOff} fails the
     * deploy once restarted this often (default 2; {@code -De2e.deploy.healRestarts}); {@code <healGrace>}: how long a
     * state that may heal is given (default {@code 15s}; {@code -De2e.deploy.healGrace}). Files and overlays get
     * {@code ${property}} and {@code ${env.X}} expanded ({@code $${…}} stays literal); Helm output is not interpolated.
     */
    @Parameter
    DeployConfig deploy;

    /**
     * Follow the logs of every container of every pod in the namespace into
     * {@code target/e2e/logs/<namespace>/<pod>.<container>.log} from the end of deploy until teardown (pods created
     * later included).
     */
    @Parameter(property = "e2e.podLogs", defaultValue = "true")
    boolean podLogs;

    /**
     * Service ports exported to the tests as {@code e2e.endpoint.<name>.url|host|port}: {@code <endpoint><name>…</name>
     * <service>…</service><port>…</port>[<readyPath>/readyz</readyPath>][<mode>portForward</mode>]</endpoint>}; no
     * ready path by default, mode {@code portForward} (default) or {@code nodePort} (kind extraPortMappings).
     */
    @Parameter
    List<EndpointConfig> endpoints;

    /** The kubectl executable that renders kustomize overlays ({@code kubectl kustomize}); only run for them. */
    @Parameter(property = "e2e.kubectl", defaultValue = "kubectl")
    String kubectl;

    /** Skips this goal. */
    @Parameter(property = "e2e.skip.deploy", defaultValue = "false")
    boolean skipDeploy;

    @Override
    protected String goal() {
        return "deploy";
    }

    @Override
    protected boolean skipGoal() {
        return skipDeploy;
    }

    @Override
    protected void run(Run run) throws ConfigException {
        new Deploy(run).goal(Configurations.deploy(this, run));
    }
}
