package io.github.e2ekit.e2e.image;

import java.util.Map;

/**
 * One container of an engine's container list, in engine-neutral terms.
 *
 * @param id the container ID
 * @param name its name without the leading {@code /} the API gives it (the short ID when it has none)
 * @param labels its labels (never null)
 */
public record ContainerSummary(String id, String name, Map<String, String> labels) {
    public ContainerSummary {
        labels = Map.copyOf(labels);
    }
}
