package io.github.e2ekit.e2e.deploy;

/**
 * An endpoint to export to the tests: a Service's port, optionally checked with HTTP GET on
 * {@code readyPath}; reached through a port-forward, or ({@code nodePort}) a mapped NodePort.
 */
public record EndpointSpec(
        String name, String service, int port, String readyPath, String namespace, boolean nodePort) {}
