package io.github.e2ekit.e2e.testbed.kube;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The nodes of the fake cluster and the images their container runtime holds.
 *
 * <p>{@link FakeKubernetes} schedules pods onto {@link #nodes()} and asks {@link #imageId} whether a
 * container's image is present on the node the pod landed on.
 */
public interface NodeImages {

    /** Names of the cluster's nodes (at least one), e.g. {@code kind-control-plane}. */
    List<String> nodes();

    /**
     * The image's config digest ({@code sha256:…}) as the container runtime of {@code node} knows it, or empty
     * when the node does not hold the image. {@code imageRef} is the reference as written in the pod spec (for
     * example {@code busybox:1} or {@code localhost/x/y:tag}); compare it after {@link #normalize(String)}.
     */
    Optional<String> imageId(String node, String imageRef);

    /**
     * The image a container of {@code imageRef} runs, with every name the node's containerd gives that image
     * ({@link CriImage}: what the kubelet reports as {@code image} and {@code imageID}). Default: the image known
     * only by the pod spec's name.
     */
    default Optional<CriImage> criImage(String node, String imageRef) {
        return imageId(node, imageRef).map(id -> CriImage.of(id, List.of(normalize(imageRef))));
    }

    /**
     * Pulls a missing image onto {@code node} the way a kubelet would, where this test bed can (a registry on
     * loopback, reached through the node's certs.d mirror as on kind); true when the node then holds it under
     * {@code imageRef}. Default: nodes cannot pull, like kind nodes without registry access.
     */
    default boolean pull(String node, String imageRef) {
        return false;
    }

    /**
     * Why the last {@link #pull} of {@code imageRef} onto {@code node} failed, in the container runtime's words, when
     * this implementation knows better than the kubelet's default message (a registry it could not resolve).
     */
    default Optional<String> pullFailure(String node, String imageRef) {
        return Optional.empty();
    }

    /**
     * Normalises an image reference the way containerd does: a name without registry gets
     * {@code docker.io/}, a single-segment Docker Hub name gets {@code library/}, and a reference without tag or
     * digest gets {@code :latest}. {@code busybox:1} and {@code docker.io/library/busybox:1} both become
     * {@code docker.io/library/busybox:1}.
     */
    static String normalize(String imageRef) {
        String ref = imageRef.trim();
        String digest = "";
        int at = ref.indexOf('@');
        if (at >= 0) {
            digest = ref.substring(at);
            ref = ref.substring(0, at);
        }
        int slash = ref.indexOf('/');
        String first = slash < 0 ? "" : ref.substring(0, slash);
        boolean hasRegistry = slash >= 0
                && (first.contains(".")
                        || first.contains(":")
                        || first.equals("localhost")
                        || !first.equals(first.toLowerCase(Locale.ROOT)));
        if (!hasRegistry) {
            ref = "docker.io/" + ref;
        }
        if (ref.startsWith("docker.io/") && ref.indexOf('/', "docker.io/".length()) < 0) {
            ref = "docker.io/library/" + ref.substring("docker.io/".length());
        }
        int lastSlash = ref.lastIndexOf('/');
        boolean hasTag = ref.indexOf(':', lastSlash + 1) >= 0;
        if (!hasTag && digest.isEmpty()) {
            ref = ref + ":latest";
        }
        return ref + digest;
    }

    /** Whether a reference names no tag (and no digest) or the {@code latest} tag. */
    static boolean isLatest(String imageRef) {
        String ref = imageRef.trim();
        if (ref.contains("@")) {
            return false;
        }
        int lastSlash = ref.lastIndexOf('/');
        int colon = ref.indexOf(':', lastSlash + 1);
        return colon < 0 || ref.substring(colon + 1).equals("latest");
    }
}
