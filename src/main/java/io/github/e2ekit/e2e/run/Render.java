package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.DeployPlan;
import io.github.e2ekit.e2e.deploy.ImageBinding;
import io.github.e2ekit.e2e.deploy.ManifestRenderer;
import io.github.e2ekit.e2e.deploy.RenderedManifests;
import java.nio.file.Path;
import java.util.List;

/** The {@code render} goal: the stages rendered exactly as deploy would apply them, into files; nothing applied. */
public final class Render {
    private final Run run;

    public Render(Run run) {
        this.run = run;
    }

    public void goal(DeploySettings settings) throws ConfigException {
        List<ImageBinding> planned = ImageBindings.planned(run, Tags.decide(run));
        RunConfiguration config = run.config();
        String ns = settings.namespace(config.service(), run.id());
        DeployPlan plan = settings.plan(config.basedir(), ns);
        ManifestRenderer renderer =
                renderer(run, settings, planned, ns, config.expiry().toString());
        Path out = config.workDirectory().resolve("manifests");
        List<Path> written = new RenderedManifests(out).write(plan, renderer);
        run.log()
                .info("rendered " + written.size() + " object(s) of "
                        + plan.stages().size() + " stage(s) for namespace " + ns + " into " + out
                        + " (nothing applied)");
    }

    /**
     * The renderer of {@code settings}' stages for namespace {@code ns} with {@code bindings}: as deploy applies them.
     * {@code expires} is passed in, not read here: the caller uses the same instant elsewhere (reuse's manifests hash
     * leaves exactly this value out), and the configured expiry is "now + ttl" anew at every call.
     */
    static ManifestRenderer renderer(
            Run run, DeploySettings settings, List<ImageBinding> bindings, String ns, String expires)
            throws ConfigException {
        RunConfiguration config = run.config();
        ManifestRenderer renderer =
                new ManifestRenderer(settings.properties(), bindings, run.id(), config.service(), expires);
        renderer.withSources(
                settings.manifestSources(config.basedir(), config.service(), renderer, ns, run.log()::debug));
        return renderer;
    }
}
