package io.github.e2ekit.e2e.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code docker-registry} (distribution 2.8) on a free port of 127.0.0.1, storing under a
 * temp directory, with htpasswd authentication for one user (or none). Docker treats 127.0.0.0/8 as an
 * insecure registry, so it pushes there over plain HTTP. Missing binary: skipped loudly, a failure with
 * {@code CI=true} (scripts/engine.sh installs it).
 */
public final class LocalRegistry implements AutoCloseable {
    public static final String BINARY = "/usr/bin/docker-registry";
    private final Process process;
    private final int port;
    private final Path directory;

    private LocalRegistry(Process process, int port, Path directory) {
        this.process = process;
        this.port = port;
        this.directory = directory;
    }

    /** Starts a registry; {@code user} null means no authentication. */
    public static LocalRegistry start(Path directory, String user, String password) {
        if (!Files.isExecutable(Path.of(BINARY))) {
            String reason = "NO REGISTRY: " + BINARY + " is missing (apt-get install docker-registry)";
            if (TestEngine.ci()) {
                throw new AssertionError(reason + " (CI=true: a failure, not a skip)");
            }
            System.err.println("SKIPPED registry test — " + reason);
            Assumptions.abort(reason);
        }
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            StringBuilder config = new StringBuilder("""
                    version: 0.1
                    log:
                      level: warn
                      accesslog:
                        disabled: true
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    http:
                      addr: 127.0.0.1:%d
                      secret: e2e-test-registry
                    """.formatted(directory.resolve("data"), port));
            if (user != null) {
                byte[] salt = new byte[16];
                new SecureRandom().nextBytes(salt);
                String hash = OpenBSDBCrypt.generate("2a", password.toCharArray(), salt, 6);
                Files.writeString(directory.resolve("htpasswd"), user + ":" + hash + "\n", StandardCharsets.UTF_8);
                config.append("""
                        auth:
                          htpasswd:
                            realm: e2e-test
                            path: %s
                        """.formatted(directory.resolve("htpasswd")));
            }
            Path file = directory.resolve("config.yml");
            Files.writeString(file, config.toString());
            Process p = new ProcessBuilder(BINARY, "serve", file.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("registry.log").toFile())
                    .start();
            LocalRegistry registry = new LocalRegistry(p, port, directory);
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroy)); // never outlives the JVM that started it
            registry.awaitListening();
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry ended: " + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep();
            }
        }
        close();
        throw new IllegalStateException("docker-registry did not listen on 127.0.0.1:" + port + " in 20 s: " + log());
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public long pid() {
        return process.pid();
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    public String log() throws IOException {
        return Files.readString(directory.resolve("registry.log"));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
