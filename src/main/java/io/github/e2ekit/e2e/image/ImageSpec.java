package io.github.e2ekit.e2e.image;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One image a service needs, as configured: its id (the key for properties and manifests), its
 * repository name, build context, Dockerfile, optional target stage and build args.
 */
public record ImageSpec(
        String id, String name, Path context, Path dockerfile, String target, Map<String, String> buildArgs) {
    public ImageSpec {
        buildArgs = buildArgs == null ? Map.of() : Collections.unmodifiableSortedMap(new TreeMap<>(buildArgs));
    }
}
