package io.github.e2ekit.e2e.image;

import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerConfigFile;
import com.github.dockerjava.core.DockerContextMetaFile;
import com.github.dockerjava.core.LocalDirectorySSLConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which engine endpoint to use, decided as the docker CLI decides it (docker/cli {@code cli/command/cli.go}
 * {@code resolveContextName}, {@code getServerHost}): the {@code dockerHost} parameter (the CLI's {@code -H}), else
 * {@code DOCKER_HOST}, both with {@code DOCKER_TLS_VERIFY}/{@code DOCKER_CERT_PATH} for TLS; else the context named
 * by {@code DOCKER_CONTEXT}, else by {@code currentContext} in {@code $DOCKER_CONFIG/config.json} — a context other
 * than {@code default} must exist (the CLI fails on an unknown one). Contexts are read with docker-java's own reader
 * ({@link DockerContextMetaFile}: {@code contexts/meta/<sha256(name)>/meta.json}, TLS material in
 * {@code contexts/tls/<sha256(name)>/docker/}, the layout of docker/cli {@code cli/context/store/metadatastore.go}
 * and {@code tlsstore.go}).
 *
 * <p>Without any of these, the well-known sockets are probed in this order ({@link #probes}): the rootful Docker
 * socket, rootless Docker ({@code $XDG_RUNTIME_DIR/docker.sock}), Docker Desktop ({@code ~/.docker/run/docker.sock}),
 * Colima ({@code ~/.colima/default/docker.sock}), OrbStack ({@code ~/.orbstack/run/docker.sock}), Rancher Desktop
 * ({@code ~/.rd/docker.sock}), rootless Podman ({@code $XDG_RUNTIME_DIR/podman/podman.sock}), rootful Podman
 * ({@code /run/podman/podman.sock}), then {@code podman machine}'s API sockets.
 */
public final class EngineEndpoints {
    static final String DEFAULT_CONTEXT = "default";
    private static final String[] TLS_FILES = {"ca.pem", "cert.pem", "key.pem"};

    private final String dockerSocket;
    private final String podmanRootSocket;

    EngineEndpoints(String dockerSocket, String podmanRootSocket) {
        this.dockerSocket = dockerSocket;
        this.podmanRootSocket = podmanRootSocket;
    }

    /**
     * The endpoint the user chose (parameter, environment or context), or {@code null} when none was chosen and the
     * sockets are to be probed. Throws an {@link EngineException} naming the setting when the choice is unusable.
     */
    public EngineEndpoint chosen(String dockerHost, Map<String, String> env) {
        EngineEndpoint chosen = choose(dockerHost, env);
        if (chosen != null && chosen.host().startsWith("ssh://")) {
            throw new EngineException(
                    chosen.source() + " names " + chosen.host() + ", an engine over SSH, which the"
                            + " plugin's engine client (docker-java) cannot reach: forward its socket (ssh -nNT -L"
                            + " /tmp/e2e-docker.sock:/var/run/docker.sock <host>) and set DOCKER_HOST=unix:///tmp/e2e-docker.sock");
        }
        return chosen;
    }

    private EngineEndpoint choose(String dockerHost, Map<String, String> env) {
        if (notBlank(dockerHost)) {
            return withTlsFromEnv(dockerHost.trim(), "dockerHost parameter", env);
        }
        if (notBlank(env.get("DOCKER_HOST"))) {
            return withTlsFromEnv(env.get("DOCKER_HOST").trim(), "DOCKER_HOST", env);
        }
        Path config = configDirectory(env);
        String context;
        String setting;
        if (notBlank(env.get("DOCKER_CONTEXT"))) {
            context = env.get("DOCKER_CONTEXT").trim();
            setting = "DOCKER_CONTEXT";
        } else {
            context = currentContext(config);
            setting = "currentContext in " + config.resolve("config.json");
        }
        if (context == null || context.isBlank() || DEFAULT_CONTEXT.equals(context)) {
            return null;
        }
        return fromContext(context, setting, config);
    }

    /** The sockets probed when nothing was chosen, in order, each with what it is. */
    public List<EngineEndpoint> probes(Map<String, String> env) {
        String home = home(env);
        String xdg = env.get("XDG_RUNTIME_DIR");
        List<EngineEndpoint> out = new ArrayList<>();
        out.add(EngineEndpoint.plain(dockerSocket, "Docker's default socket"));
        if (notBlank(xdg)) {
            out.add(socket(Path.of(xdg, "docker.sock"), "rootless Docker's socket"));
        }
        out.add(socket(Path.of(home, ".docker", "run", "docker.sock"), "Docker Desktop's socket"));
        out.add(socket(Path.of(home, ".colima", "default", "docker.sock"), "Colima's socket"));
        out.add(socket(Path.of(home, ".orbstack", "run", "docker.sock"), "OrbStack's socket"));
        out.add(socket(Path.of(home, ".rd", "docker.sock"), "Rancher Desktop's socket"));
        if (notBlank(xdg)) {
            out.add(socket(Path.of(xdg, "podman", "podman.sock"), "Podman's user socket"));
        }
        out.add(EngineEndpoint.plain(podmanRootSocket, "Podman's system socket"));
        Path machines = Path.of(home, ".local", "share", "containers", "podman", "machine");
        out.add(socket(machines.resolve("podman-machine-default").resolve("podman.sock"), "podman machine's socket"));
        out.add(socket(machines.resolve("qemu").resolve("podman.sock"), "podman machine's socket"));
        String tmp = env.get("TMPDIR");
        if (notBlank(tmp)) {
            out.add(socket(Path.of(tmp, "podman", "podman-machine-default-api.sock"), "podman machine's socket"));
        }
        return out;
    }

    /** The Docker client's configuration directory: {@code $DOCKER_CONFIG}, else {@code $HOME/.docker}. */
    static Path configDirectory(Map<String, String> env) {
        String dir = env.get("DOCKER_CONFIG");
        return notBlank(dir) ? Path.of(dir) : Path.of(home(env), ".docker");
    }

    private static String home(Map<String, String> env) {
        String home = env.get("HOME");
        return notBlank(home) ? home : System.getProperty("user.home");
    }

    private static EngineEndpoint socket(Path path, String what) {
        return EngineEndpoint.plain("unix://" + path, what + " " + path);
    }

    private static String currentContext(Path config) {
        if (!Files.isRegularFile(config.resolve("config.json"))) {
            return null;
        }
        try {
            return DockerConfigFile.loadConfig(DockerClientConfig.getDefaultObjectMapper(), config.toString())
                    .getCurrentContext();
        } catch (IOException | RuntimeException e) {
            throw new EngineException("cannot read " + config.resolve("config.json") + " ("
                    + e.getClass().getSimpleName()
                    + "), which may name the Docker context to use: fix the file, or set DOCKER_HOST or <dockerHost>");
        }
    }

    /** {@code DOCKER_HOST}/{@code -H} with {@code DOCKER_TLS_VERIFY} and {@code DOCKER_CERT_PATH} (default: the config directory). */
    private static EngineEndpoint withTlsFromEnv(String host, String source, Map<String, String> env) {
        String verify = env.get("DOCKER_TLS_VERIFY");
        boolean tls = verify != null && ("1".equals(verify.trim()) || "true".equalsIgnoreCase(verify.trim()));
        if (!tls || host.startsWith("unix://") || host.startsWith("npipe://")) {
            return EngineEndpoint.plain(host, source);
        }
        String certPath = env.get("DOCKER_CERT_PATH");
        Path dir = notBlank(certPath) ? Path.of(certPath) : configDirectory(env);
        String setting =
                notBlank(certPath) ? "DOCKER_CERT_PATH" : "DOCKER_CERT_PATH (unset, so the Docker config directory)";
        checkTlsDirectory(
                dir,
                "DOCKER_TLS_VERIFY is set, but " + setting,
                "point DOCKER_CERT_PATH at the directory holding them, or unset DOCKER_TLS_VERIFY for a plain connection");
        // through docker-java's own configuration, so its TLS set-up is the one used
        DefaultDockerClientConfig config = new DefaultDockerClientConfig.Builder()
                .withDockerHost(host)
                .withDockerTlsVerify(true)
                .withDockerCertPath(dir.toString())
                .build();
        return new EngineEndpoint(
                config.getDockerHost().toString(), certPathOf(config), source + " with TLS from " + dir);
    }

    private static EngineEndpoint fromContext(String context, String setting, Path config) {
        var mapper = DockerClientConfig.getDefaultObjectMapper();
        if (DockerContextMetaFile.resolveContextMetaFile(mapper, config.toFile(), context)
                .isEmpty()) {
            throw new EngineException("the Docker context '" + context + "' (" + setting + ") does not exist in "
                    + config.resolve("contexts") + ": create it (docker context create " + context
                    + " --docker host=…), or use another (docker context ls; DOCKER_CONTEXT, or <dockerHost>)");
        }
        DefaultDockerClientConfig resolved;
        try {
            resolved = new DefaultDockerClientConfig.Builder()
                    .withDockerConfig(config.toString())
                    .withDockerContext(context)
                    .build();
        } catch (RuntimeException e) {
            throw new EngineException("the Docker context '" + context + "' (" + setting + ") cannot be used: "
                    + e.getMessage() + " — fix it with docker context update " + context);
        }
        Path tls = certPathOf(resolved);
        if (tls != null) {
            checkTlsDirectory(
                    tls,
                    "the Docker context '" + context + "' (" + setting + ") uses TLS, but its directory",
                    "re-create its TLS material: docker context update " + context
                            + " --docker host=…,ca=…,cert=…,key=…");
        }
        String host = resolved.getDockerHost().toString();
        return new EngineEndpoint(host, tls, "Docker context '" + context + "' (" + setting + ")");
    }

    private static Path certPathOf(DefaultDockerClientConfig config) {
        return config.getSSLConfig() instanceof LocalDirectorySSLConfig l ? Path.of(l.getDockerCertPath()) : null;
    }

    /** Fails with one line when {@code dir} does not hold readable {@code ca.pem}, {@code cert.pem} and {@code key.pem}. */
    static void checkTlsDirectory(Path dir, String what, String fix) {
        List<String> missing = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            throw new EngineException(what + " " + dir + " is not a readable directory: " + fix);
        }
        for (String f : TLS_FILES) {
            Path file = dir.resolve(f);
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                missing.add(f);
            }
        }
        if (!missing.isEmpty()) {
            throw new EngineException(what + " " + dir + " has no readable " + String.join(", ", missing) + ": " + fix);
        }
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
