package io.github.e2ekit.e2e.maven;

/** {@code <load>} in the plugin configuration. */
public class LoadConfig {
    /** {@code kind} (default: into the kind cluster's nodes) or {@code registry} (push; the cluster pulls). */
    String mode;
    /** {@code registry}: host[:port][/prefix] to push to, e.g. {@code registry.example.com:5000/team}. */
    String registry;
    /** {@code registry}: the settings.xml {@code <server>} holding the credentials; default: the registry host. */
    String serverId;
}
