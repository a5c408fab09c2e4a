package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.image.BuildFailedException;
import io.github.e2ekit.e2e.image.BuildOptions;
import io.github.e2ekit.e2e.image.BuildSecret;
import io.github.e2ekit.e2e.image.BuilderChoice;
import io.github.e2ekit.e2e.image.BuildResult;
import io.github.e2ekit.e2e.image.ImageBuilder;
import io.github.e2ekit.e2e.image.ImageLabels;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.tag.TagDecision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.maven.plugin.MojoFailureException;
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

    /** Longest time one image build may take; then it is stopped. */
    @Parameter(property = "e2e.buildTimeout", defaultValue = "15m")
    String buildTimeout;

    /** Build several images at once. */
    @Parameter(property = "e2e.parallelBuilds", defaultValue = "true")
    boolean parallelBuilds;

    /** Retry a failed build once without the cache when cached steps came before the failure. */
    @Parameter(property = "e2e.retryWithoutCache", defaultValue = "true")
    boolean retryWithoutCache;

    /**
     * Which builder: {@code auto} (BuildKit when the Dockerfile needs it: {@code RUN --mount}, {@code COPY --link},
     * heredocs, {@code # syntax=}; else the engine API's classic builder), {@code classic} or {@code buildkit}. On
     * Podman its own builder builds every Dockerfile.
     */
    @Parameter(property = "e2e.builder", defaultValue = "auto")
    String builder;

    /** The docker CLI that drives BuildKit on Docker; default: the first {@code docker} on the PATH with buildx, or older than 23.0. */
    @Parameter(property = "e2e.dockerCli")
    String dockerCli;

    /** BuildKit's network for {@code RUN}; default: the engine's, or {@code host} when the engine has no bridge network. */
    @Parameter(property = "e2e.buildNetwork")
    String buildNetwork;

    /** Build secrets for BuildKit ({@code RUN --mount=type=secret,id=…}): {@code <secret><id>…</id><file>…</file>} or {@code <env>…</env>}. */
    @Parameter
    List<SecretConfig> secrets;

    /** Skips this goal. */
    @Parameter(property = "e2e.skip.build", defaultValue = "false")
    boolean skipBuild;

    @Override
    protected String goal() {
        return "build";
    }

    @Override
    protected boolean skipGoal() {
        return skipBuild;
    }

    @Override
    protected void run() throws ConfigException, MojoFailureException {
        List<TagDecision> decided = decisions();
        if (decided.isEmpty()) {
            getLog().info("e2e: no <images> configured, nothing to build");
            return;
        }
        Duration timeout = duration("buildTimeout", buildTimeout);
        BuilderChoice choice = BuilderChoice.parse(builder);
        if (choice == null) {
            throw new ConfigException("builder", "'" + builder + "' is none of auto, classic, buildkit");
        }
        boolean offline = session.isOffline();
        if (offline) {
            refuseOfflinePulls(decided);
        }
        BuildOptions options = new BuildOptions(noCache, pull && !offline, force, timeout, retryWithoutCache)
                .withBuilder(choice, buildSecrets(), buildNetwork, dockerCli);
        ImageBuilder builder = new ImageBuilder(engine());
        RunState state = runState();
        String expires = expiry().toString();
        int threads = parallelBuilds ? Math.min(decided.size(), Math.max(1, Runtime.getRuntime().availableProcessors())) : 1;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<BuildResult>> futures = new ArrayList<>();
            for (TagDecision t : decided) {
                futures.add(pool.submit(() -> buildOne(builder, state, t, options, expires)));
            }
            List<String> failures = new ArrayList<>();
            for (Future<BuildResult> f : futures) {
                try {
                    BuildResult r = f.get();
                    getLog().info("e2e: " + r.id() + ": " + switch (r.outcome()) {
                        case UP_TO_DATE -> "up to date, build skipped (" + r.reference() + " = " + shortId(r.imageId())
                                + "; -De2e.force=true rebuilds)";
                        case BUILT -> "built " + r.reference() + " = " + shortId(r.imageId())
                                + String.format(" in %.1f s", r.seconds());
                        case REBUILT_WITHOUT_CACHE -> "built without cache " + r.reference() + " = "
                                + shortId(r.imageId());
                    });
                    if (r.warning() != null) {
                        getLog().warn("e2e: " + r.id() + ": " + r.warning());
                    }
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof BuildFailedException b) {
                        getLog().error("e2e: [" + b.imageId() + "] " + (b.step() == null ? "" : b.step()));
                        b.output().forEach(line -> getLog().error("[" + b.imageId() + "] " + line));
                    }
                    failures.add(cause instanceof RuntimeException re ? Messages.failure(re).getMessage()
                            : String.valueOf(cause));
                }
            }
            if (!failures.isEmpty()) {
                throw new MojoFailureException(String.join("; ", failures));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoFailureException("build interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    private BuildResult buildOne(ImageBuilder builder, RunState state, TagDecision t, BuildOptions options,
            String expires) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(ImageLabels.SOURCE_DIGEST, t.digest());
        labels.put(ImageLabels.SERVICE, service);
        labels.put(ImageLabels.RUN, state.run);
        labels.put(ImageLabels.IMAGE_ID, t.id());
        labels.put(ImageLabels.EXPIRES, expires);
        if (t.git() != null) {
            labels.put(ImageLabels.REVISION, t.git());
        }
        BuildResult r = builder.build(t.spec(), t.context(), t.reference().toString(), t.digest(), labels, options,
                (id, line) -> getLog().info("[" + id + "] " + line));
        state.ledger.update(d -> d.image(t.id()).ifPresent(e -> {
            e.imageId = r.imageId();
            e.built = r.outcome() != BuildResult.Outcome.UP_TO_DATE;
            e.state = e.built ? EntryState.CREATED : EntryState.REUSED;
        }));
        return r;
    }

    private List<BuildSecret> buildSecrets() throws ConfigException {
        List<BuildSecret> out = new ArrayList<>();
        for (SecretConfig c : secrets == null ? List.<SecretConfig>of() : secrets) {
            if (c.id == null || c.id.isBlank()) {
                throw new ConfigException("secrets/secret/id", "is missing: give the id the Dockerfile mounts"
                        + " (RUN --mount=type=secret,id=<id>)");
            }
            if ((c.file == null) == (c.env == null || c.env.isBlank())) {
                throw new ConfigException("secrets/secret", "'" + c.id + "' needs exactly one of <file> and <env>");
            }
            out.add(new BuildSecret(c.id.strip(), c.file == null ? null : c.file.toPath(),
                    c.env == null ? null : c.env.strip()));
        }
        return out;
    }

    static String shortId(String id) {
        String s = id.startsWith("sha256:") ? id.substring(7) : id;
        return "sha256:" + s.substring(0, Math.min(12, s.length()));
    }
    /**
     * Maven runs offline (-o): the engine must not pull. {@code <pull>} is turned off (said once), and a base
     * image the engine does not hold — which the engine would pull even with pull off — stops the build here.
     */
    private void refuseOfflinePulls(List<TagDecision> decided) throws ConfigException {
        if (pull) {
            getLog().warn("e2e: Maven is offline (-o): <pull>/e2e.pull is ignored, the engine pulls nothing");
        }
        for (TagDecision t : decided) {
            String text;
            try {
                text = java.nio.file.Files.readString(t.spec().dockerfile());
            } catch (java.io.IOException e) {
                continue; // the build reports an unreadable Dockerfile in its own words
            }
            List<String> missing = io.github.e2ekit.e2e.image.BaseImages.missing(engine(),
                    io.github.e2ekit.e2e.image.BaseImages.of(text, t.spec().buildArgs()));
            if (!missing.isEmpty()) {
                throw new ConfigException("images/image[" + t.id() + "]", "Maven is offline (-o), but the engine holds"
                        + " no " + String.join(", ", missing) + " and would pull it to build " + t.spec().dockerfile()
                        + ": run once without -o, or pull it first (docker pull " + missing.get(0) + ")");
            }
        }
    }
}
