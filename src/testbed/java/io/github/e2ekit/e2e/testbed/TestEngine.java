package io.github.e2ekit.e2e.testbed;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineDiscovery;
import io.github.e2ekit.e2e.image.EngineException;
import io.github.e2ekit.e2e.image.EngineKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Named;

/**
 * The engines the tests run against. Without one, tests are skipped with a loud reason, except
 * with {@code CI=true}, where a missing engine is a failure.
 *
 * <p>{@link #require()} gives the one engine the plugin itself would discover. {@link #engines()} gives
 * every engine on the machine, each found by its own socket — Docker ({@code -De2e.docker.host} alone when set, else
 * {@code /var/run/docker.sock}) and Podman ({@code -De2e.podman.host} alone when set, else {@code $E2E_PODMAN_SOCKET}, else
 * {@code $XDG_RUNTIME_DIR/podman/podman.sock}, else {@code /run/podman/podman.sock}) — for the tests of
 * what differs between engines, which run once per engine. A machine with one of them runs that one
 * and says loudly which is missing; with {@code CI=true} both are required.
 */
public final class TestEngine {
    private static Engine shared;
    private static String missing;
    private static List<Engine> all;
    private static Map<EngineKind, String> absent;

    private TestEngine() {}

    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The shared engine; closed when the JVM ends. */
    public static synchronized Engine require() {
        if (shared == null && missing == null) {
            try {
                shared = new EngineDiscovery().discover(System.getProperty("e2e.dockerHost"), System.getenv());
                Engine e = shared;
                Runtime.getRuntime().addShutdownHook(new Thread(e::close));
            } catch (EngineException e) {
                missing = e.getMessage();
            }
        }
        if (shared == null) {
            String reason = "NO CONTAINER ENGINE: " + missing;
            if (ci()) {
                throw new AssertionError(reason + " (CI=true: a missing engine is a failure)");
            }
            System.err.println("SKIPPED engine test — " + reason);
            Assumptions.abort(reason);
        }
        return shared;
    }

    /**
     * Docker and Podman, as {@code @MethodSource} arguments named after the engine (e.g. {@code Podman
     * 4.3.1 (API 1.41) at unix:///run/podman/podman.sock}). Each is connected once and closed when the JVM
     * ends.
     */
    public static synchronized List<Named<Engine>> engines() {
        if (all == null) {
            all = new ArrayList<>();
            absent = new LinkedHashMap<>();
            String docker = System.getProperty("e2e.docker.host");
            connect(EngineKind.DOCKER, docker != null ? endpoints(docker) : endpoints("unix:///var/run/docker.sock"));
            String podman = System.getProperty("e2e.podman.host");
            String xdg = System.getenv("XDG_RUNTIME_DIR");
            String podmanSocket = System.getenv("E2E_PODMAN_SOCKET"); // scripts/engine.sh's override
            connect(
                    EngineKind.PODMAN,
                    podman != null
                            ? endpoints(podman)
                            : endpoints(
                                    podmanSocket == null || podmanSocket.isBlank() ? null : "unix://" + podmanSocket,
                                    xdg == null || xdg.isBlank()
                                            ? null
                                            : "unix://" + Path.of(xdg, "podman", "podman.sock"),
                                    "unix:///run/podman/podman.sock"));
            all.forEach(e -> Runtime.getRuntime().addShutdownHook(new Thread(e::close)));
        }
        absent.forEach((kind, why) -> {
            String line =
                    "ENGINE MISSING: " + kind.displayName() + " — " + why + "; the tests that run on every engine run"
                            + " on "
                            + (all.isEmpty()
                                    ? "none"
                                    : String.join(
                                            " and ",
                                            all.stream()
                                                    .map(e -> e.kind().displayName())
                                                    .toList()))
                            + " only"
                            + (kind == EngineKind.PODMAN ? " (install and start it: bash scripts/engine.sh)" : "");
            System.err.println("*** " + line + " ***");
            if (ci()) {
                throw new AssertionError(line + " (CI=true: both engines are required)");
            }
        });
        if (all.isEmpty()) {
            Assumptions.abort("NO CONTAINER ENGINE: neither Docker nor Podman answers");
        }
        return all.stream().map(e -> Named.of(e.describe(), e)).toList();
    }

    /** The engine of one kind among {@link #engines()}, or the test is skipped (a failure with CI=true). */
    public static Engine engine(EngineKind kind) {
        return engines().stream()
                .map(Named::getPayload)
                .filter(e -> e.kind() == kind)
                .findFirst()
                .orElseGet(() -> {
                    Assumptions.abort(kind.displayName() + " is not on this machine");
                    return null;
                });
    }

    private static List<String> endpoints(String... candidates) {
        List<String> out = new ArrayList<>();
        for (String c : candidates) {
            if (c != null && !c.isBlank() && !out.contains(c.trim())) {
                out.add(c.trim());
            }
        }
        return out;
    }

    private static void connect(EngineKind kind, List<String> endpoints) {
        List<String> tried = new ArrayList<>();
        for (String endpoint : endpoints) {
            if (endpoint.startsWith("unix://") && !Files.exists(Path.of(endpoint.substring("unix://".length())))) {
                tried.add(endpoint + ": no such socket");
                continue;
            }
            if (all.stream().anyMatch(e -> Objects.equals(e.endpoint(), endpoint))) {
                continue;
            }
            Engine engine;
            try {
                engine = new EngineDiscovery().connect(endpoint);
            } catch (RuntimeException e) {
                tried.add(endpoint + ": " + e.getMessage());
                continue;
            }
            if (engine.kind() != kind) {
                tried.add(endpoint + ": answered as " + engine.describe());
                engine.close();
                continue;
            }
            all.add(engine);
            return;
        }
        absent.put(kind, String.join("; ", tried));
    }
}
