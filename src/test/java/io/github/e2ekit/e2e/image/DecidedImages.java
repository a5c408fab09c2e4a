package io.github.e2ekit.e2e.image;

import io.github.e2ekit.e2e.tag.PhaseZero;
import io.github.e2ekit.e2e.tag.TagDecision;
import io.github.e2ekit.e2e.tag.TagTemplate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The images a build test decided (Phase 0 of service {@code svc}, version 1.0, in one run), built as the plugin's
 * build asks and removed after the test.
 */
public final class DecidedImages {
    private final String run;
    private final List<String> references = new ArrayList<>();

    public DecidedImages(String run) {
        this.run = run;
    }

    /** Phase 0's decision for {@code spec}; its reference is removed by {@link #remove}. */
    public TagDecision decide(ImageSpec spec) throws Exception {
        TagDecision d = new PhaseZero("svc", run, "1.0", new TagTemplate(null), Clock.systemUTC())
                .decide(List.of(spec))
                .get(0);
        references.add(d.reference().toString());
        return d;
    }

    /** The labels the plugin's build gives {@code d}'s image: its source digest and this run. */
    public Map<String, String> labels(TagDecision d) {
        return Map.of(ImageLabels.SOURCE_DIGEST, d.digest(), ImageLabels.RUN, run);
    }

    /** Builds {@code d}'s image with {@code builder} under {@link #labels}, its output lines added to {@code lines}. */
    public BuildResult build(ImageBuilder builder, TagDecision d, BuildOptions options, List<String> lines) {
        return build(builder, d, labels(d), options, (id, line) -> lines.add(line));
    }

    /** Builds {@code d}'s image (its context, under its reference and digest) with {@code builder}. */
    public static BuildResult build(
            ImageBuilder builder,
            TagDecision d,
            Map<String, String> labels,
            BuildOptions options,
            BuildListener listener) {
        return builder.build(d.spec(), d.context(), d.reference().toString(), d.digest(), labels, options, listener);
    }

    /** Removes the decided images (those not built are fine). */
    public void remove(Engine engine) {
        for (String ref : references) {
            try {
                engine.client()
                        .removeImageCmd(engine.storedName(ImageReference.parse(ref)))
                        .exec();
            } catch (RuntimeException e) {
                // not built
            }
        }
    }
}
