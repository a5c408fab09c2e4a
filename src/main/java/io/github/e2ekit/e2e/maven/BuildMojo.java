package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.run.Build;
import io.github.e2ekit.e2e.run.ConfigException;
import io.github.e2ekit.e2e.run.Run;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/** Builds every configured image under exactly the tag decided in Phase 0, and verifies it. */
@Mojo(name = "build", defaultPhase = LifecyclePhase.PRE_INTEGRATION_TEST, threadSafe = true)
public class BuildMojo extends AbstractE2eMojo {
    /** Build without the engine's build cache (also rebuilds an up-to-date image). */
    @Parameter(property = "e2e.noCache", defaultValue = "false")
    boolean noCache;
    /** Let the engine pull newer base images. Off: pulls need a registry, and E2E runs should not depend on one. */
    @Parameter(property = "e2e.pull", defaultValue = "false")
    boolean pull;
    /** Rebuild even when an image with the decided tag and the same source digest exists. */
    @Parameter(property = "e2e.force", defaultValue = "false")
    boolean force;
    /** Build several images at once. */
    @Parameter(property = "e2e.parallelBuilds", defaultValue = "true")
    boolean parallelBuilds;
    /** Retry a failed build once without the cache when cached steps came before the failure. */
    @Parameter(property = "e2e.retryWithoutCache", defaultValue = "true")
    boolean retryWithoutCache;
    /** The docker CLI that drives BuildKit on Docker; default: the first {@code docker} on the PATH with buildx, or older than 23.0. */
    @Parameter(property = "e2e.dockerCli")
    String dockerCli;
    /** BuildKit's network for {@code RUN}; default: the engine's, or {@code host} when the engine has no bridge network. */
    @Parameter(property = "e2e.buildNetwork")
    String buildNetwork;
    /** Skips this goal. */
    @Parameter(property = "e2e.skip.build", defaultValue = "false")
    boolean skipBuild;

    @Override
    protected boolean skipGoal() {
        return skipBuild;
    }

    @Override
    protected void run(Run run) throws ConfigException {
        new Build(run)
                .goal(
                        Build.Settings.of(
                                noCache,
                                pull,
                                force,
                                buildTimeout,
                                parallelBuilds,
                                retryWithoutCache,
                                builder,
                                dockerCli,
                                buildNetwork,
                                Configurations.secrets(secrets),
                                session.isOffline()),
                        e -> Messages.failure(e).getMessage());
    }
}
