package io.github.e2ekit.e2e.image;

/** What {@code build} did for one image; {@code warning} is set when something needs the user's attention. */
public record BuildResult(
        String id, String reference, String imageId, Outcome outcome, double seconds, String warning) {
    public enum Outcome {
        BUILT,
        UP_TO_DATE,
        REBUILT_WITHOUT_CACHE
    }
}
