package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.PodLogFollower;
import io.github.e2ekit.e2e.deploy.PortForwarder;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineDiscovery;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.tag.PhaseZero;
import io.github.e2ekit.e2e.tag.TagDecision;
import io.github.e2ekit.e2e.work.AtomicFiles;
import io.github.e2ekit.e2e.work.InFlight;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * One module's run within one build: its configuration, engine, ledger, Phase 0's decisions, the port-forwards
 * and pod log followers it keeps open, and whether a goal failed. Made once per module by {@link Runs} and shared
 * by the module's goals; state passes between goals through this object and the ledger only.
 */
public final class Run {
    private final Object build;
    private volatile RunConfiguration config;
    private volatile RunLog log;
    private volatile BiConsumer<String, String> outputs = (k, v) -> {};
    private final AtomicInteger running = new AtomicInteger();
    private final List<PortForwarder> forwards = new ArrayList<>();
    private final List<PodLogFollower> podLogs = new ArrayList<>();
    private Engine engine;
    private RuntimeException engineFailure;
    private volatile String id;
    private volatile Ledger ledger;
    private List<TagDecision> decisions;
    private volatile boolean failed;
    private volatile String lastGoal;
    private volatile long goalStarted;
    /** This build's hold on the module's work directory, from its first goal until the run is released. */
    private ModuleLock moduleLock;

    private volatile boolean heldElsewhere;
    /** Set when the JVM-exit teardown begins: no goal starts after it. */
    private volatile boolean exiting;
    /** The JVM-exit teardown registered when the run started; removed when the run is released. */
    private Thread exitHook;
    /** Held while removing: the shutdown hook and a goal failing because of the interruption may both remove. */
    final Object teardownLock = new Object();
    /** Held while Phase 0 decides the tags (once per build). */
    final Object phaseZero = new Object();

    /** This run's node imports under way (the exit-time teardown waits for them before removing). */
    private final InFlight imports = new InFlight();

    /** This run's whole-file writes, closed by its exit-time teardown. */
    private final AtomicFiles files = new AtomicFiles();

    private final java.util.Map<String, String> exported = new java.util.concurrent.ConcurrentHashMap<>();

    Run(Object build, RunLog log) {
        this.build = build;
        this.log = log;
    }

    Object build() {
        return build;
    }

    /** The goal now executing brings its log and property sink. */
    void attach(RunLog log, BiConsumer<String, String> outputs) {
        this.log = log;
        this.outputs = outputs;
    }

    /** The goal now executing brings its configuration (one module: the same shared values). */
    public void configure(RunConfiguration config) {
        this.config = config;
    }

    public RunConfiguration config() {
        return config;
    }

    public RunLog log() {
        return log;
    }

    /** This run's node imports under way. */
    public InFlight importsInFlight() {
        return imports;
    }

    /** How this run writes its files (ledger, report, reuse record, kubeconfig). */
    public AtomicFiles files() {
        return files;
    }

    /** Exports a value to later plugins (failsafe) as a project property: an output, never read back. */
    public void export(String key, String value) {
        exported.put(key, value);
        outputs.accept(key, value);
    }

    /**
     * {@code value} unless it is what this run exported as {@code property} — Maven hands a goal's own outputs back
     * as parameter values ({@code ${e2e.kubeconfig}} reads project properties), and an output is never an input.
     */
    public String input(String property, String value) {
        return value != null && value.equals(exported.get(property)) ? null : value;
    }

    /**
     * Runs one goal: counted while it runs (a JVM exit meanwhile means the build was interrupted); when it fails,
     * what the run created is removed at once, as the {@code teardown} goal would with this configuration
     * (unless keepOnFailure). The single place where every goal finishes.
     */
    public void goal(String goal, Goal body) throws ConfigException {
        if (exiting) {
            throw new GoalFailure("the build is being interrupted: e2e:" + goal + " does not start");
        }
        lastGoal = goal;
        goalStarted = System.nanoTime();
        running.incrementAndGet();
        boolean done = false;
        try {
            if (!"reap".equals(goal)) { // reap works across runs, also beside a running build
                holdModule();
            }
            body.run(this);
            done = true;
        } catch (ConfigException | RuntimeException e) {
            failed(goal);
            throw e;
        } finally {
            running.decrementAndGet();
            if (!done || "teardown".equals(goal)) {
                // the build stops here (a failed goal) or this run is over (teardown): free what it holds now,
                // not at JVM exit, which a long-lived JVM (mvnd, an embedder) does not reach
                release(false);
            }
        }
    }

    private synchronized void holdModule() {
        if (moduleLock == null) {
            try {
                moduleLock = ModuleLock.take(config.workDirectory());
            } catch (GoalFailure e) {
                heldElsewhere = true;
                throw e;
            }
        }
    }

    /** The JVM-exit teardown begins: a goal that would start now does not. */
    void exiting() {
        exiting = true;
    }

    /** Whether the JVM-exit teardown has begun (it writes the run report from then on). */
    public boolean exitBegun() {
        return exiting;
    }

    /** Whether another build held this module when this run's goal began: the run did nothing, wrote nothing. */
    public boolean heldElsewhere() {
        return heldElsewhere;
    }

    /**
     * Frees what this run holds in the JVM — port-forwards, pod log followers, the engine connection — and takes it
     * out of {@link Runs}. Its exit-time teardown is unregistered when nothing is left for it ({@code always}: in any
     * case, a later build took over; the ledger keeps what is left for {@code teardown} or {@code reap}).
     */
    void release(boolean always) {
        synchronized (teardownLock) { // not while the exit-time teardown still removes with this engine
            releaseNow(always);
        }
    }

    private void releaseNow(boolean always) {
        closeForwards();
        stopPodLogs();
        Thread hook;
        Engine connected;
        ModuleLock held;
        synchronized (this) {
            held = moduleLock;
            moduleLock = null;
            Ledger l = ledger;
            boolean nothingLeft = l == null || !l.read(d -> d.hasLiveEntries());
            hook = always || nothingLeft ? exitHook : null;
            if (hook != null) {
                exitHook = null;
            }
            connected = engine;
            engine = null;
        }
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is exiting: the hook runs anyway
            }
        }
        if (connected != null) {
            connected.close();
        }
        if (held != null) {
            held.close();
        }
        Runs.forget(this);
    }

    /** A goal's work. */
    @FunctionalInterface
    public interface Goal {
        void run(Run run) throws ConfigException;
    }

    /** The e2e goal that ran last in this build, or null. */
    String lastGoal() {
        return lastGoal;
    }

    /** The exit-time teardown registered for this run, or null (not started, or released). */
    synchronized Thread exitHook() {
        return exitHook;
    }

    /** How long the e2e goal that ran last has run (or ran, until now). */
    java.time.Duration goalTime() {
        return java.time.Duration.ofNanos(System.nanoTime() - goalStarted);
    }

    boolean goalRunning() {
        return running.get() > 0;
    }

    public boolean failed() {
        return failed;
    }

    /**
     * A goal failed: the build stops here, and post-integration-test never comes, so remove what this run created
     * now (while the plugin's classes can still be loaded), unless keepOnFailure.
     */
    private void failed(String goal) {
        failed = true;
        Ledger l = startedLedger();
        if (l == null) {
            return;
        }
        if ("tag".equals(goal) || engineUnreachable()) {
            RunTeardown.forgetNeverBuilt(l); // nothing was built: images only intended are no leftovers to speak of
        }
        if (!config.keepOnFailure() && !"teardown".equals(goal) && l.read(d -> d.hasLiveEntries())) {
            if (engineUnreachable()) {
                new RunTeardown(this).afterFailure(log); // says only what is really left
                return;
            }
            log.warn(goal + " failed: removing what run " + id
                    + " created (-De2e.keepOnFailure=true keeps it for a look)");
            new RunTeardown(this).afterFailure(log);
        } else if (config.keepOnFailure()) {
            log.warn("keepOnFailure: run " + id + " is kept; remove it with 'mvn e2e:teardown' in " + config.basedir());
        }
    }

    /** The engine, connected once per module and build (without starting a run: teardown needs it too). */
    public synchronized Engine engine() {
        if (engineFailure != null) {
            throw engineFailure; // probed once per build: the failure teardown does not wait for it again
        }
        if (engine == null) {
            try {
                engine = new EngineDiscovery().discover(config.dockerHost(), System.getenv());
            } catch (RuntimeException e) {
                engineFailure = e;
                throw e;
            }
            log.info("engine " + engine.describe() + " (" + engine.origin() + ")");
        }
        return engine;
    }

    /** Whether this build found no engine (its goal said so). */
    synchronized boolean engineUnreachable() {
        return engineFailure != null;
    }

    /** This build's run id, starting the run (a new ledger) on first use. */
    public synchronized String id() {
        start();
        return id;
    }

    /** This run's ledger, started on first use. */
    public synchronized Ledger ledger() {
        start();
        return ledger;
    }

    /** The run id if a goal of this build started the run, else null (never waits for a goal). */
    String startedId() {
        return id;
    }

    /** The ledger if a goal of this build started the run, else null. */
    Ledger startedLedger() {
        return ledger;
    }

    private void start() {
        if (id != null) {
            return;
        }
        Path file = config.ledgerFile();
        Ledger previous = Ledger.open(file, files);
        if (previous.read(d -> d.hasLiveEntries())) {
            Path kept = file.resolveSibling("ledger-" + previous.read(d -> d.run) + ".json");
            try {
                Files.move(file, kept, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot keep the previous run's ledger " + file, e);
            }
            log.warn("an earlier run left resources behind; its ledger is kept as " + kept
                    + " and 'teardown' removes them too");
        }
        String run = PhaseZero.newRunId();
        ledger = Ledger.start(file, run, config.service(), files);
        id = run;
        exitHook = Runs.atExit(this);
        export("e2e.run", id);
        export("e2e.service", config.service());
    }

    /** Phase 0's decisions of this build, or null before the first. */
    public synchronized List<TagDecision> decisions() {
        return decisions;
    }

    synchronized void decided(List<TagDecision> decided) {
        this.decisions = List.copyOf(decided);
    }

    /** Keeps a port-forward open until teardown (or JVM exit). */
    public synchronized void keep(PortForwarder forward) {
        forwards.add(forward);
    }

    /** Keeps a pod log follower running until teardown (or JVM exit). */
    public synchronized void keep(PodLogFollower follower) {
        podLogs.add(follower);
    }

    /** Closes every port-forward of this run; returns how many were open. */
    public int closeForwards() {
        List<PortForwarder> open;
        synchronized (this) {
            open = List.copyOf(forwards);
            forwards.clear();
        }
        open.forEach(PortForwarder::close);
        return open.size();
    }

    /** Stops every pod log follower (files flushed and closed); returns them, to say where their logs are. */
    public List<PodLogFollower> stopPodLogs() {
        List<PodLogFollower> open;
        synchronized (this) {
            open = List.copyOf(podLogs);
            podLogs.clear();
        }
        open.forEach(PodLogFollower::close);
        return open;
    }
}
