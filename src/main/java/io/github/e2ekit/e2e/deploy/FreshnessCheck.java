package io.github.e2ekit.e2e.deploy;

import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.ProofEntry;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Proves freshness end to end: every running container of a built image runs the image this run built.
 * On containerd a container reports as {@code imageID} the image's first repo digest
 * ({@code docker.io/library/import-<date>@sha256:<manifest>} for an image kind or this plugin loaded,
 * {@code <registry>/<name>@sha256:<manifest>} for a pulled one) and the config digest only when the image has
 * no digest name (containerd {@code internal/cri/server/container_status.go}); so a reported digest is
 * accepted when it is the built image ID, the manifest digest this run pushed (registry mode), or a digest
 * whose config — read on the pod's node ({@link NodeDigests}) — is the built image ID. Otherwise:
 * {@code STALE: pod p runs <imageID> (<what it is>), this run built <id>}.
 */
public final class FreshnessCheck {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private final KubeApi api;
    private final NodeDigests nodes;
    private Consumer<List<ProofEntry>> proofs = p -> {};

    public FreshnessCheck(KubeApi api) {
        this(api, NodeDigests.NONE);
    }

    public FreshnessCheck(KubeApi api, NodeDigests nodes) {
        this.api = api;
        this.nodes = nodes;
    }

    /** Every container's proof (fresh ones, and the stale one that fails the check) goes into the run's ledger. */
    public FreshnessCheck recordingProofs(Ledger ledger) {
        this.proofs = p -> ledger.facts().proofs(p);
        return this;
    }

    /** What was checked for one image: how many pods run it. */
    public record Fresh(ImageBinding image, int pods) {}

    public List<Fresh> check(String namespace, List<ImageBinding> images) {
        List<V1Pod> pods = api.listPods(namespace, null);
        List<ProofEntry> made = new ArrayList<>();
        try {
            return check(pods, images, nodes, made);
        } finally {
            proofs.accept(made);
        }
    }

    static List<Fresh> check(List<V1Pod> pods, List<ImageBinding> images) {
        return check(pods, images, NodeDigests.NONE);
    }

    static List<Fresh> check(List<V1Pod> pods, List<ImageBinding> images, NodeDigests nodes) {
        return check(pods, images, nodes, new ArrayList<>());
    }

    /** One running container of a built image, and what its kubelet reports. */
    private record Running(V1Pod pod, String container, String node, String reported, ImageBinding image) {
        String podName() {
            return pod.getMetadata().getName();
        }
    }

    /**
     * A container counts as running an image by what its pod's spec names (the reference the plugin
     * wrote), not by the name the kubelet reports: a kubelet that pulled {@code name:tag@sha256:…}
     * may report {@code name@sha256:<other>} or a bare ID, and such a pod must be judged, not skipped.
     * Digests that need the node are resolved once per node, all together.
     */
    static List<Fresh> check(List<V1Pod> pods, List<ImageBinding> images, NodeDigests nodes, List<ProofEntry> proofs) {
        List<Fresh> out = new ArrayList<>();
        List<Running> toResolve = new ArrayList<>();
        for (ImageBinding b : images) {
            int count = 0;
            for (V1Pod p : pods) {
                if (p.getStatus() == null
                        || p.getStatus().getContainerStatuses() == null
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
                    String reported = cs.getImageID();
                    String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
                    Running r = new Running(p, cs.getName(), node, reported, b);
                    if (matches(reported, b.imageId())) {
                        proofs.add(proof(r, b.imageId(), true, "the image ID"));
                        continue;
                    }
                    if (matches(reported, b.pushedDigest())) {
                        proofs.add(proof(r, b.imageId(), true, "the manifest digest this run pushed"));
                        continue;
                    }
                    if (digestOf(reported) == null) {
                        throw stale(r, null, "no image digest", proofs);
                    }
                    if (!reported.contains("@")) {
                        // containerd reports a bare digest only for an image without digest names: its config
                        throw stale(r, digestOf(reported), "an image ID", proofs);
                    }
                    if (node == null) {
                        throw stale(r, null, "on no node", proofs);
                    }
                    toResolve.add(r);
                }
                if (runsIt) {
                    count++;
                }
            }
            out.add(new Fresh(b, count));
        }
        judgeOnNodes(toResolve, nodes, proofs);
        return out;
    }

    /** Reads each node once for every digest its pods report; throws for the first container of another image. */
    private static void judgeOnNodes(List<Running> running, NodeDigests nodes, List<ProofEntry> proofs) {
        Map<String, Set<String>> byNode = new LinkedHashMap<>();
        for (Running r : running) {
            byNode.computeIfAbsent(r.node(), n -> new LinkedHashSet<>()).add(digestOf(r.reported()));
        }
        Map<String, Map<String, NodeDigests.Resolution>> resolved = new HashMap<>();
        byNode.forEach((node, digests) -> resolved.put(node, nodes.resolve(node, digests)));
        for (Running r : running) {
            String digest = digestOf(r.reported());
            NodeDigests.Resolution res = resolved.get(r.node()).get(digest);
            if (res == null || res.configDigest() == null) {
                throw stale(
                        r,
                        null,
                        "which cannot be resolved on node " + r.node() + ": "
                                + (res == null ? "not answered" : res.problem()),
                        proofs);
            }
            if (!sameDigest(res.configDigest(), r.image().imageId())) {
                throw stale(r, res.configDigest(), "image " + res.configDigest() + " on node " + r.node(), proofs);
            }
            proofs.add(proof(r, res.configDigest(), true, "resolved on node " + r.node()));
        }
    }

    private static DeployException stale(Running r, String resolved, String what, List<ProofEntry> proofs) {
        proofs.add(proof(r, resolved, false, what));
        ImageBinding b = r.image();
        return new DeployException("STALE: pod " + r.podName() + " runs " + r.reported() + " (" + what
                + "), this run built " + b.imageId() + " for " + b.reference());
    }

    private static ProofEntry proof(Running r, String resolved, boolean fresh, String how) {
        ProofEntry p = new ProofEntry();
        p.image = r.image().id();
        p.reference = r.image().reference();
        p.namespace = r.pod().getMetadata().getNamespace();
        p.pod = r.podName();
        p.container = r.container();
        p.node = r.node();
        p.reported = r.reported();
        p.resolved = resolved;
        p.expected = r.image().imageId();
        p.verdict = fresh ? ProofEntry.FRESH : ProofEntry.STALE;
        p.how = how;
        return p;
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
            return x.equals(y)
                    || (a.contains("@") || b.contains("@"))
                            && ImageReference.sameRepository(x.repository(), y.repository())
                            && (x.tag() == null || y.tag() == null)
                            && pinnedDigest(a).equals(pinnedDigest(b));
        } catch (IllegalArgumentException e) {
            return a.equals(b);
        }
    }

    private static String withoutDigest(String ref) {
        int at = ref.indexOf('@');
        return at < 0 ? ref : ref.substring(0, at);
    }

    private static String pinnedDigest(String ref) {
        int at = ref.indexOf('@');
        return at < 0 ? "" : ref.substring(at + 1);
    }

    /**
     * The digest in what a kubelet reports: {@code sha256:<hex>} alone, or after the last {@code @} of a repo
     * digest ({@code name@sha256:…}, also dockershim's {@code docker-pullable://name@sha256:…}); null if none.
     */
    static String digestOf(String reported) {
        if (reported == null) {
            return null;
        }
        String d = reported.substring(reported.lastIndexOf('@') + 1);
        return DIGEST.matcher(d).matches() ? d : null;
    }

    /** Whether the kubelet's {@code reported} image names exactly {@code digest} (an image ID or a manifest digest). */
    static boolean matches(String reported, String digest) {
        String d = digestOf(reported);
        return d != null && digest != null && sameDigest(d, digest);
    }

    private static boolean sameDigest(String a, String b) {
        return strip(a).equals(strip(b));
    }

    private static String strip(String digest) {
        return digest.startsWith("sha256:") ? digest.substring(7) : digest;
    }
}
