package io.github.e2ekit.e2e.image;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;
import io.github.e2ekit.e2e.source.BuildContext;
import io.github.e2ekit.e2e.source.ContextTar;
import io.github.e2ekit.e2e.work.SharedWork;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds one image with the engine API under exactly the decided reference, from the same file
 * walk that gave the source digest, and verifies the result.
 */
public final class ImageBuilder {
    static final int TAIL_LINES = 30;
    private static final Pattern BUILDKIT_STEP = Pattern.compile("^#(\\d+) \\[([^\\]]+)\\] (.+)$");
    private static final Pattern BUILDKIT_CACHED = Pattern.compile("^#(\\d+) CACHED$");
    /**
     * Build arg carrying the source digest, so an image can report what it was built from (e.g. on
     * {@code /version}). It is not part of the digest: it is the digest.
     */
    public static final String SOURCE_DIGEST_ARG = "E2E_SOURCE_DIGEST";

    private final Engine engine;
    private final Map<String, String> environment;
    private final AtomicInteger buildCalls = new AtomicInteger();
    private final SharedWork sharedWork;

    /** A builder that waits for no other build ({@link SharedWork#none()}). */
    public ImageBuilder(Engine engine) {
        this(engine, System.getenv());
    }

    /** {@code environment}: where secrets from the environment and the PATH (for the docker CLI) are read. */
    public ImageBuilder(Engine engine, Map<String, String> environment) {
        this(engine, environment, SharedWork.none());
    }

    /** {@code sharedWork}: where a build waits for a build of the same inputs (here or in another JVM) to finish. */
    public ImageBuilder(Engine engine, Map<String, String> environment, SharedWork sharedWork) {
        this.engine = engine;
        this.environment = Map.copyOf(environment);
        this.sharedWork = sharedWork;
    }

    /** How many builds were sent to the engine (tests count retries with it). */
    public int buildCalls() {
        return buildCalls.get();
    }

    /**
     * Builds {@code spec} as {@code reference}, unless an image with that reference and the same
     * source-digest label exists (and neither {@code force} nor {@code noCache} is set). The image is
     * built under the engine's name for the reference ({@link Engine#buildName}), which the result carries.
     */
    public BuildResult build(
            ImageSpec spec,
            BuildContext context,
            String reference,
            String digest,
            Map<String, String> labels,
            BuildOptions options,
            BuildListener listener) {
        long start = System.nanoTime();
        reference = engine.buildName(ImageReference.parse(reference));
        String named = reference; // builds of the same inputs run one after another, the later ones from the cache
        return (options.noCache() ? SharedWork.none() : sharedWork)
                .exclusively(
                        BuildWorkKey.of(engine, spec, context, digest, options),
                        "build of " + named,
                        options.timeout().multipliedBy(2).plusMinutes(1),
                        holder -> listener.line(
                                spec.id(),
                                "waiting for " + holder
                                        + ", which builds the same inputs; then building from the engine's cache"),
                        () -> buildShared(
                                new BuildRequest(spec, context, named, digest, labels, options), listener, start));
    }

    private BuildResult buildShared(BuildRequest r, BuildListener listener, long start) {
        if (!r.options().force() && !r.options().noCache()) {
            InspectImageResponse existing = inspect(r.reference());
            if (existing != null && r.digest().equals(labelsOf(existing).get(ImageLabels.SOURCE_DIGEST))) {
                return new BuildResult(
                        r.spec().id(),
                        r.reference(),
                        existing.getId(),
                        BuildResult.Outcome.UP_TO_DATE,
                        seconds(start),
                        null);
            }
        }
        Route route = route(r.spec(), r.context(), r.options(), listener);
        Attempt first = attempt(route, r, r.options().noCache(), listener);
        BuildResult.Outcome outcome = BuildResult.Outcome.BUILT;
        Attempt done = first;
        String warning = null;
        if (first.failure != null) {
            if (!r.options().retryWithoutCache()
                    || r.options().noCache()
                    || first.cached.steps.isEmpty()
                    || first.timedOut
                    || first.syntaxError) { // an unparsable Dockerfile stays so without the cache
                throw first.failure;
            }
            // Cached steps came before the failure: the cache may hold outdated layers. Once, without it.
            listener.line(
                    r.spec().id(),
                    "build failed after " + first.cached.steps.size() + " cached step(s); retrying"
                            + " once without the build cache");
            Attempt retry = attempt(route, r, true, listener);
            if (retry.failure != null) {
                throw new BuildFailedException(
                        r.spec().id(),
                        retry.failure.step(),
                        retry.failure.output(),
                        "a real build failure in the sources: it fails without the build cache too ("
                                + retry.failure.getMessage() + ")");
            }
            done = retry;
            outcome = BuildResult.Outcome.REBUILT_WITHOUT_CACHE;
            warning = "the build cache was stale: " + first.failure.step() + " failed after cached step(s) "
                    + String.join("; ", first.cached.steps) + ", and the build passes without the cache."
                    + (first.cached.layers.isEmpty()
                            ? ""
                            : " To clear only this image's cache: docker rmi " + String.join(" ", first.cached.layers)
                                    + " (or build once with -De2e.noCache=true)");
        }
        String imageId = verify(r.spec(), r.reference(), r.digest(), done.imageId);
        return new BuildResult(r.spec().id(), r.reference(), imageId, outcome, seconds(start), warning);
    }

    /** How one image is built: through the engine API, or through BuildKit with {@code cli} on {@code network}. */
    record Route(DockerCli cli, String network, DockerfileFeatures features) {}

    /**
     * Chooses the builder for this Dockerfile ({@link BuilderChoice}); fails with one line when the choice cannot
     * build it (classic chosen for a BuildKit Dockerfile, no docker CLI for BuildKit, a {@code # syntax=} frontend
     * that would have to be pulled, secrets on Podman, a secret that cannot be read).
     */
    Route route(ImageSpec spec, BuildContext context, BuildOptions options, BuildListener listener) {
        DockerfileFeatures f =
                DockerfileFeatures.parse(new String(context.dockerfileContent(), StandardCharsets.UTF_8));
        String df = context.dockerfile().toString();
        for (String id : f.secretIds()) {
            if (options.secrets().stream().noneMatch(s -> s.id().equals(id))) {
                listener.line(
                        spec.id(),
                        "warning: " + df + " mounts the secret '" + id + "', which no <secrets><secret>"
                                + " gives: the build sees no such file");
            }
        }
        for (BuildSecret s : options.secrets()) {
            if (s.file() != null ? !Files.isReadable(s.file()) : s.env() == null || !environment.containsKey(s.env())) {
                throw new BuildFailedException(
                        spec.id(),
                        null,
                        List.of(),
                        "<secrets>: " + s.describe() + " cannot be" + " read: "
                                + (s.file() != null
                                        ? "point <file> at a readable file"
                                        : "set the variable, or use <file>"));
            }
        }
        if (engine.kind() == EngineKind.PODMAN) {
            if (!options.secrets().isEmpty() && !f.secretIds().isEmpty()) {
                throw new BuildFailedException(
                        spec.id(),
                        null,
                        List.of(),
                        "<secrets>: " + df + " mounts secrets, which"
                                + " the plugin passes to BuildKit through the docker CLI; Podman's Docker-compatible API takes"
                                + " none: build this image with Docker, or without RUN --mount=type=secret");
            }
            return new Route(null, null, f); // buildah reads RUN --mount itself
        }
        boolean buildKit = options.builder() == BuilderChoice.BUILDKIT
                || options.builder() == BuilderChoice.AUTO && f.needsBuildKit();
        if (!buildKit) {
            if (f.needsBuildKit()) {
                throw new BuildFailedException(
                        spec.id(),
                        null,
                        List.of(),
                        "<builder>classic cannot build " + df + ", which needs BuildKit (" + f.describe()
                                + "): use <builder>auto (-De2e.builder=auto)");
            }
            if (!options.secrets().isEmpty()) {
                listener.line(
                        spec.id(),
                        "warning: <secrets> are only offered to BuildKit builds; " + df
                                + " is built by the classic builder");
            }
            return new Route(null, null, f);
        }
        if (f.syntax() != null && !options.pull() && !present(f.syntax())) {
            throw new BuildFailedException(
                    spec.id(),
                    null,
                    List.of(),
                    df + " line " + f.syntaxLine() + " asks for the"
                            + " Dockerfile frontend image " + f.syntax()
                            + " (# syntax=), which is not in the engine, and"
                            + " <pull> is off: load that image into the engine (docker pull " + f.syntax()
                            + " where a registry"
                            + " is reachable), or remove the line to use the engine's built-in frontend");
        }
        String why = df + " (" + (f.needsBuildKit() ? f.describe() : "<builder>buildkit") + ")";
        DockerCli cli;
        try {
            cli = DockerCli.find(options.dockerCli(), environment.get("PATH"), engine.cliEnvironment(), why);
        } catch (EngineException e) {
            throw new BuildFailedException(spec.id(), null, List.of(), e.getMessage());
        }
        String network = options.network() != null && !options.network().isBlank()
                ? options.network().strip()
                : BuildKitBuild.defaultNetwork(engine);
        listener.line(
                spec.id(),
                "BuildKit through " + cli.describe() + " for " + why
                        + (network == null
                                ? ""
                                : ", RUN on network " + network
                                        + (options.network() == null
                                                ? " (the engine has no bridge network; <buildNetwork> chooses)"
                                                : "")));
        return new Route(cli, network, f);
    }

    private boolean present(String image) {
        return inspect(image) != null || inspect(ImageReference.parse(image).normalized()) != null;
    }

    private Attempt attempt(Route route, BuildRequest r, boolean noCache, BuildListener listener) {
        buildCalls.incrementAndGet();
        Attempt a = new Attempt(engine, r.spec().id(), listener);
        if (route.cli() != null) {
            new BuildKitBuild(engine, route.cli(), environment).run(a, r, noCache, route.network());
            if (a.failure != null && !a.timedOut) {
                a.failure = hint(a.failure, route.features());
            }
            if (a.failure == null && a.imageId == null) {
                a.failure =
                        new BuildFailedException(r.spec().id(), a.step, a.tail(), "the docker CLI wrote no image ID");
            }
            return a;
        }
        Map<String, String> ours = ownLabels(r.labels());
        Set<String> before = ours.isEmpty() ? Set.of() : ids(engine.imagesLabelled(ours));
        apiBuild(a, r, noCache);
        if (a.failure != null && !ours.isEmpty()) {
            removeLeftovers(ours, before);
        }
        return a;
    }

    /**
     * The labels that mark this run's builds of this image: the run's own label and the source digest; empty when
     * the build carries no run label (then nothing is ever removed).
     */
    private static Map<String, String> ownLabels(Map<String, String> labels) {
        if (labels.get(ImageLabels.RUN) == null) {
            return Map.of();
        }
        Map<String, String> own = new java.util.HashMap<>();
        own.put(ImageLabels.RUN, labels.get(ImageLabels.RUN));
        if (labels.get(ImageLabels.SOURCE_DIGEST) != null) {
            own.put(ImageLabels.SOURCE_DIGEST, labels.get(ImageLabels.SOURCE_DIGEST));
        }
        return own;
    }

    private static Set<String> ids(List<ImageSummary> images) {
        return images.stream().map(ImageSummary::id).collect(java.util.stream.Collectors.toSet());
    }

    /**
     * Removes what a failed build left: Podman (buildah) commits every step with the build's labels, so the steps
     * before the failing one stay as untagged images (Docker's classic builder labels only the last image). Only
     * untagged images that carry this run's labels and did not exist before this build; children before parents
     * (a parent with a child is refused, and retried in the next pass), each alone: no parent of theirs that
     * this build did not create.
     */
    private void removeLeftovers(Map<String, String> ours, Set<String> before) {
        List<ImageSummary> left = new ArrayList<>(engine.imagesLabelled(ours).stream()
                .filter(i -> i.untagged() && !before.contains(i.id()))
                .sorted(java.util.Comparator.comparingLong(ImageSummary::created)
                        .reversed())
                .toList());
        for (int pass = 0; pass < 3 && !left.isEmpty(); pass++) {
            left.removeIf(i -> {
                try {
                    engine.removeImageAlone(i.id());
                    return true;
                } catch (RuntimeException e) {
                    return false; // a child not removed yet, or in use: next pass, else left to the engine
                }
            });
        }
    }

    private void apiBuild(Attempt a, BuildRequest r, boolean noCache) {
        PipedInputStream tarIn = new PipedInputStream(1 << 16);
        Thread writer;
        try {
            PipedOutputStream tarOut = new PipedOutputStream(tarIn);
            writer = new Thread(
                    () -> {
                        try (tarOut) {
                            ContextTar.write(r.context(), tarOut);
                        } catch (IOException | RuntimeException e) {
                            a.contextError = e;
                        }
                    },
                    "e2e-context-" + r.spec().id());
            writer.setDaemon(true);
            writer.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot stream the build context", e);
        }
        BuildImageCmd cmd = engine.client()
                .buildImageCmd(tarIn)
                .withDockerfilePath(r.context().dockerfileName())
                .withTags(Set.of(r.reference()))
                .withLabels(r.labels())
                .withNoCache(noCache)
                .withPull(r.options().pull())
                .withForcerm(true)
                .withRemove(true);
        if (r.spec().target() != null && !r.spec().target().isBlank()) {
            cmd.withTarget(r.spec().target());
        }
        r.spec().buildArgs().forEach(cmd::withBuildArg);
        cmd.withBuildArg(SOURCE_DIGEST_ARG, r.digest());
        try (ResultCallback<BuildResponseItem> cb = cmd.exec(a)) {
            if (!a.awaitCompletion(r.options().timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                cb.close();
                a.timedOut = true;
                a.failure = new BuildFailedException(
                        r.spec().id(),
                        a.step,
                        a.tail(),
                        "build did not finish within " + r.options().timeout().toMinutes() + " min (buildTimeout);"
                                + " it was stopped");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            a.failure = new BuildFailedException(r.spec().id(), a.step, a.tail(), "build interrupted");
            return;
        } catch (DockerException e) {
            String said = DockerfileSyntax.engineMessage(e.getMessage());
            if (e.getHttpStatus() >= 500) { // the engine failed (not the Dockerfile): say so with its status
                said = "HTTP " + e.getHttpStatus() + ": " + said;
            }
            a.failure = failure(a, r.spec(), firstLine(engine.buildError(said)));
            return;
        } catch (IOException e) {
            // closing the callback
        } finally {
            try {
                tarIn.close();
            } catch (IOException ignored) {
                // the writer sees a broken pipe and stops
            }
        }
        if (a.contextError != null && a.failure == null && a.imageId == null && a.error == null) {
            a.failure = new BuildFailedException(
                    r.spec().id(), null, List.of(), "cannot send the build context: " + a.contextError.getMessage());
        }
        if (a.failure == null && a.error != null) {
            a.failure = failure(a, r.spec(), engine.buildError(a.error));
        }
        if (a.failure == null && a.imageId == null) {
            a.failure = new BuildFailedException(r.spec().id(), a.step, a.tail(), "the engine returned no image ID");
        }
    }

    /**
     * A failure of BuildKit's built-in frontend on syntax it does not know (the 20.10 engine's knows RUN --mount, not
     * COPY --link or heredocs, which came with Dockerfile syntax 1.4) says so and what to do.
     */
    private static BuildFailedException hint(BuildFailedException e, DockerfileFeatures f) {
        String m = e.getMessage();
        boolean newer = f.buildKitOnly().stream()
                .anyMatch(x -> x.contains("--link")
                        || x.contains("heredoc")
                        || x.contains("--chmod")
                        || x.contains("--parents")
                        || x.contains("--exclude"));
        if (f.syntax() == null
                && newer
                && m != null
                && (m.contains("Unknown flag")
                        || m.contains("unknown instruction")
                        || m.contains("dockerfile parse error"))) {
            return new BuildFailedException(
                    e.imageId(),
                    e.step(),
                    e.output(),
                    m + " — the engine's built-in Dockerfile"
                            + " frontend is older than this Dockerfile (" + f.describe()
                            + "): add '# syntax=docker/dockerfile:1.4'"
                            + " with that frontend image in the engine, or write it without these features");
        }
        return e;
    }

    /**
     * Checks that the tag resolves to the image just built and that it carries the computed digest;
     * returns the full image ID.
     */
    String verify(ImageSpec spec, String reference, String digest, String builtId) {
        InspectImageResponse tagged = inspect(reference);
        if (tagged == null) {
            throw new StaleImageException(
                    "stale image: " + reference + " does not exist after the build of '" + spec.id() + "'");
        }
        if (!Engine.sameImageId(tagged.getId(), builtId)) {
            throw new StaleImageException("stale image: " + reference + " resolves to " + tagged.getId()
                    + ", but the build of '" + spec.id() + "' returned " + builtId);
        }
        String label = labelsOf(tagged).get(ImageLabels.SOURCE_DIGEST);
        if (!digest.equals(label)) {
            throw new StaleImageException("stale image: " + reference + " carries source digest " + label
                    + ", but the sources hash to " + digest);
        }
        return tagged.getId();
    }

    InspectImageResponse inspect(String reference) {
        try {
            return engine.client().inspectImageCmd(reference).exec();
        } catch (NotFoundException e) {
            return null;
        }
    }

    static Map<String, String> labelsOf(InspectImageResponse image) {
        if (image.getConfig() == null || image.getConfig().getLabels() == null) {
            return Map.of();
        }
        return image.getConfig().getLabels();
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        return s.strip().lines().findFirst().orElse(s);
    }

    /** The build's failure: a Dockerfile syntax error as one line naming the file and line, else as the engine said. */
    static BuildFailedException failure(Attempt a, ImageSpec spec, String message) {
        return DockerfileSyntax.describe(spec.dockerfile(), message)
                .map(line -> {
                    a.syntaxError = true;
                    return new BuildFailedException(spec.id(), null, List.of(), line);
                })
                .orElseGet(() -> new BuildFailedException(spec.id(), a.step, a.tail(), message));
    }

    /** One build sent to the engine: collects output, the current step, its tail and the result. */
    static final class Attempt extends ResultCallback.Adapter<BuildResponseItem> {
        private final Engine engine;
        private final String id;
        private final BuildListener listener;
        private final Deque<String> tail = new ArrayDeque<>();
        private final Map<String, String> buildKitSteps = new java.util.HashMap<>();
        private final StringBuilder partial = new StringBuilder();
        final CachedSteps cached = new CachedSteps();
        volatile boolean timedOut;
        volatile boolean syntaxError;
        volatile String step;
        volatile String imageId;
        volatile String error;
        volatile Exception contextError;
        volatile BuildFailedException failure;

        Attempt(Engine engine, String id, BuildListener listener) {
            this.engine = engine;
            this.id = id;
            this.listener = listener;
        }

        /**
         * The engine refused the build (e.g. HTTP 400 for a Dockerfile it cannot parse): kept for the one-line failure
         * instead of docker-java's default, which logs it with its stack trace at ERROR.
         */
        @Override
        public void onError(Throwable throwable) {
            if (error == null) {
                String said = Objects.requireNonNullElse(
                        DockerfileSyntax.engineMessage(throwable.getMessage()),
                        throwable.getClass().getSimpleName());
                if (throwable instanceof DockerException d && d.getHttpStatus() >= 500) {
                    said = "HTTP " + d.getHttpStatus() + ": " + said; // the engine failed, not the Dockerfile
                }
                error = firstLine(said);
            }
            try {
                close();
            } catch (IOException e) {
                // closing the stream of a failed request
            }
        }

        @Override
        public void onNext(BuildResponseItem item) {
            super.onNext(item);
            if (item.isBuildSuccessIndicated() && item.getImageId() != null) {
                imageId = item.getImageId();
            }
            if (item.getStream() != null) {
                take(item.getStream());
            }
            if (item.isErrorIndicated()) {
                String detail =
                        item.getErrorDetail() != null ? item.getErrorDetail().getMessage() : item.getError();
                error = firstLine(Objects.requireNonNullElse(detail, "build failed"));
            }
        }

        private synchronized void take(String chunk) {
            partial.append(chunk);
            int nl;
            while ((nl = partial.indexOf("\n")) >= 0) {
                String line = partial.substring(0, nl).stripTrailing();
                partial.delete(0, nl + 1);
                line(line);
            }
        }

        private void line(String line) {
            String started = engine.buildStep(line);
            if (started != null) {
                step = started;
                tail.clear();
            } else {
                cached.classicLine(line, step, engine.isCacheHit(line));
            }
            keep(line);
        }

        /** One line of BuildKit's plain progress: {@code #5 [stage-0 2/3] RUN …}, {@code #5 CACHED}, {@code #5 0.08 out}. */
        synchronized void buildKitLine(String line) {
            Matcher m = BUILDKIT_STEP.matcher(line);
            if (m.matches()) {
                String name = "[" + m.group(2) + "] " + m.group(3);
                if (!name.equals(buildKitSteps.put(m.group(1), name))
                        && !m.group(2).startsWith("internal")) {
                    step = name;
                }
            } else {
                Matcher c = BUILDKIT_CACHED.matcher(line);
                if (c.matches() && buildKitSteps.containsKey(c.group(1))) {
                    cached.hit(buildKitSteps.get(c.group(1)));
                }
            }
            keep(line);
        }

        /** Keeps {@code line} in the tail shown with a failure, and passes it on to the listener. */
        private void keep(String line) {
            tail.addLast(line);
            while (tail.size() > TAIL_LINES) {
                tail.removeFirst();
            }
            listener.line(id, line);
        }

        /** The cause of a failed BuildKit build: its last error line, else the CLI's exit status. */
        synchronized String buildKitError(int exit) {
            List<String> lines = new ArrayList<>(tail);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i).strip();
                if (l.startsWith("ERROR:")
                        || l.startsWith("error:")
                        || l.startsWith("failed to solve")
                        || l.startsWith("executor failed")
                        || l.startsWith("#") && l.contains(" ERROR: ")) {
                    return l.startsWith("#") ? l.substring(l.indexOf(" ERROR: ") + 8) : l;
                }
            }
            return "the docker CLI failed (exit " + exit + ")";
        }

        synchronized List<String> tail() {
            if (!partial.isEmpty()) {
                line(partial.toString());
                partial.setLength(0);
            }
            return List.copyOf(tail);
        }
    }
}
