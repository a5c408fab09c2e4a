package io.github.e2ekit.e2e.deploy;

import io.github.e2ekit.e2e.image.ImageReference;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import java.util.ArrayList;
import java.util.List;

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
        List<Fresh> out = new ArrayList<>();
        for (ImageBinding b : images) {
            int count = 0;
            for (V1Pod p : pods) {
                if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null
                        || p.getMetadata().getDeletionTimestamp() != null) {
                    continue;
                }
                boolean runsIt = false;
                for (V1ContainerStatus cs : p.getStatus().getContainerStatuses()) {
                    if (cs.getImage() == null || !sameImage(cs.getImage(), b.reference())) {
                        continue;
                    }
                    if (cs.getState() == null || cs.getState().getRunning() == null) {
                        continue;
                    }
                    runsIt = true;
                    if (!matches(cs.getImageID(), b.imageId())) {
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

    static boolean sameImage(String a, String b) {
        try {
            return ImageReference.parse(a).equals(ImageReference.parse(b));
        } catch (IllegalArgumentException e) {
            return a.equals(b);
        }
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
