package io.github.e2ekit.e2e.image;

import com.github.dockerjava.api.DockerClient;
import java.io.IOException;

/**
 * A connected container engine: Docker or Podman behind the Docker-compatible API.
 * Engine-specific behaviour lives here, so callers never ask "is this Podman?".
 */
public final class Engine implements AutoCloseable {
    private final DockerClient client;
    private final EngineKind kind;
    private final String version;
    private final String apiVersion;
    private final String endpoint;

    Engine(DockerClient client, EngineKind kind, String version, String apiVersion, String endpoint) {
        this.client = client;
        this.kind = kind;
        this.version = version;
        this.apiVersion = apiVersion;
        this.endpoint = endpoint;
    }

    public DockerClient client() {
        return client;
    }

    public EngineKind kind() {
        return kind;
    }

    public String version() {
        return version;
    }

    public String apiVersion() {
        return apiVersion;
    }

    public String endpoint() {
        return endpoint;
    }

    /** One line for the log: {@code Docker 20.10.24 (API 1.41) at unix:///var/run/docker.sock}. */
    public String describe() {
        return kind.displayName() + " " + version + " (API " + apiVersion + ") at " + endpoint;
    }

    /**
     * The name under which this engine stores an image that was built as {@code reference}.
     * Podman qualifies short names with {@code localhost/}; Docker with {@code docker.io/}.
     */
    public String storedName(ImageReference reference) {
        String repo = reference.repository();
        boolean qualified = repo.contains("/") && ImageReference.normalizeRepository(repo).equals(repo)
                && !repo.startsWith("docker.io/");
        if (kind == EngineKind.PODMAN && !qualified && !repo.startsWith("docker.io/")) {
            return "localhost/" + reference;
        }
        return reference.toString();
    }

    /** The name a kind node's containerd gives the same image after import. */
    public String nodeName(ImageReference reference) {
        return ImageReference.parse(storedName(reference)).normalized();
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            // closing a connection pool: nothing to report
        }
    }
}
