package io.github.e2ekit.e2e.tag;

import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.image.ImageSpec;
import io.github.e2ekit.e2e.source.BuildContext;

/**
 * Phase 0's decision for one image: the reference every later step uses, the source digest it
 * stands for, and the walked build context the digest was computed from (the build sends exactly it).
 */
public record TagDecision(ImageSpec spec, ImageReference reference, String digest, String git, BuildContext context) {
    public String id() {
        return spec.id();
    }

    public String tag() {
        return reference.tag();
    }
}
