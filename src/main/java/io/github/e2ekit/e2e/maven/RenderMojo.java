package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.deploy.DeployPlan;
import io.github.e2ekit.e2e.deploy.ImageBinding;
import io.github.e2ekit.e2e.deploy.ManifestRenderer;
import io.github.e2ekit.e2e.deploy.Namespaces;
import io.github.e2ekit.e2e.deploy.RenderedManifests;
import io.github.e2ekit.e2e.ledger.PushEntry;
import io.github.e2ekit.e2e.tag.TagDecision;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    protected String goal() {
        return "render";
    }

    @Override
    protected boolean skipGoal() {
        return skipRender;
    }

    @Override
    protected void run() throws ConfigException {
        List<TagDecision> decided = decisions();
        RunState state = runState();
        String ns = namespace == null || namespace.isBlank() ? Namespaces.defaultName(service, state.run)
                : namespace.trim();
        DeployPlan plan = plan(ns);
        List<ImageBinding> bindings = new ArrayList<>();
        for (TagDecision t : decided) {
            // built (or pushed) earlier in this build: the reference deploy would use; else the decided one
            String imageId = state.ledger.read(d -> d.image(t.id()).map(e -> e.imageId).orElse(null));
            PushEntry pushed = state.ledger.read(d -> d.push(t.id()).orElse(null));
            bindings.add(pushed != null
                    ? new ImageBinding(t.id(), t.reference().repository(), pushed.pinned(), t.digest(), imageId,
                            pushed.digest)
                    : new ImageBinding(t.id(), t.reference().repository(), engine().storedName(t.reference()),
                            t.digest(), imageId));
        }
        ManifestRenderer renderer = new ManifestRenderer(properties(), bindings, state.run, service,
                expiry().toString());
        renderer.withSources(manifestSources(renderer, ns));
        Path out = workDirectory.toPath().resolve("manifests");
        List<Path> written = new RenderedManifests(out).write(plan, renderer);
        getLog().info("e2e: rendered " + written.size() + " object(s) of " + plan.stages().size()
                + " stage(s) for namespace " + ns + " into " + out + " (nothing applied)");
    }
}
