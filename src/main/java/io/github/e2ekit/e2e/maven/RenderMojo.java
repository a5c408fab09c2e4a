package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.run.ConfigException;
import io.github.e2ekit.e2e.run.Render;
import io.github.e2ekit.e2e.run.Run;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Renders the {@code <deploy>} stages — files, kustomize overlays, Helm charts — exactly as {@code deploy}
 * would apply them (this run's image references, labels, pull policies) into
 * {@code target/e2e/manifests/stage-<n>/}, for review; creates nothing and contacts no cluster. Needs the
 * tags of this build: it decides them itself (Phase 0), or takes them from an earlier {@code tag}/{@code build}/
 * {@code load} of the same Maven invocation ({@code mvn e2e:tag e2e:render}); it asks the engine only how it
 * names images (Podman stores short names as {@code localhost/…}).
 */
@Mojo(name = "render", defaultPhase = LifecyclePhase.PRE_INTEGRATION_TEST, threadSafe = true)
public class RenderMojo extends DeployMojo {
    /** Skips this goal. */
    @Parameter(property = "e2e.skip.render", defaultValue = "false")
    boolean skipRender;

    @Override
    protected boolean skipGoal() {
        return skipRender;
    }

    @Override
    protected void run(Run run) throws ConfigException {
        new Render(run).goal(Configurations.deploy(this, run));
    }
}
