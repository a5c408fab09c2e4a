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
 * Finds the engine to use as the docker CLI would ({@link EngineEndpoints}): the {@code dockerHost} parameter,
 * {@code DOCKER_HOST}, {@code DOCKER_CONTEXT} or the config's {@code currentContext}; else the first of the
 * well-known sockets that answers a ping. The engine found says which and why ({@link Engine#origin}).
 */
public final class EngineDiscovery {
    static final String DOCKER_SOCKET = "unix:///var/run/docker.sock";
    static final String PODMAN_ROOT_SOCKET = "unix:///run/podman/podman.sock";

    private final Duration responseTimeout;
    private final EngineEndpoints endpoints;

    public EngineDiscovery() {
        this(Duration.ofMinutes(30));
    }

    public EngineDiscovery(Duration responseTimeout) {
        this(responseTimeout, DOCKER_SOCKET, PODMAN_ROOT_SOCKET);
    }

    /** Tests: other rootful sockets (e.g. ones that do not exist, to see the user's sockets found). */
    EngineDiscovery(Duration responseTimeout, String dockerSocket, String podmanRootSocket) {
        this.responseTimeout = responseTimeout;
        this.endpoints = new EngineEndpoints(dockerSocket, podmanRootSocket);
    }

    /** Candidate endpoints in the order they are tried, each with where it came from. */
    public static Map<String, String> candidates(String dockerHost, Map<String, String> env) {
        return new EngineDiscovery()
                .candidateList(dockerHost, env).stream()
                        .collect(LinkedHashMap::new, (m, e) -> m.putIfAbsent(e.host(), e.source()), Map::putAll);
    }

    List<EngineEndpoint> candidateList(String dockerHost, Map<String, String> env) {
        EngineEndpoint chosen = endpoints.chosen(dockerHost, env);
        return chosen != null ? List.of(chosen) : endpoints.probes(env);
    }

    public Engine discover(String dockerHost, Map<String, String> env) {
        List<String> tried = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (EngineEndpoint c : candidateList(dockerHost, env)) {
            if (seen.contains(c.host())) {
                continue;
            }
            seen.add(c.host());
            if (c.host().startsWith("unix://") && !Files.exists(Path.of(c.host().substring("unix://".length())))) {
                tried.add(c.host() + " (" + c.source() + "): no such socket");
                continue;
            }
            try {
                return connect(c);
            } catch (RuntimeException e) {
                tried.add(c.host() + " (" + c.source() + "): " + rootMessage(e));
            }
        }
        throw new EngineException("No container engine answered. Tried " + String.join("; ", tried)
                + ". Start Docker or Podman (e.g. 'podman system service'), or point the plugin at one"
                + " with <dockerHost>, DOCKER_HOST or a Docker context.");
    }

    /** Connects to one endpoint (no TLS) and identifies the engine; throws if it does not answer. */
    public Engine connect(String endpoint) {
        return connect(EngineEndpoint.plain(endpoint, "given"));
    }

    /** Connects to one endpoint and identifies the engine; throws if it does not answer. */
    public Engine connect(EngineEndpoint endpoint) {
        DefaultDockerClientConfig.Builder builder = new DefaultDockerClientConfig.Builder()
                .withDockerHost(endpoint.host()) // no config directory, no context: exactly this endpoint
                .withDockerTlsVerify(endpoint.tls());
        if (endpoint.tls()) {
            builder.withDockerCertPath(endpoint.tlsCertPath().toString());
        }
        DockerClientConfig config = builder.build();
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
