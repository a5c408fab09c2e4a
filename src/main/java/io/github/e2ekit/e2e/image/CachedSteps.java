package io.github.e2ekit.e2e.image;

import java.util.ArrayList;
import java.util.List;

/**
 * The steps one build took from the engine's build cache and, with the classic builder, the layers they gave: what a
 * retry without the cache is decided on, and what its warning names for removal.
 */
final class CachedSteps {
    final List<String> steps = new ArrayList<>();
    final List<String> layers = new ArrayList<>();
    private boolean lastWasHit;

    /** A step taken from the cache (BuildKit's {@code #5 CACHED}). */
    void hit(String step) {
        steps.add(step);
    }

    /**
     * A classic builder's line while {@code step} runs: {@code cacheHit} ({@code ---> Using cache}) records the step,
     * the {@code ---> <layer>} line after it the layer.
     */
    void classicLine(String line, String step, boolean cacheHit) {
        if (cacheHit && step != null) {
            hit(step);
            lastWasHit = true;
        } else if (lastWasHit && line.trim().startsWith("---> ")) {
            layers.add(line.trim().substring(5).trim());
            lastWasHit = false;
        }
    }
}
