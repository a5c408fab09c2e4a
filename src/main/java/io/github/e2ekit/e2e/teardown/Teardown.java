package io.github.e2ekit.e2e.teardown;

import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageInfo;
import io.github.e2ekit.e2e.image.ImageLabels;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.image.ImageSummary;
import io.github.e2ekit.e2e.kind.ClusterLock;
import io.github.e2ekit.e2e.kind.ClusterUsers;
import io.github.e2ekit.e2e.kind.KindCli;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.KindNodes;
import io.github.e2ekit.e2e.kind.NodeImageStore;
import io.github.e2ekit.e2e.ledger.ClusterEntry;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.ImageEntry;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.LedgerData;
import io.github.e2ekit.e2e.ledger.NodeImageEntry;
import io.github.e2ekit.e2e.ledger.PushEntry;
import io.github.e2ekit.e2e.work.SharedWork;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Removes exactly what the ledger says this run created, in order: node images, local images
 * (keeping the newest per image name and service unless told otherwise), then the cluster if this
 * run created it. A missing thing is not an error; one failed removal does not stop the others.
 * Each removal is marked in the ledger, so a second teardown has nothing left to do.
 */
public final class Teardown {
    private final Engine engine;
    private final Ledger ledger;

    private Path clusterUsers = ClusterLock.defaultDirectory();
    private SharedWork locks = SharedWork.none();

    public Teardown(Engine engine, Ledger ledger) {
        this.engine = engine;
        this.ledger = ledger;
    }

    /** Where cluster user lists live (tests use their own). */
    public Teardown withClusterUsers(Path directory) {
        this.clusterUsers = directory;
        return this;
    }

    /** Where work on a cluster (leaving it, deleting it) waits for other callers (default: none). */
    public Teardown withLocks(SharedWork locks) {
        this.locks = locks;
        return this;
    }

    /**
     * Removes everything; {@code kube} may be null when no cluster API is reachable (objects then stay
     * recorded and are reported as failures).
     */
    public TeardownReport run(KubeApi kube, RemoveImages removeImages, ClusterDeletion clusterDeletion, KindCli kind) {
        TeardownReport report = new TeardownReport();
        ledger.update(
                d -> d.portForwards.stream().filter(p -> p.state.live()).forEach(p -> p.state = EntryState.REMOVED));
        boolean objects = ledger.read(d -> d.objects.stream().anyMatch(o -> o.state.live() && !o.patched));
        if (objects) {
            if (kube == null) {
                report.failed("Kubernetes objects: no kubeconfig to reach the cluster");
            } else {
                new ObjectRemoval(kube, ledger).run(report);
            }
        }
        Set<String> kept = removeImages == RemoveImages.ALL_BUT_NEWEST ? newestBuiltHere() : Set.of();
        boolean clusterGoes = clusterDeletion == ClusterDeletion.ALWAYS
                || clusterDeletion == ClusterDeletion.IF_CREATED
                        && ledger.read(d -> d.cluster != null && d.cluster.state == EntryState.CREATED);
        removeNodeImages(report, clusterGoes ? Set.of() : kept);
        removePushTags(report);
        removeLocalImages(removeImages, report);
        leaveCluster(kind, clusterDeletion, report);
        return report;
    }

    /** IDs of the images this run built that are the newest of their name and service: kept with their node copies. */
    private Set<String> newestBuiltHere() {
        LedgerData snapshot = ledger.read(d -> d);
        Set<String> out = new HashSet<>();
        for (ImageEntry e : ledger.read(d -> d.images.stream()
                .filter(i -> i.state.live() && i.imageId != null)
                .toList())) {
            try {
                var inspected = inspect(e.reference);
                if (inspected != null && isNewest(e, inspected.id(), snapshot.service)) {
                    out.add(inspected.id());
                }
            } catch (RuntimeException ex) {
                // not kept: removal reports any problem
            }
        }
        return out;
    }

    private void removeNodeImages(TeardownReport report, Set<String> keptImageIds) {
        List<NodeImageEntry> live = ledger.read(
                d -> d.nodeImages.stream().filter(e -> e.state.live()).toList());
        for (NodeImageEntry e : live) {
            if (keptImageIds.contains(e.imageId)) {
                report.kept("node image " + e.reference + " in " + e.node
                        + " (newest, so the next unchanged run skips its load)");
                ledger.update(d -> e.state = EntryState.REUSED);
                continue;
            }
            try {
                KindNode node = KindNodes.list(engine, e.cluster).stream()
                        .filter(n -> n.name().equals(e.node))
                        .findFirst()
                        .orElse(null);
                if (node != null) {
                    NodeImageStore store = new NodeImageStore(engine, node);
                    Map<String, String> ids = store.imageIds();
                    List<String> refs = new ArrayList<>();
                    if (Engine.sameImageId(ids.get(e.reference), e.imageId)) {
                        refs.add(e.reference); // only if it still names what this run put there
                    }
                    for (String side : e.sideReferences) {
                        boolean stillUsedByOthers = side.startsWith("sha256:")
                                && ids.entrySet().stream()
                                        .anyMatch(x -> !x.getKey().equals(e.reference)
                                                && !e.sideReferences.contains(x.getKey())
                                                && side.equals(x.getValue()));
                        if (ids.containsKey(side) && !stillUsedByOthers) {
                            refs.add(side);
                        }
                    }
                    store.remove(refs);
                    if (!refs.isEmpty()) {
                        report.removed("node image " + e.reference + " from " + e.node);
                    }
                }
                ledger.update(d -> e.state = EntryState.REMOVED);
            } catch (RuntimeException ex) {
                report.failed("node image " + e.reference + " in " + e.node + ": " + ex.getMessage());
            }
        }
    }

    /**
     * The local {@code <registry>/<name>:<tag>} names pushes needed go (only while they still name the
     * pushed image); the pushed manifests stay in the registry, which removes them by its own retention.
     */
    private void removePushTags(TeardownReport report) {
        List<PushEntry> live =
                ledger.read(d -> d.pushes.stream().filter(e -> e.state.live()).toList());
        for (PushEntry e : live) {
            try {
                var inspected = inspect(e.reference);
                if (inspected != null
                        && Engine.sameImageId(inspected.id(), e.imageId)
                        && engine.removeImage(stored(e.reference))) { // by name: untags
                    report.removed("image tag " + e.reference);
                }
                if (e.digest != null) {
                    report.kept("pushed image " + e.pinned() + " in registry " + e.registry
                            + " (the registry's retention removes it)");
                }
                ledger.update(d -> e.state = EntryState.REMOVED);
            } catch (RuntimeException ex) {
                report.failed("image tag " + e.reference + ": " + ex.getMessage());
            }
        }
    }

    private void removeLocalImages(RemoveImages mode, TeardownReport report) {
        if (mode == RemoveImages.NONE) {
            return;
        }
        LedgerData snapshot = ledger.read(d -> d);
        List<ImageEntry> live =
                ledger.read(d -> d.images.stream().filter(e -> e.state.live()).toList());
        for (ImageEntry e : live) {
            try {
                var inspected = inspect(e.reference);
                if (inspected == null) {
                    ledger.update(d -> e.state = EntryState.REMOVED);
                    continue;
                }
                if (!Objects.equals(inspected.labels().get(ImageLabels.RUN), snapshot.run)) {
                    // not built by this run (an up-to-date image, or replaced since): never ours to remove
                    ledger.update(d -> e.state = EntryState.REUSED);
                    continue;
                }
                if (mode == RemoveImages.ALL_BUT_NEWEST && isNewest(e, inspected.id(), snapshot.service)) {
                    report.kept("image " + e.reference + " (newest of "
                            + ImageReference.parse(e.reference).repository() + " for service " + snapshot.service
                            + ", so the next unchanged run skips its build)");
                    ledger.update(d -> e.state = EntryState.REUSED);
                    continue;
                }
                if (engine.removeImage(stored(e.reference))) {
                    report.removed("image " + e.reference);
                }
                ledger.update(d -> e.state = EntryState.REMOVED);
            } catch (RuntimeException ex) {
                report.failed("image " + e.reference + ": " + ex.getMessage());
            }
        }
    }

    private boolean isNewest(ImageEntry e, String imageId, String service) {
        String repository = ImageReference.parse(stored(e.reference)).repository();
        List<ImageSummary> same =
                engine.imagesLabelled(Map.of(ImageLabels.SERVICE, service, ImageLabels.IMAGE_ID, e.id));
        return same.stream()
                .filter(i -> i.repoTags().stream()
                        .anyMatch(t -> ImageReference.sameRepository(
                                ImageReference.parse(t).repository(), repository)))
                .max(Comparator.comparingLong(ImageSummary::created))
                .map(i -> Engine.sameImageId(i.id(), imageId))
                .orElse(true);
    }

    /** The engine's own name for a reference the ledger holds (Podman: fully qualified). */
    private String stored(String reference) {
        return engine.storedName(ImageReference.parse(reference));
    }

    private ImageInfo inspect(String reference) {
        return engine.inspectImage(stored(reference)).orElse(null);
    }

    /**
     * Leaves the cluster's user list; deletes the cluster when asked to and no other run uses it, or
     * marks it for the last user to delete when others still do.
     */
    private void leaveCluster(KindCli kind, ClusterDeletion deletion, TeardownReport report) {
        var cluster = ledger.read(d -> d.cluster);
        if (cluster == null || cluster.state == EntryState.REMOVED) {
            return;
        }
        String run = ledger.read(d -> d.run);
        boolean wanted = deletion == ClusterDeletion.ALWAYS
                || deletion == ClusterDeletion.IF_CREATED && cluster.state == EntryState.CREATED;
        try {
            ClusterLock.exclusively(locks, cluster.name, ClusterLock.maxWait(kind), holder -> {}, () -> {
                leave(cluster, run, wanted, kind, report);
                return null;
            });
        } catch (RuntimeException ex) {
            report.failed("cluster " + cluster.name + ": " + ex.getMessage());
        }
    }

    /** Under the cluster's lock: leaves its user list, then deletes it or marks it for the last user. */
    private void leave(ClusterEntry cluster, String run, boolean wanted, KindCli kind, TeardownReport report) {
        ClusterUsers users = new ClusterUsers(clusterUsers, cluster.name);
        List<String> others = users.leave(run);
        if (!others.isEmpty()) {
            if (wanted) {
                users.deleteWhenUnused();
                report.kept("cluster " + cluster.name + " (still used by " + others.size() + " other run(s);"
                        + " the last one deletes it)");
            }
            ledger.update(d -> d.cluster.state = EntryState.REUSED);
            return;
        }
        if (wanted || users.deletionPending(false)) {
            kind.delete(cluster.name, Path.of(cluster.kubeconfig));
            users.deletionPending(true);
            report.removed("cluster " + cluster.name);
            ledger.update(d -> d.cluster.state = EntryState.REMOVED);
        } else {
            ledger.update(d -> d.cluster.state = EntryState.REUSED);
        }
    }
}
