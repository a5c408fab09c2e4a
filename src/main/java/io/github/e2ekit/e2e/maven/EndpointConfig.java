package io.github.e2ekit.e2e.maven;

/** {@code <endpoint>}: a Service port the tests reach through a port-forward. */
public class EndpointConfig {
    /** Exported as {@code e2e.endpoint.<name>.url|host|port} (required). */
    String name;
    /** The Service in the run's namespace (required). */
    String service;
    /** The Service's port (required). */
    Integer port;
    /** Optional HTTP path that must answer 2xx through the endpoint before deploy ends, e.g. {@code /readyz}. */
    String readyPath;
    /** {@code portForward} (default) or {@code nodePort} (NodePorts mapped with kind extraPortMappings). */
    String mode;
}
