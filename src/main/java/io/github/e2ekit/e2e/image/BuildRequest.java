package io.github.e2ekit.e2e.image;

import io.github.e2ekit.e2e.source.BuildContext;
import java.util.Map;

/**
 * One image to build: what {@link ImageBuilder#build} was asked, with the reference under the engine's name. Each
 * attempt (the API's classic builder, or BuildKit through the CLI: {@link BuildKitBuild}) builds from it.
 */
record BuildRequest(
        ImageSpec spec,
        BuildContext context,
        String reference,
        String digest,
        Map<String, String> labels,
        BuildOptions options) {}
