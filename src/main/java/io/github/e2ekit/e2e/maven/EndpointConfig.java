package io.github.e2ekit.e2e.maven;

/** {@code <endpoint>}: a Service port the tests reach through a port-forward. */
public class EndpointConfig {
    String name;
    String service;
    Integer port;
    String readyPath;
    /** {@code portForward} (default) or {@code nodePort} (NodePorts mapped with kind extraPortMappings). */
    String mode;
}
