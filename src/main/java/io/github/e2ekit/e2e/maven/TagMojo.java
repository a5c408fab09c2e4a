package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.run.ConfigException;
import io.github.e2ekit.e2e.run.Run;
import io.github.e2ekit.e2e.run.Tags;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Phase 0: decides, once per image and run, the tag every later goal uses, and exports
 * {@code e2e.image.<id>}, {@code e2e.tag.<id>}, {@code e2e.digest.<id>} and {@code e2e.run}.
 */
@Mojo(name = "tag", defaultPhase = LifecyclePhase.PRE_INTEGRATION_TEST, threadSafe = true)
public class TagMojo extends AbstractE2eMojo {
    /** Skips this goal ({@code build}, {@code load}, {@code deploy} and {@code render} then decide the tags themselves). */
    @Parameter(property = "e2e.skip.tag", defaultValue = "false")
    boolean skipTag;

    @Override
    protected boolean skipGoal() {
        return skipTag;
    }

    @Override
    protected void run(Run run) throws ConfigException {
        if (!decidedNow && run.decisions() != null) {
            run.log().info("tags already decided in this build");
            return;
        }
        Tags.decide(run);
    }
}
