package io.github.e2ekit.e2e.maven;

import java.io.File;

/** {@code <cluster>} in the plugin configuration; the defaults are the {@code cluster} parameter's. */
public class ClusterConfig {
    /** Cluster name; default {@code <service>-e2e}. */
    String name;
    /** {@code ifMissing} (default), {@code never} or {@code recreate}. */
    String create;
    /** Optional kind config file. */
    File config;
    /** Optional kindest/node image. */
    String nodeImage;
    /** At teardown (also after a failure or interrupt): {@code ifCreated} (default), {@code always} or {@code never}. */
    String delete;
    /** How long {@code kind create cluster} may take before it is stopped (default {@code 10m}); its output is logged as it comes. */
    String createTimeout;
}
