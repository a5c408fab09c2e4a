package io.github.e2ekit.e2e.image;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.api.model.VersionComponent;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the engine to use: the {@code dockerHost} parameter, else {@code DOCKER_HOST}, else the
 * Docker socket, else Podman's sockets. The first that answers a ping wins.
 */
public final class EngineDiscovery {
    static final String DOCKER_SOCKET = "unix:///var/run/docker.sock";
    static final String PODMAN_ROOT_SOCKET = "unix:///run/podman/podman.sock";

    private final Duration responseTimeout;
    private final String dockerSocket;
    private final String podmanRootSocket;

    public EngineDiscovery() {
        this(Duration.ofMinutes(30));
    }

    public EngineDiscovery(Duration responseTimeout) {
        this(responseTimeout, DOCKER_SOCKET, PODMAN_ROOT_SOCKET);
    }

    /** Tests: other default sockets (e.g. a Docker socket that does not exist, to see Podman's found). */
    EngineDiscovery(Duration responseTimeout, String dockerSocket, String podmanRootSocket) {
        this.responseTimeout = responseTimeout;
        this.dockerSocket = dockerSocket;
        this.podmanRootSocket = podmanRootSocket;
    }

    /** Candidate endpoints in the order they are tried, each with where it came from. */
    public static Map<String, String> candidates(String dockerHost, Map<String, String> env) {
        return candidates(dockerHost, env, DOCKER_SOCKET, PODMAN_ROOT_SOCKET);
    }

    static Map<String, String> candidates(String dockerHost, Map<String, String> env, String dockerSocket,
            String podmanRootSocket) {
        Map<String, String> out = new LinkedHashMap<>();
        if (dockerHost != null && !dockerHost.isBlank()) {
            out.put(dockerHost.trim(), "dockerHost parameter");
            return out;
        }
        String fromEnv = env.get("DOCKER_HOST");
        if (fromEnv != null && !fromEnv.isBlank()) {
            out.put(fromEnv.trim(), "DOCKER_HOST");
            return out;
        }
        out.put(dockerSocket, "Docker's default socket");
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank()) {
            out.putIfAbsent("unix://" + Path.of(xdg, "podman", "podman.sock"), "Podman's user socket");
        }
        out.putIfAbsent(podmanRootSocket, "Podman's system socket");
        return out;
    }

    public Engine discover(String dockerHost, Map<String, String> env) {
        List<String> tried = new ArrayList<>();
        for (Map.Entry<String, String> c : candidates(dockerHost, env, dockerSocket, podmanRootSocket).entrySet()) {
            String endpoint = c.getKey();
            if (endpoint.startsWith("unix://") && !Files.exists(Path.of(endpoint.substring("unix://".length())))) {
                tried.add(endpoint + " (" + c.getValue() + "): no such socket");
                continue;
            }
            try {
                return connect(endpoint);
            } catch (RuntimeException e) {
                tried.add(endpoint + " (" + c.getValue() + "): " + rootMessage(e));
            }
        }
        throw new EngineException("No container engine answered. Tried " + String.join("; ", tried)
                + ". Start Docker or Podman (e.g. 'podman system service'), or point the plugin at one"
                + " with <dockerHost> or DOCKER_HOST.");
    }

    /** Connects to one endpoint and identifies the engine; throws if it does not answer. */
    public Engine connect(String endpoint) {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(endpoint)
                .withDockerTlsVerify(false)
                .build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(64)
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(responseTimeout)
                .build();
        DockerClient client = DockerClientImpl.getInstance(config, http);
        try {
            Version v = client.versionCmd().exec();
            return new Engine(client, kindOf(v), v.getVersion(), v.getApiVersion(), endpoint);
        } catch (RuntimeException e) {
            try {
                client.close();
            } catch (IOException ignored) {
                // nothing to add to the connection failure
            }
            throw e;
        }
    }

    static EngineKind kindOf(Version v) {
        List<VersionComponent> components = v.getComponents();
        if (components != null) {
            for (VersionComponent c : components) {
                if (c.getName() != null && c.getName().toLowerCase(Locale.ROOT).contains("podman")) {
                    return EngineKind.PODMAN;
                }
            }
        }
        return EngineKind.DOCKER;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
