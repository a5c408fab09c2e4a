package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.deploy.DeployException;
import io.github.e2ekit.e2e.image.BuildFailedException;
import io.github.e2ekit.e2e.image.EngineException;
import io.github.e2ekit.e2e.image.StaleImageException;
import io.github.e2ekit.e2e.kind.ClusterException;
import io.github.e2ekit.e2e.kind.LoadException;
import io.github.e2ekit.e2e.kind.NodeCommandException;
import io.github.e2ekit.e2e.ledger.LedgerException;
import io.github.e2ekit.e2e.registry.RegistryException;
import io.github.e2ekit.e2e.run.GoalFailure;
import io.github.e2ekit.e2e.tag.TagTemplateException;
import org.apache.maven.plugin.MojoFailureException;

/** Every core failure worded once, for the Maven log: one line naming the parameter to fix. */
final class Messages {
    private Messages() {}

    static MojoFailureException failure(RuntimeException e) {
        String message;
        if (e instanceof TagTemplateException) {
            message = "<tagTemplate> " + e.getMessage();
        } else if (e instanceof EngineException) {
            message = "<dockerHost>: " + e.getMessage();
        } else if (e instanceof BuildFailedException b) {
            message = "build of image '" + b.imageId() + "' failed" + (b.step() == null ? "" : " at " + b.step()) + ": "
                    + b.getMessage();
        } else if (e instanceof ClusterException) {
            message = "<cluster>: " + e.getMessage();
        } else if (e instanceof LoadException || e instanceof NodeCommandException) {
            message = "load: " + e.getMessage();
        } else if (e instanceof RegistryException) {
            message = "<load/registry> " + e.getMessage();
        } else if (e instanceof DeployException d) {
            message = (d.parameter() == null ? "deploy: " : "<" + d.parameter() + "> ") + e.getMessage();
        } else if (e instanceof StaleImageException || e instanceof LedgerException || e instanceof GoalFailure) {
            message = e.getMessage();
        } else {
            message = e.getClass().getSimpleName() + ": " + e.getMessage();
            return new MojoFailureException(message, e);
        }
        return new MojoFailureException(message);
    }
}
