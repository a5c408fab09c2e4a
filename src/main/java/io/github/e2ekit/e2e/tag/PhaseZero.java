package io.github.e2ekit.e2e.tag;

import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.image.ImageSpec;
import io.github.e2ekit.e2e.source.BuildContext;
import io.github.e2ekit.e2e.source.BuildContextException;
import io.github.e2ekit.e2e.source.SourceDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Decides, once per image per run and before anything is built, the tag every later step uses:
 * walks each build context, computes its source digest and renders the tag template with the run's
 * {@code service}, {@code run} id and project {@code version} and the time {@code clock} tells.
 */
public record PhaseZero(String service, String run, String version, TagTemplate template, Clock clock) {
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new random run id: 8 hex digits. */
    public static String newRunId() {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Decides every image's tag; a context that cannot be read fails with the image's id in the message. */
    public List<TagDecision> decide(List<ImageSpec> specs) throws BuildContextException {
        String timestamp = TIMESTAMP.format(clock.instant());
        List<TagDecision> out = new ArrayList<>();
        for (ImageSpec spec : specs) {
            BuildContext context;
            String digest;
            try {
                context = BuildContext.scan(spec.context(), spec.dockerfile());
                digest = SourceDigest.compute(context, spec.target(), spec.buildArgs());
            } catch (BuildContextException e) {
                throw new BuildContextException("image '" + spec.id() + "': " + e.getMessage(), e);
            }
            String git = template.usesGit() ? GitRevision.of(spec.context()) : null;
            String tag = template.render(new TagValues(service, digest, run, timestamp, git, version));
            out.add(new TagDecision(spec, ImageReference.parse(spec.name()).withTag(tag), digest, git, context));
        }
        return out;
    }
}
