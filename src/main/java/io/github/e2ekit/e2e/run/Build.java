package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.image.BaseImages;
import io.github.e2ekit.e2e.image.BuildFailedException;
import io.github.e2ekit.e2e.image.BuildOptions;
import io.github.e2ekit.e2e.image.BuildResult;
import io.github.e2ekit.e2e.image.BuildSecret;
import io.github.e2ekit.e2e.image.BuilderChoice;
import io.github.e2ekit.e2e.image.ImageBuilder;
import io.github.e2ekit.e2e.image.ImageLabels;
import io.github.e2ekit.e2e.tag.TagDecision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/** The {@code build} goal: every image built under exactly the tag decided in Phase 0, and verified. */
public final class Build {
    /** {@code <secrets><secret>} as written: an id and exactly one of file and env. */
    public record SecretSource(String id, Path file, String env) {}

    /** The build goal's parameters, checked. */
    public record Settings(
            boolean noCache,
            boolean pull,
            boolean force,
            Duration timeout,
            boolean parallel,
            boolean retryWithoutCache,
            BuilderChoice builder,
            String dockerCli,
            String buildNetwork,
            List<BuildSecret> secrets,
            boolean offline) {
        public static Settings of(
                boolean noCache,
                boolean pull,
                boolean force,
                String timeout,
                boolean parallel,
                boolean retryWithoutCache,
                String builder,
                String dockerCli,
                String buildNetwork,
                List<SecretSource> secrets,
                boolean offline)
                throws ConfigException {
            return new Settings(
                    noCache,
                    pull,
                    force,
                    Durations.parse("buildTimeout", timeout),
                    parallel,
                    retryWithoutCache,
                    Choice.parse("builder", builder, BuilderChoice.AUTO, BuilderChoice.class),
                    dockerCli,
                    buildNetwork,
                    Build.secrets(secrets),
                    offline);
        }

        BuildOptions options() {
            return new BuildOptions(noCache, pull && !offline, force, timeout, retryWithoutCache)
                    .withBuilder(builder, secrets, buildNetwork, dockerCli);
        }
    }

    private final Run run;

    public Build(Run run) {
        this.run = run;
    }

    /**
     * Builds every image; {@code worded} turns a failure into its one-line message. Fails with every image's
     * message once all builds ended.
     */
    public void goal(Settings settings, Function<RuntimeException, String> worded) throws ConfigException {
        List<TagDecision> decided = Tags.decide(run);
        RunLog log = run.log();
        if (decided.isEmpty()) {
            log.info("no <images> configured, nothing to build");
            return;
        }
        if (settings.offline()) {
            refuseOfflinePulls(decided, settings);
        }
        BuildOptions options = settings.options();
        ImageBuilder builder = new ImageBuilder(run.engine(), System.getenv(), Runs.sharedWork());
        String expires = run.config().expiry().toString();
        int threads = settings.parallel()
                ? Math.min(decided.size(), Math.max(1, Runtime.getRuntime().availableProcessors()))
                : 1;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<BuildResult>> futures = new ArrayList<>();
            for (TagDecision t : decided) {
                futures.add(pool.submit(() -> buildOne(builder, t, options, expires)));
            }
            List<String> failures = new ArrayList<>();
            for (Future<BuildResult> f : futures) {
                try {
                    report(f.get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof BuildFailedException b) {
                        log.error("[" + b.imageId() + "] " + (b.step() == null ? "" : b.step()));
                        b.output().forEach(line -> log.error("[" + b.imageId() + "] " + line));
                    }
                    failures.add(cause instanceof RuntimeException re ? worded.apply(re) : String.valueOf(cause));
                }
            }
            if (!failures.isEmpty()) {
                throw new GoalFailure(String.join("; ", failures));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GoalFailure("build interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    private void report(BuildResult r) {
        run.log()
                .info(r.id() + ": "
                        + switch (r.outcome()) {
                            case UP_TO_DATE ->
                                "up to date, build skipped (" + r.reference() + " = " + shortId(r.imageId())
                                        + "; -De2e.force=true rebuilds)";
                            case BUILT ->
                                "built " + r.reference() + " = " + shortId(r.imageId())
                                        + String.format(" in %.1f s", r.seconds());
                            case REBUILT_WITHOUT_CACHE ->
                                "built without cache " + r.reference() + " = " + shortId(r.imageId());
                        });
        if (r.warning() != null) {
            run.log().warn(r.id() + ": " + r.warning());
        }
    }

    private BuildResult buildOne(ImageBuilder builder, TagDecision t, BuildOptions options, String expires) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(ImageLabels.SOURCE_DIGEST, t.digest());
        labels.put(ImageLabels.SERVICE, run.config().service());
        labels.put(ImageLabels.RUN, run.id());
        labels.put(ImageLabels.IMAGE_ID, t.id());
        labels.put(ImageLabels.EXPIRES, expires);
        if (t.git() != null) {
            labels.put(ImageLabels.REVISION, t.git());
        }
        RunLog log = run.log();
        BuildResult r = builder.build(
                t.spec(),
                t.context(),
                t.reference().toString(),
                t.digest(),
                labels,
                options,
                (id, line) -> log.output("[" + id + "] " + line));
        if (r.outcome() == BuildResult.Outcome.UP_TO_DATE) {
            run.ledger().images().upToDate(t.id(), r.imageId());
        } else {
            run.ledger().images().built(t.id(), r.imageId());
        }
        return r;
    }

    static List<BuildSecret> secrets(List<SecretSource> secrets) throws ConfigException {
        List<BuildSecret> out = new ArrayList<>();
        for (SecretSource c : secrets == null ? List.<SecretSource>of() : secrets) {
            if (c.id() == null || c.id().isBlank()) {
                throw new ConfigException(
                        "secrets/secret/id",
                        "is missing: give the id the Dockerfile mounts" + " (RUN --mount=type=secret,id=<id>)");
            }
            if ((c.file() == null) == (c.env() == null || c.env().isBlank())) {
                throw new ConfigException("secrets/secret", "'" + c.id() + "' needs exactly one of <file> and <env>");
            }
            out.add(new BuildSecret(
                    c.id().strip(), c.file(), c.env() == null ? null : c.env().strip()));
        }
        return out;
    }

    public static String shortId(String id) {
        String s = id.startsWith("sha256:") ? id.substring(7) : id;
        return "sha256:" + s.substring(0, Math.min(12, s.length()));
    }

    /**
     * Maven runs offline (-o): the engine must not pull. {@code <pull>} is turned off (said once), and a base
     * image the engine does not hold — which the engine would pull even with pull off — stops the build here.
     */
    private void refuseOfflinePulls(List<TagDecision> decided, Settings settings) throws ConfigException {
        if (settings.pull()) {
            run.log().warn("Maven is offline (-o): <pull>/e2e.pull is ignored, the engine pulls nothing");
        }
        for (TagDecision t : decided) {
            String text;
            try {
                text = Files.readString(t.spec().dockerfile());
            } catch (IOException e) {
                continue; // the build reports an unreadable Dockerfile in its own words
            }
            List<String> missing = BaseImages.missing(
                    run.engine(), BaseImages.of(text, t.spec().buildArgs()));
            if (!missing.isEmpty()) {
                throw new ConfigException(
                        "images/image[" + t.id() + "]",
                        "Maven is offline (-o), but the engine holds"
                                + " no " + String.join(", ", missing) + " and would pull it to build "
                                + t.spec().dockerfile()
                                + ": run once without -o, or pull it first (docker pull " + missing.get(0) + ")");
            }
        }
    }
}
