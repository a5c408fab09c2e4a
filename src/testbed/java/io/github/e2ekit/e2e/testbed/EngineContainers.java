package io.github.e2ekit.e2e.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The containers an engine holds, for leak checks. On Podman the compat API lists only Podman's own
 * containers; a build's working containers (buildah's) show only with {@code podman ps --external},
 * which this asks for.
 */
public final class EngineContainers {
    private EngineContainers() {}

    public static int count(Engine engine) {
        return names(engine).size();
    }

    /** Names of every container (on Podman including external build containers). */
    public static Set<String> names(Engine engine) {
        Set<String> out = new HashSet<>();
        if (engine.kind() == EngineKind.PODMAN) {
            for (JsonNode c : podmanPs(engine)) {
                out.add(c.path("Names").path(0).asText(c.path("Id").asText()));
            }
            return out;
        }
        for (var c : engine.client().listContainersCmd().withShowAll(true).exec()) {
            out.add(
                    c.getNames() == null || c.getNames().length == 0
                            ? c.getId()
                            : c.getNames()[0].replaceFirst("^/", ""));
        }
        return out;
    }

    /** New containers that are not test-bed nodes (which parallel tests may start meanwhile). */
    public static Set<String> leftSince(Engine engine, Set<String> before) {
        Set<String> now = names(engine);
        now.removeAll(before);
        now.removeIf(n -> n.matches(".*-(control-plane|worker\\d*)"));
        return now;
    }

    private static JsonNode podmanPs(Engine engine) {
        try {
            Process p = new ProcessBuilder("podman", "ps", "-a", "--external", "--format", "json")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("podman ps --external failed");
            }
            return new ObjectMapper().readTree(out.isBlank() ? "[]" : out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
