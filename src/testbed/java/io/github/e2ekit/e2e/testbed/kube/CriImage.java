package io.github.e2ekit.e2e.testbed.kube;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One image as containerd's CRI plugin holds it, and what a kubelet reports for a container of it.
 *
 * <p>containerd {@code internal/cri/store/image/image.go}: an image is keyed by its config digest (the
 * node platform's config, for an index) and carries every name in the {@code k8s.io} namespace that
 * resolves to it ({@code References}), kept sorted with distribution/reference {@code Sort} (the store's
 * {@code add} merges and sorts). containerd {@code internal/cri/server/container_status.go}
 * ({@code ContainerStatus}) splits them with {@code util.ParseImageReferences}
 * ({@code internal/cri/util/references.go}: digested names are repo digests, other tagged names repo tags,
 * bare digests neither) and reports {@code ImageRef = repoDigests[0]} (else the config digest the container
 * was created from) and {@code Image = repoTags[0]} (else the image spec the kubelet created it with,
 * which is the image ID: kubelet {@code kuberuntime_container.go} passes the ref {@code EnsureImageExists}
 * returned). The kubelet copies both unchanged (kubernetes {@code pkg/kubelet/kuberuntime/kuberuntime_container.go}
 * {@code toKubeContainerStatus}: {@code Image: status.Image.Image, ImageID: status.ImageRef}; then
 * {@code pkg/kubelet/kubelet_pods.go} {@code convertToAPIContainerStatuses}); no {@code docker-pullable://}
 * prefix: that was dockershim's.
 *
 * @param id the config digest ({@code sha256:…})
 * @param references every name of the image, sorted as the CRI store keeps them (normalised)
 */
public record CriImage(String id, List<String> references) {
    private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}");
    private static final Pattern PATH =
            Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*" + "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    public CriImage {
        references = List.copyOf(references);
    }

    /** The CRI image of config {@code id} named by {@code names} (as {@code ctr images ls} lists them). */
    public static CriImage of(String id, Collection<String> names) {
        return new CriImage(id, sort(new LinkedHashSet<>(names)));
    }

    /** {@code util.ParseImageReferences}: names with a digest. */
    public List<String> repoDigests() {
        return references.stream()
                .map(CriImage::parse)
                .filter(r -> r != null && r.named() && r.digested())
                .map(Ref::string)
                .toList();
    }

    /** {@code util.ParseImageReferences}: names with a tag and no digest. */
    public List<String> repoTags() {
        return references.stream()
                .map(CriImage::parse)
                .filter(r -> r != null && r.named() && !r.digested() && r.tagged())
                .map(Ref::string)
                .toList();
    }

    /** {@code status.containerStatuses[].imageID}: the first repo digest, else the config digest. */
    public String imageRef() {
        List<String> digests = repoDigests();
        return digests.isEmpty() ? id : digests.get(0);
    }

    /** {@code status.containerStatuses[].image}: the first repo tag, else the image ID the container was created from. */
    public String image() {
        List<String> tags = repoTags();
        return tags.isEmpty() ? id : tags.get(0);
    }

    /**
     * distribution/reference {@code sort.go} {@code Sort}: by rank (name+tag+digest, name+tag, name+digest,
     * name, digest), then by the normalised string; names that do not parse last, sorted as given.
     */
    static List<String> sort(Collection<String> names) {
        List<Ref> parsed = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        for (String n : names) {
            Ref r = parse(n);
            if (r == null) {
                bad.add(n);
            } else {
                parsed.add(r);
            }
        }
        parsed.sort(Comparator.comparingInt(Ref::rank).thenComparing(Ref::string));
        bad.sort(Comparator.naturalOrder());
        List<String> out =
                new ArrayList<>(parsed.stream().map(Ref::string).distinct().toList());
        out.addAll(bad);
        return out;
    }

    /** A parsed reference: its normalised string and what it carries. */
    record Ref(String string, boolean named, boolean tagged, boolean digested) {
        int rank() {
            if (!named) {
                return 5;
            }
            return tagged ? (digested ? 1 : 2) : (digested ? 3 : 4);
        }
    }

    /**
     * distribution/reference {@code normalize.go} {@code ParseAnyReference}: 64 hex or {@code algo:hex} is a
     * bare digest; otherwise {@code ParseNormalizedNamed} (docker.io and library/ added, no tag added); null
     * when it does not parse.
     */
    static Ref parse(String ref) {
        if (HEX64.matcher(ref).matches()) {
            return new Ref("sha256:" + ref, false, false, true);
        }
        if (DIGEST.matcher(ref).matches()) {
            return new Ref(ref, false, false, true);
        }
        String rest = ref;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                return null;
            }
        }
        String domain;
        int slash = rest.indexOf('/');
        String first = slash < 0 ? "" : rest.substring(0, slash);
        if (slash >= 0
                && (first.contains(".")
                        || first.contains(":")
                        || first.equals("localhost")
                        || !first.equals(first.toLowerCase(java.util.Locale.ROOT)))) {
            domain = first;
            rest = rest.substring(slash + 1);
        } else {
            domain = "docker.io";
        }
        if (domain.equals("index.docker.io")) {
            domain = "docker.io";
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                return null;
            }
        }
        if (domain.equals("docker.io") && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        Matcher m = PATH.matcher(rest);
        if (!m.matches() || (domain + "/" + rest).length() > 255) {
            return null;
        }
        String s = domain + "/" + rest + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
        return new Ref(s, true, tag != null, digest != null);
    }
}
