package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineDiscovery;
import io.github.e2ekit.e2e.image.ImageSpec;
import io.github.e2ekit.e2e.kind.KindCli;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.ImageEntry;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.registry.RegistryPush;
import io.github.e2ekit.e2e.report.RunReports;
import io.github.e2ekit.e2e.source.BuildContextException;
import io.github.e2ekit.e2e.tag.PhaseZero;
import io.github.e2ekit.e2e.tag.TagDecision;
import io.github.e2ekit.e2e.tag.TagTemplate;
import io.github.e2ekit.e2e.tag.TagTemplateException;
import io.github.e2ekit.e2e.teardown.ClusterDeletion;
import io.github.e2ekit.e2e.teardown.RemoveImages;
import io.github.e2ekit.e2e.teardown.Teardown;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/** Parameters every goal shares, and the thin glue from Maven to the core. */
public abstract class AbstractE2eMojo extends AbstractMojo {
    static {
        // With mvn -X every logger is at DEBUG, and the engine client's HTTP library logs request headers and
        // bodies there: X-Registry-Auth (the registry password, base64) and build contexts byte by byte. Maven's
        // logger takes per-logger levels from these properties when a logger is made, which for these is
        // later (at the first engine request); a level the user set stays (and RegistryPush then refuses).
        for (String name : RegistryPush.HTTP_LOGGERS) {
            String key = "org.slf4j.simpleLogger.log." + name;
            if (System.getProperty(key) == null) {
                System.setProperty(key, "info");
            }
        }
    }

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    protected MavenProject project;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    protected MavenSession session;

    /** Name of the service under test; used in tags, namespaces and labels. */
    @Parameter(property = "e2e.service", defaultValue = "${project.artifactId}")
    protected String service;

    /** The images this service's E2E environment builds. */
    @Parameter
    protected List<ImageConfig> images;

    /** Template of the tag decided in Phase 0. */
    @Parameter(property = "e2e.tagTemplate", defaultValue = TagTemplate.DEFAULT)
    protected String tagTemplate;

    /** Engine endpoint, e.g. {@code unix:///run/podman/podman.sock}; default: DOCKER_HOST, then the usual sockets. */
    @Parameter(property = "e2e.dockerHost")
    protected String dockerHost;

    /** Skips every e2e goal. */
    @Parameter(property = "e2e.skip", defaultValue = "false")
    protected boolean skip;

    /** Failsafe's switch: when integration tests are skipped, no E2E work is done either. */
    @Parameter(property = "skipITs", defaultValue = "false")
    protected boolean skipITs;

    /** Maven's switch that skips compiling and running tests (failsafe's included): no E2E work is done either. */
    @Parameter(property = "maven.test.skip", defaultValue = "false")
    protected boolean mavenTestSkip;

    /** Where the ledger, kubeconfig, endpoints and diagnostics go. */
    @Parameter(defaultValue = "${project.build.directory}/e2e")
    protected File workDirectory;

    /** How long what this run creates may live before {@code reap} may remove it. */
    @Parameter(property = "e2e.ttl", defaultValue = "2h")
    protected String ttl;

    /** Keep everything when the tests or an e2e goal failed (or the build was interrupted), for a look; print how to remove it. */
    @Parameter(property = "e2e.keepOnFailure", defaultValue = "false")
    protected boolean keepOnFailure;

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip || skipITs || mavenTestSkip || skipGoal()) {
            getLog().info("e2e: " + goal() + " skipped (" + (skip ? "e2e.skip" : skipITs ? "skipITs"
                    : mavenTestSkip ? "maven.test.skip" : skipProperty()) + ")");
            return;
        }
        long started = System.nanoTime();
        String failure = "did not finish"; // report.json: written at the end of every goal, success or failure
        RUNNING.incrementAndGet();
        try {
            run();
            failure = null;
        } catch (ConfigException e) {
            failure = e.getMessage();
            markFailed();
            throw new MojoFailureException(e.getMessage());
        } catch (RuntimeException e) {
            MojoFailureException f = Messages.failure(e);
            failure = f.getMessage();
            markFailed();
            throw f;
        } catch (MojoFailureException | MojoExecutionException e) {
            failure = e.getMessage();
            markFailed();
            throw e;
        } finally {
            RUNNING.decrementAndGet();
            String why = new RunReports(workDirectory.toPath(), Clock.systemUTC()).goalFinished(goal(),
                    Duration.ofNanos(System.nanoTime() - started), failure);
            if (why != null) {
                getLog().warn("e2e: " + why);
            }
        }
    }

    /** e2e goals executing right now in this JVM: non-zero at JVM exit means the build was interrupted. */
    private static final AtomicInteger RUNNING = new AtomicInteger();

    /**
     * Registered by the first goal that creates anything: at JVM exit, when the build was interrupted
     * (Ctrl-C, SIGTERM) or an e2e goal failed, removes what the ledger holds, bounded to 30 s.
     */
    private void registerShutdownTeardown(RunState state) {
        boolean keep = keepOnFailure;
        Thread hook = new Thread(() -> {
            boolean interrupted = RUNNING.get() > 0;
            if (keep || !(interrupted || state.failed) || !state.ledger.read(d -> d.hasLiveEntries())) {
                if (keep && (interrupted || state.failed)) {
                    System.err.println("[e2e] keepOnFailure: run " + state.run + " is kept; remove it with"
                            + " 'mvn e2e:teardown' in " + project.getBasedir());
                }
                return;
            }
            System.err.println("[e2e] build " + (interrupted ? "interrupted" : "failed") + ": removing what run "
                    + state.run + " created (30 s at most)");
            Thread worker = new Thread(() -> tearDownNow(state, line -> System.err.println("[e2e] " + line)),
                    "e2e-teardown-at-exit");
            worker.start();
            try {
                worker.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "e2e-shutdown-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The goal's name, for messages. */
    protected abstract String goal();

    protected boolean skipGoal() {
        return false;
    }

    protected String skipProperty() {
        return "e2e.skip." + goal();
    }

    protected abstract void run() throws ConfigException, MojoFailureException, MojoExecutionException;

    /**
     * A goal failed: the build stops here, and post-integration-test never comes, so remove what
     * this run created now (while the plugin's classes can still be loaded), unless keepOnFailure.
     */
    private void markFailed() {
        Object s = project.getContextValue(RunState.KEY);
        if (s instanceof RunState state) {
            state.failed = true;
            if (!keepOnFailure && !"teardown".equals(goal()) && state.ledger.read(d -> d.hasLiveEntries())) {
                getLog().warn("e2e: " + goal() + " failed: removing what run " + state.run + " created"
                        + " (-De2e.keepOnFailure=true keeps it for a look)");
                tearDownNow(state, line -> getLog().info("e2e: " + line));
            } else if (keepOnFailure) {
                getLog().warn("e2e: keepOnFailure: run " + state.run + " is kept; remove it with 'mvn e2e:teardown'"
                        + " in " + project.getBasedir());
            }
        }
    }

    /**
     * Removes everything the ledger holds — images included: a failed or interrupted run leaves no
     * cache behind — reporting through {@code out}; never throws.
     */
    private void tearDownNow(RunState state, Consumer<String> out) {
        // the shutdown hook and a goal failing because of the interruption may both get here
        synchronized (state) {
            tearDownLocked(state, out);
        }
    }

    private void tearDownLocked(RunState state, Consumer<String> out) {
        if (!state.ledger.read(d -> d.hasLiveEntries())) {
            return;
        }
        int closed = PortForwards.closeAll(project.getBasedir().getAbsolutePath());
        if (closed > 0) {
            out.accept("closed " + closed + " port-forward(s)");
        }
        PodLogs.stopAll(project.getBasedir().getAbsolutePath())
                .forEach(f -> out.accept("pod logs are in " + f.directory()));
        try {
            Engine engine = engine();
            String kubeconfig = state.ledger.read(d -> d.cluster == null ? null : d.cluster.kubeconfig);
            KubeApi kube = kubeconfig != null
                    && Files.isRegularFile(Path.of(kubeconfig))
                    ? KubeApi.connect(Path.of(kubeconfig)) : null;
            var report = new Teardown(engine, state.ledger).run(kube,
                    RemoveImages.ALL,
                    ClusterDeletion.IF_CREATED,
                    new KindCli("kind", engine));
            report.removed().forEach(r -> out.accept("removed " + r));
            report.kept().forEach(r -> out.accept("kept " + r));
            report.failures().forEach(r -> out.accept("could not remove " + r + "; run 'mvn e2e:teardown' or 'e2e:reap'"));
        } catch (RuntimeException | LinkageError e) {
            out.accept("teardown failed: " + e + "; run 'mvn e2e:teardown' or 'e2e:reap'");
        }
    }

    Path ledgerFile() {
        return workDirectory.toPath().resolve("ledger.json");
    }

    /** This build's run state for this module, started by the first goal that needs it. */
    RunState runState() {
        Object existing = project.getContextValue(RunState.KEY);
        if (existing instanceof RunState s) {
            return s;
        }
        String run = PhaseZero.newRunId();
        Ledger previous = Ledger.open(ledgerFile());
        if (previous.read(d -> d.hasLiveEntries())) {
            Path kept = ledgerFile().resolveSibling("ledger-" + previous.read(d -> d.run) + ".json");
            try {
                Files.move(ledgerFile(), kept, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot keep the previous run's ledger " + ledgerFile(), e);
            }
            getLog().warn("e2e: an earlier run left resources behind; its ledger is kept as " + kept
                    + " and 'teardown' removes them too");
        }
        Ledger ledger = Ledger.start(ledgerFile(), run, service);
        RunState state = new RunState(run, ledger);
        project.setContextValue(RunState.KEY, state);
        registerShutdownTeardown(state);
        project.getProperties().setProperty("e2e.run", run);
        project.getProperties().setProperty("e2e.service", service);
        return state;
    }

    /** Phase 0: the decided tags, computed once per build; {@code build} without {@code tag} runs it here. */
    List<TagDecision> decisions() throws ConfigException {
        RunState state = runState();
        if (state.decisions != null) {
            return state.decisions;
        }
        List<ImageSpec> specs = ImageSpecs.of(images, project.getBasedir());
        TagTemplate template;
        try {
            template = new TagTemplate(tagTemplate);
        } catch (TagTemplateException e) {
            throw new ConfigException("tagTemplate", e.getMessage());
        }
        List<TagDecision> decided;
        try {
            decided = new PhaseZero(service, state.run, project.getVersion(), template, Clock.systemUTC())
                    .decide(specs);
        } catch (TagTemplateException e) {
            throw new ConfigException("tagTemplate", e.getMessage());
        } catch (BuildContextException e) {
            throw new ConfigException("images", e.getMessage());
        }
        String expires = expiry().toString();
        state.ledger.update(d -> {
            for (TagDecision t : decided) {
                ImageEntry e = new ImageEntry();
                e.id = t.id();
                e.reference = t.reference().toString();
                e.tag = t.tag();
                e.digest = t.digest();
                e.git = t.git();
                e.state = EntryState.INTENDED;
                e.expires = expires;
                d.images.removeIf(x -> x.id.equals(t.id()));
                d.images.add(e);
            }
        });
        for (TagDecision t : decided) {
            project.getProperties().setProperty("e2e.image." + t.id(), t.reference().toString());
            project.getProperties().setProperty("e2e.tag." + t.id(), t.tag());
            project.getProperties().setProperty("e2e.digest." + t.id(), t.digest());
            getLog().info("e2e: " + t.id() + " → " + t.reference() + " (sources sha256:" + t.digest().substring(0, 12)
                    + "…)");
        }
        state.decisions = decided;
        return decided;
    }

    Instant expiry() throws ConfigException {
        try {
            return Instant.now().plus(Durations.parse(ttl));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("ttl", e.getMessage());
        }
    }

    /** The engine, connected once per module and build (without starting a run: teardown needs it too). */
    Engine engine() {
        String key = Engine.class.getName();
        if (project.getContextValue(key) instanceof Engine e) {
            return e;
        }
        Engine engine = new EngineDiscovery().discover(dockerHost, System.getenv());
        getLog().info("e2e: engine " + engine.describe() + " (" + engine.origin() + ")");
        project.setContextValue(key, engine);
        return engine;
    }

    static Duration duration(String parameter, String value) throws ConfigException {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(parameter, e.getMessage());
        }
    }
}
