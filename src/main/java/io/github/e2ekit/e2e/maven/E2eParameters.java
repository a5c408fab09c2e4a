package io.github.e2ekit.e2e.maven;

import java.io.File;
import java.util.List;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugins.annotations.Parameter;

/** The parameters every goal shares, each declared once; {@link Configurations} turns them into the run's. */
public abstract class E2eParameters extends AbstractMojo {
    /** Name of the service under test; used in tags, namespaces and labels. */
    @Parameter(property = "e2e.service", defaultValue = "${project.artifactId}")
    protected String service;

    /**
     * The images this run builds: {@code <image><id>…</id><name>repository</name>[<context>DIR</context>]
     * [<dockerfile>Dockerfile</dockerfile>][<target>STAGE</target>][<buildArgs><K>V</K></buildArgs>]</image>}; context
     * default: the project directory, dockerfile default {@code Dockerfile} (relative to the context), no target, no args.
     */
    @Parameter
    protected List<ImageConfig> images;

    /** Template of the tag decided in Phase 0. */
    @Parameter(property = "e2e.tagTemplate", defaultValue = io.github.e2ekit.e2e.tag.TagTemplate.DEFAULT)
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

    /**
     * The kind cluster: {@code <name>} (default {@code <service>-e2e}), {@code <create>} ({@code ifMissing} default,
     * {@code never}, {@code recreate}), {@code <config>} (a kind config file; none by default), {@code <nodeImage>}
     * (kind's default), {@code <delete>} at teardown, also after a failure or interrupt ({@code ifCreated} default,
     * {@code always}, {@code never}), {@code <createTimeout>} (default {@code 10m}: {@code kind create cluster} is
     * stopped after it; its output is logged as it comes).
     */
    @Parameter
    protected ClusterConfig cluster;

    /** Cluster name (overrides {@code <cluster><name>}); for {@code reap}: the cluster whose nodes are searched. */
    @Parameter(property = "e2e.cluster.name")
    protected String clusterName;

    /** Kubeconfig of the cluster (only read); default: derived by {@code load} into {@code target/e2e/kubeconfig}. */
    @Parameter(property = "e2e.kubeconfig")
    protected File kubeconfig;

    /** The kind executable (load creates clusters with it; teardown, also after a failure or interrupt, deletes). */
    @Parameter(property = "e2e.kindExecutable", defaultValue = "kind")
    protected String kindExecutable;

    /**
     * Keep the environment (namespace, objects, node images) for the next run, which reuses what did not change;
     * {@code mvn e2e:down} removes it. For local development; leave it off in CI.
     */
    @Parameter(property = "e2e.reuse", defaultValue = "false")
    protected boolean reuse;

    // Goal-specific parameters, declared here so that the first goal of a build checks the whole configuration.
    /** Namespace; default {@code e2e-<service>-<run>}, created and labelled by this run. */
    @Parameter(property = "e2e.namespace")
    protected String namespace;

    /**
     * Stages of manifests and the overall timeout:
     * {@code <stages><stage><manifests><manifest>PATH</manifest></manifests>[<valuesFiles><valuesFile>PATH
     * </valuesFile></valuesFiles>][<values><KEY>VALUE</KEY></values>]</stage>…</stages>[<timeout>5m</timeout>]}.
     * A {@code <manifest>} is a file, a directory of {@code .yaml/.yml/.json} (sorted), a kustomize overlay
     * (directory with {@code kustomization.yaml}; rendered by {@code <kubectl>}) or a Helm chart (directory with
     * {@code Chart.yaml}; release name = the service, namespace = the run's). {@code <valuesFiles>} and
     * {@code <values>} (like {@code helm --set}) apply to the stage's charts; none by default. {@code <timeout>}:
     * all stages together, default {@code 5m}. {@code <healRestarts>}: a pod in {@code CrashLoopBackOff} fails the
     * deploy once restarted this often (default 2; {@code -De2e.deploy.healRestarts}); {@code <healGrace>}: how long a
     * state that may heal is given (default {@code 15s}; {@code -De2e.deploy.healGrace}). Files and overlays get
     * {@code ${property}} and {@code ${env.X}} expanded ({@code $${…}} stays literal); Helm output is not interpolated.
     */
    @Parameter
    protected DeployConfig deploy;

    /**
     * Follow the logs of every container of every pod in the namespace into
     * {@code target/e2e/logs/<namespace>/<pod>.<container>.log} from the end of deploy until teardown (pods created
     * later included).
     */
    @Parameter(property = "e2e.podLogs", defaultValue = "true")
    protected boolean podLogs;

    /**
     * Service ports exported to the tests as {@code e2e.endpoint.<name>.url|host|port}: {@code <endpoint><name>…</name>
     * <service>…</service><port>…</port>[<readyPath>/readyz</readyPath>][<mode>portForward</mode>]</endpoint>}; no
     * ready path by default, mode {@code portForward} (default) or {@code nodePort} (kind extraPortMappings).
     */
    @Parameter
    protected List<EndpointConfig> endpoints;

    /** The kubectl executable that renders kustomize overlays ({@code kubectl kustomize}); only run for them. */
    @Parameter(property = "e2e.kubectl", defaultValue = "kubectl")
    protected String kubectl;

    /** Images that exist locally (e.g. postgres:16-alpine) to load as well, so pods never pull; none by default. */
    @Parameter
    protected List<String> preload;

    /**
     * How images reach the cluster: {@code <mode>kind</mode>} (default) or {@code <mode>registry</mode>} with
     * {@code <registry>} (host[:port][/prefix], no default) and optionally {@code <serverId>} (the settings.xml
     * {@code <server>} with the credentials; default: the registry host, else the Docker client's login) for clusters
     * that pull: ones that are not kind, or a kind cluster with kind's local-registry mirror for a registry on
     * 127.0.0.1 (checked before pushing).
     */
    @Parameter
    protected LoadConfig load;

    /** Overrides {@code <load><mode>}. */
    @Parameter(property = "e2e.load.mode")
    protected String loadMode;

    /** Overrides {@code <load><registry>}. */
    @Parameter(property = "e2e.load.registry")
    protected String loadRegistry;

    /** Longest time one image build may take; then it is stopped. */
    @Parameter(property = "e2e.buildTimeout", defaultValue = "15m")
    protected String buildTimeout;

    /**
     * Which builder: {@code auto} (BuildKit when the Dockerfile needs it: {@code RUN --mount}, {@code COPY --link},
     * heredocs, {@code # syntax=}; else the engine API's classic builder), {@code classic} or {@code buildkit}. On
     * Podman its own builder builds every Dockerfile.
     */
    @Parameter(property = "e2e.builder", defaultValue = "auto")
    protected String builder;

    /** Build secrets for BuildKit ({@code RUN --mount=type=secret,id=…}): {@code <secret><id>…</id><file>…</file>} or {@code <env>…</env>}; none by default. */
    @Parameter
    protected List<SecretConfig> secrets;
}
