package io.github.e2ekit.e2e.deploy;

/** A configured image and the reference this run decided for it: manifests naming the repository get this. */
public record ImageBinding(String id, String repository, String reference, String digest, String imageId) {
}
