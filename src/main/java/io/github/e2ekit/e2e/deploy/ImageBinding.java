package io.github.e2ekit.e2e.deploy;

/**
 * A configured image and the reference this run decided for it: manifests naming the repository get
 * {@link #reference}. A loaded image ({@code pushedDigest} null) is in the nodes already and cannot be
 * pulled; a pushed one ({@code load.mode=registry}) is named {@code <registry>/<name>:<tag>@sha256:…} and
 * pulled by the cluster, whose kubelet may then report the registry's manifest digest as the image ID.
 */
public record ImageBinding(
        String id, String repository, String reference, String digest, String imageId, String pushedDigest) {

    /** A binding for an image loaded into the nodes. */
    public ImageBinding(String id, String repository, String reference, String digest, String imageId) {
        this(id, repository, reference, digest, imageId, null);
    }

    public boolean pulled() {
        return pushedDigest != null;
    }
}
