package io.github.e2ekit.e2e.tag;

/** The values a tag template can use for one image. {@code git} is null outside a git work tree. */
public record TagValues(String service, String digest, String run, String timestamp, String git, String version) {}
