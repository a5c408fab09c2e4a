package io.github.e2ekit.e2e.deploy;

import io.github.e2ekit.e2e.image.ImageReference;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Proves freshness end to end: every running container of a built image reports the image ID
 * this run built and loaded. Otherwise: {@code STALE: pod p runs <id>, this run built <id>}.
 */
public final class FreshnessCheck {
    private final KubeApi api;

    public FreshnessCheck(KubeApi api) {
        this.api = api;
    }

    /** What was checked for one image: how many pods run it. */
    public record Fresh(ImageBinding image, int pods) {
    }

    public List<Fresh> check(String namespace, List<ImageBinding> images) {
        List<V1Pod> pods;
        try {
            pods = new CoreV1Api(api.client()).listNamespacedPod(namespace).execute().getItems();
        } catch (ApiException e) {
            throw new DeployException("cannot list pods in " + namespace + " for the freshness check: HTTP " + e.getCode());
        }
        return check(pods, images);
    }

    /**
     * A container counts as running an image by what its pod's spec names (the reference the plugin
     * wrote), not by the name the kubelet reports: a kubelet that pulled {@code name:tag@sha256:…}
     * may report {@code name@sha256:<other>} or a bare ID, and such a pod must be judged, not skipped.
     */
    static List<Fresh> check(List<V1Pod> pods, List<ImageBinding> images) {
        List<Fresh> out = new ArrayList<>();
        for (ImageBinding b : images) {
            int count = 0;
            for (V1Pod p : pods) {
                if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null
                        || p.getMetadata().getDeletionTimestamp() != null) {
                    continue;
                }
                boolean runsIt = false;
                Map<String, String> specImages = specImages(p);
                for (V1ContainerStatus cs : p.getStatus().getContainerStatuses()) {
                    String image = specImages.getOrDefault(cs.getName(), cs.getImage());
                    if (image == null || !sameImage(image, b.reference())) {
                        continue;
                    }
                    if (cs.getState() == null || cs.getState().getRunning() == null) {
                        continue;
                    }
                    runsIt = true;
                    if (!matches(cs.getImageID(), b.imageId()) && !matches(cs.getImageID(), b.pushedDigest())) {
                        throw new DeployException("STALE: pod " + p.getMetadata().getName() + " runs " + cs.getImageID()
                                + ", this run built " + b.imageId() + " for " + b.reference());
                    }
                }
                if (runsIt) {
                    count++;
                }
            }
            out.add(new Fresh(b, count));
        }
        return out;
    }

    private static Map<String, String> specImages(V1Pod pod) {
        Map<String, String> out = new HashMap<>();
        if (pod.getSpec() != null) {
            for (V1Container c : pod.getSpec().getContainers()) {
                out.put(c.getName(), c.getImage());
            }
        }
        return out;
    }

    /** Same repository and tag; a digest either side carries ({@code name:tag@sha256:…}) is ignored here. */
    static boolean sameImage(String a, String b) {
        try {
            ImageReference x = ImageReference.parse(withoutDigest(a));
            ImageReference y = ImageReference.parse(withoutDigest(b));
            return x.equals(y) || (a.contains("@") || b.contains("@"))
                    && ImageReference.sameRepository(x.repository(), y.repository())
                    && (x.tag() == null || y.tag() == null) && digestOf(a).equals(digestOf(b));
        } catch (IllegalArgumentException e) {
            return a.equals(b);
        }
    }

    private static String withoutDigest(String ref) {
        int at = ref.indexOf('@');
        return at < 0 ? ref : ref.substring(0, at);
    }

    private static String digestOf(String ref) {
        int at = ref.indexOf('@');
        return at < 0 ? "" : ref.substring(at + 1);
    }

    /** The kubelet reports the image ID ({@code sha256:<id>}), possibly as {@code name@sha256:<id>}. */
    static boolean matches(String reported, String imageId) {
        if (reported == null || imageId == null) {
            return false;
        }
        String want = imageId.startsWith("sha256:") ? imageId.substring(7) : imageId;
        return reported.endsWith(want);
    }
}
