package io.github.e2ekit.e2e.teardown;

import io.github.e2ekit.e2e.deploy.Deletions;
import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.deploy.KubeApiException;
import io.github.e2ekit.e2e.deploy.ManifestRenderer;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageLabels;
import io.github.e2ekit.e2e.image.ImageSummary;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.KindNodes;
import io.github.e2ekit.e2e.kind.NodeImageStore;
import io.kubernetes.client.Discovery;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesListObject;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.ListOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes what crashed runs left behind ({@code kill -9}): plugin-labelled namespaces,
 * cluster-scoped objects, node images and local images whose {@code e2ekit.io/expires} has passed.
 * Anything without the plugin's labels is never touched.
 */
public final class Reaper {
    private static final Set<String> NEVER = Set.of("Namespace", "Node", "ComponentStatus");
    private final Engine engine;
    private final KubeApi kube;
    private final Instant now;
    private Duration namespaceWait = Duration.ofSeconds(60);

    public Reaper(Engine engine, KubeApi kube, Instant now) {
        this.engine = engine;
        this.kube = kube;
        this.now = now;
    }

    /** How long deleted namespaces are waited for, together (default 60 s). */
    public Reaper withNamespaceWait(Duration wait) {
        this.namespaceWait = wait;
        return this;
    }

    /** Lists (and unless {@code dryRun}, removes) expired leftovers; returns one line per thing. */
    public TeardownReport reap(String cluster, boolean dryRun) {
        TeardownReport report = new TeardownReport();
        if (kube != null) {
            namespaces(dryRun, report);
            clusterScoped(dryRun, report);
        }
        if (cluster != null) {
            nodeImages(cluster, dryRun, report);
        }
        localImages(dryRun, report);
        return report;
    }

    boolean expired(String value) {
        if (value == null) {
            return false;
        }
        try {
            return Instant.parse(value).isBefore(now);
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /**
     * Expired plugin-labelled namespaces: all are deleted first, then each is waited for (bounded, shared) and
     * reported removed only once gone; one that stays Terminating is reported with what holds it, and the
     * others go on regardless.
     */
    void namespaces(boolean dryRun, TeardownReport report) {
        List<V1Namespace> expired = new ArrayList<>();
        try {
            for (V1Namespace ns : kube.listNamespaces(ManifestRenderer.MANAGED_BY + "=" + ManifestRenderer.MANAGER)) {
                Map<String, String> ann = ns.getMetadata().getAnnotations();
                if (ann != null && expired(ann.get(ManifestRenderer.EXPIRES))) {
                    expired.add(ns);
                }
            }
        } catch (KubeApiException e) {
            report.failed("namespaces: " + e.getMessage());
            return;
        }
        Deletions deletions = new Deletions(kube);
        List<V1Namespace> sent = new ArrayList<>();
        for (V1Namespace ns : expired) {
            String name = ns.getMetadata().getName();
            if (dryRun) {
                report.removed("namespace " + name);
                continue;
            }
            try {
                if (deletions.delete(
                                "v1", "Namespace", null, name, ns.getMetadata().getUid(), "Background")
                        == Deletions.Sent.ACCEPTED) {
                    sent.add(ns);
                }
            } catch (RuntimeException e) {
                report.failed("namespace " + name + ": " + e.getMessage());
            }
        }
        long deadline = System.nanoTime() + namespaceWait.toNanos();
        for (V1Namespace ns : sent) {
            String name = ns.getMetadata().getName();
            try {
                String stuck = deletions.awaitGone(
                        "v1",
                        "Namespace",
                        null,
                        name,
                        ns.getMetadata().getUid(),
                        Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0)),
                        namespaceWait);
                if (stuck == null) {
                    report.removed("namespace " + name);
                } else {
                    report.failed(stuck);
                }
            } catch (RuntimeException e) {
                report.failed("namespace " + name + ": " + e.getMessage());
            }
        }
    }

    private void clusterScoped(boolean dryRun, TeardownReport report) {
        List<Discovery.APIResource> resources;
        try {
            resources = new ArrayList<>(kube.discoverAll());
        } catch (KubeApiException e) {
            report.failed("discovery: " + e.getMessage());
            return;
        }
        ListOptions options = new ListOptions();
        options.setLabelSelector(ManifestRenderer.MANAGED_BY + "=" + ManifestRenderer.MANAGER);
        for (Discovery.APIResource r : resources) {
            if (Boolean.TRUE.equals(r.getNamespaced()) || NEVER.contains(r.getKind())) {
                continue;
            }
            var api = kube.api(r, r.getPreferredVersion());
            KubernetesApiResponse<DynamicKubernetesListObject> list;
            try {
                list = kube.call("list " + r.getResourcePlural(), () -> api.list(options));
            } catch (KubeApiException e) {
                report.failed(e.getMessage());
                continue;
            }
            if (!list.isSuccess() || list.getObject() == null) {
                continue;
            }
            for (var o : list.getObject().getItems()) {
                Map<String, String> ann = o.getMetadata().getAnnotations();
                if (ann != null && expired(ann.get(ManifestRenderer.EXPIRES))) {
                    if (!dryRun) {
                        KubernetesApiResponse<DynamicKubernetesObject> resp;
                        try {
                            resp = kube.call(
                                    "delete " + r.getKind() + "/"
                                            + o.getMetadata().getName(),
                                    () -> api.delete(o.getMetadata().getName()));
                        } catch (KubeApiException e) {
                            report.failed(e.getMessage());
                            continue;
                        }
                        if (!resp.isSuccess() && resp.getHttpStatusCode() != 404) {
                            report.failed(r.getKind() + " " + o.getMetadata().getName() + ": HTTP "
                                    + resp.getHttpStatusCode());
                            continue;
                        }
                        // finalizers keep a deleted object: report it removed only once it is gone
                        String apiVersion = r.getGroup().isEmpty()
                                ? r.getPreferredVersion()
                                : r.getGroup() + "/" + r.getPreferredVersion();
                        String stuck = resp.isSuccess()
                                ? new Deletions(kube)
                                        .awaitGone(
                                                apiVersion,
                                                r.getKind(),
                                                null,
                                                o.getMetadata().getName(),
                                                o.getMetadata().getUid(),
                                                Duration.ofSeconds(10))
                                : null;
                        if (stuck != null) {
                            report.failed(stuck);
                            continue;
                        }
                    }
                    report.removed(r.getKind() + " " + o.getMetadata().getName());
                }
            }
        }
    }

    private void nodeImages(String cluster, boolean dryRun, TeardownReport report) {
        for (KindNode node : KindNodes.list(engine, cluster)) {
            NodeImageStore store = new NodeImageStore(engine, node);
            List<String> expired = new ArrayList<>();
            store.labels().forEach((ref, labels) -> {
                if (expired(labels.get(ImageLabels.EXPIRES))) {
                    expired.add(ref);
                }
            });
            if (!expired.isEmpty()) {
                if (!dryRun) {
                    store.remove(expired);
                }
                expired.forEach(ref -> report.removed("node image " + ref + " in " + node.name()));
            }
        }
    }

    private void localImages(boolean dryRun, TeardownReport report) {
        for (ImageSummary image : engine.imagesWithLabel(ImageLabels.EXPIRES)) {
            if (!expired(image.labels().get(ImageLabels.EXPIRES))) {
                continue;
            }
            for (String tag : image.repoTags()) {
                if (tag.endsWith(":<none>")) {
                    continue;
                }
                try {
                    if (!dryRun && !engine.removeImage(tag)) {
                        continue; // gone meanwhile
                    }
                    report.removed("image " + tag);
                } catch (RuntimeException e) {
                    report.failed("image " + tag + ": " + e.getMessage());
                }
            }
        }
    }
}
