package io.github.e2ekit.e2e.maven;

import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Phase 0: decides, once per image and run, the tag every later goal uses, and exports
 * {@code e2e.image.<id>}, {@code e2e.tag.<id>}, {@code e2e.digest.<id>} and {@code e2e.run}.
 */
@Mojo(name = "tag", defaultPhase = LifecyclePhase.PRE_INTEGRATION_TEST, threadSafe = true)
public class TagMojo extends AbstractE2eMojo {
    @Override
    protected String goal() {
        return "tag";
    }

    @Override
    protected void run() throws ConfigException {
        if (runState().decisions != null) {
            getLog().info("e2e: tags already decided in this build");
            return;
        }
        decisions();
    }
}
