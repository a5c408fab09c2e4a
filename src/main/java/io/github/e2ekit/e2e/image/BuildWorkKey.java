package io.github.e2ekit.e2e.image;

import io.github.e2ekit.e2e.source.BuildContext;
import io.github.e2ekit.e2e.work.WorkKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The inputs that decide what an image build produces, apart from its tag and labels: the engine, the source digest
 * (context content after {@code .dockerignore}, Dockerfile, target and build args), the Dockerfile itself, the target,
 * the build args and how it is built. Builds with equal keys produce the same layers, so the second waits for the first
 * and takes them from the engine's cache ({@link io.github.e2ekit.e2e.work.SharedWork}).
 *
 * <p>Labels (service, run, expiry) and the tag are left out: each build keeps its own. The classic builder turns
 * {@code --label}s into {@code LABEL} instructions appended to the last stage (moby builder/dockerfile/builder.go
 * {@code buildLabelOptions}), so every step before them is a cache hit and only the labels make a new image ID;
 * Podman's builder (buildah) reuses the cached layers the same way ({@code SharedBuildTest} shows both).
 */
final class BuildWorkKey {
    private BuildWorkKey() {}

    static WorkKey of(Engine engine, ImageSpec spec, BuildContext context, String digest, BuildOptions options) {
        List<String> parts = new ArrayList<>(List.of(
                "image build/v1",
                engine.kind().name(),
                engine.endpoint(),
                digest,
                new String(context.dockerfileContent(), StandardCharsets.ISO_8859_1),
                context.dockerfileName(),
                String.valueOf(spec.target()),
                options.builder().name(),
                String.valueOf(options.pull()),
                String.valueOf(options.network())));
        for (Map.Entry<String, String> arg : spec.buildArgs().entrySet()) {
            parts.add(arg.getKey());
            parts.add(arg.getValue());
        }
        return WorkKey.of(
                "the build of " + context.root() + " (" + context.dockerfileName() + ", sources sha256:"
                        + digest.substring(0, Math.min(12, digest.length())) + ") on " + engine.endpoint(),
                parts);
    }
}
