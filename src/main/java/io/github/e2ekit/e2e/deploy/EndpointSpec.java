package io.github.e2ekit.e2e.deploy;

/** An endpoint to export to the tests: a Service's port, optionally checked with HTTP GET on {@code readyPath}. */
public record EndpointSpec(String name, String service, int port, String readyPath, String namespace) {
}
