package io.github.e2ekit.e2e.image;

/** What {@code build} did for one image. */
public record BuildResult(String id, String reference, String imageId, Outcome outcome, double seconds) {
    public enum Outcome { BUILT, UP_TO_DATE, REBUILT_WITHOUT_CACHE }
}
