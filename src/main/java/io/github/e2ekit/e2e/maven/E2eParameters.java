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
}
