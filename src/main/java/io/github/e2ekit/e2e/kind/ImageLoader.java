package io.github.e2ekit.e2e.kind;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageInfo;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.NodeImageEntry;
import io.github.e2ekit.e2e.ledger.Recorded;
import io.github.e2ekit.e2e.work.InFlight;
import io.github.e2ekit.e2e.work.SharedWork;
import io.github.e2ekit.e2e.work.WorkInterruptedException;
import io.github.e2ekit.e2e.work.WorkKey;
import io.github.e2ekit.e2e.work.WorkWaitTimeoutException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Puts the exact image into every node of a kind cluster, like {@code kind load docker-image}:
 * skips nodes that hold it, re-tags where the node holds the image under another name, and
 * otherwise reads one engine export and streams into every node that needs the image only the layers
 * that node lacks (an OCI-layout archive per node, see {@link IncrementalExport}), falling back to a
 * full import of a node when that cannot be done safely. Loads that would send the same layers into the same nodes
 * at the same time (several modules of one reactor, several builds on one machine) take turns and send them once
 * ({@link LayerSendKey}, {@link SharedWork}).
 * Records each node change in the ledger before making it (a node that already held the image as well, as present).
 */
public final class ImageLoader {
    private static final int QUEUED_CHUNKS = 16;
    /** How long a load waits for another load sending the same layers into the same nodes. */
    private static final Duration SEND_WAIT = Duration.ofMinutes(15);

    private final Engine engine;
    private final Ledger ledger;
    private final String cluster;

    private Map<String, String> nodeLabels = Map.of();
    private UnaryOperator<InputStream> exportView = UnaryOperator.identity();
    private SharedWork sharedWork = SharedWork.none();
    private InFlight imports = new InFlight();
    private Consumer<String> progress = line -> {};

    public ImageLoader(Engine engine, Ledger ledger, String cluster) {
        this.engine = engine;
        this.ledger = ledger;
        this.cluster = cluster;
    }

    /** containerd labels put on every reference this loader adds (run and expiry, for {@code reap}). */
    public ImageLoader withNodeLabels(Map<String, String> labels) {
        this.nodeLabels = Map.copyOf(labels);
        return this;
    }

    /** Where loads sending the same layers into the same nodes take turns (default: none, every load sends at once). */
    public ImageLoader withSharedWork(SharedWork work) {
        this.sharedWork = work;
        return this;
    }

    /**
     * Counts this loader's node imports while they run, recorded to confirmed and labelled: an import whose archive
     * is complete ends in the node even when this process does not, so an exit-time teardown waits for it first.
     */
    public ImageLoader withImportsInFlight(InFlight imports) {
        this.imports = imports;
        return this;
    }

    /** Receives a line when this load waits for another one (which it names). */
    public ImageLoader withProgress(Consumer<String> lines) {
        this.progress = lines;
        return this;
    }

    /**
     * Test seam: what the incremental reader parses instead of the engine's export (it is handed the
     * export's stream); full imports, also the one that falls back from an unknown layout, still get the
     * export itself.
     */
    ImageLoader exportView(UnaryOperator<InputStream> view) {
        this.exportView = view;
        return this;
    }

    /**
     * Loads {@code reference} (as the engine names it) whose image ID must be {@code imageId} into
     * {@code nodes}; verifies afterwards that every node resolves the reference to that ID.
     */
    public LoadResult load(List<KindNode> nodes, ImageReference reference, String imageId) {
        long start = System.nanoTime();
        if (nodes.isEmpty()) {
            throw new LoadException("cluster '" + cluster + "' has no nodes to load " + reference + " into");
        }
        String engineName = engine.storedName(reference);
        // by ID from here on: whatever the engine's name points at meanwhile, the nodes get this image
        ImageInfo image = imageId != null ? inspectBuilt(imageId, engineName) : inspect(engineName);
        String localId = image.id();
        String nodeRef = engine.nodeName(reference);
        List<NodeImageStore> stores =
                nodes.stream().map(n -> new NodeImageStore(engine, n)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(stores.size() * 3 + 2);
        try {
            List<NodeImageStore.Snapshot> before = snapshots(pool, stores);
            List<NodeLoad> results = new ArrayList<>();
            List<NodeImport> toImport = new ArrayList<>();
            for (int i = 0; i < stores.size(); i++) {
                NodeImageStore store = stores.get(i);
                Map<String, String> ids = before.get(i).imageIds();
                if (Engine.sameImageId(ids.get(nodeRef), localId)) {
                    ledger.nodeImages().present(cluster, store.node().name(), nodeRef, localId);
                    results.add(new NodeLoad(store.node(), NodeLoad.Action.ALREADY_PRESENT, List.of()));
                    continue;
                }
                String other = ids.entrySet().stream()
                        .filter(e -> Engine.sameImageId(e.getValue(), localId)
                                && !e.getKey().startsWith("sha256:"))
                        .map(Map.Entry::getKey)
                        .sorted()
                        .findFirst()
                        .orElse(null);
                if (other != null) {
                    Recorded<NodeImageEntry> entry =
                            ledger.nodeImages().intend(cluster, store.node().name(), nodeRef, localId, "retagged");
                    store.tag(other, nodeRef);
                    store.label(nodeRef, nodeLabels);
                    entry.confirm();
                    results.add(new NodeLoad(store.node(), NodeLoad.Action.RETAGGED, List.of()));
                } else {
                    toImport.add(new NodeImport(store, before.get(i)));
                }
            }
            long bytes = toImport.isEmpty()
                    ? 0
                    : importInto(toImport, new Load(pool, engineName, image, nodeRef), localId, results);
            // nodes that already held it were verified by the first read; re-tagged ones are read again
            List<NodeImageStore> retagged = results.stream()
                    .filter(r -> r.action() == NodeLoad.Action.RETAGGED)
                    .map(r -> stores.get(nodes.indexOf(r.node())))
                    .toList();
            verify(pool, retagged, nodeRef, localId);
            results.sort(Comparator.comparing(r -> nodes.indexOf(r.node())));
            return new LoadResult(nodeRef, localId, results, bytes, (System.nanoTime() - start) / 1e9);
        } catch (
                NodeCommandException e) { // a node that cannot be read or changed (stopped, killed, its engine failing)
            String said = e.getMessage();
            for (KindNode n : nodes) {
                if (!e.node().isEmpty() && n.containerId().startsWith(e.node())) {
                    said = said.replaceFirst("^node " + Pattern.quote(e.node()), "node " + n.name());
                }
            }
            throw new LoadException("loading " + engineName + " into cluster '" + cluster + "' failed: " + said, e);
        } finally {
            pool.shutdownNow();
        }
    }

    private ImageInfo inspectBuilt(String imageId, String engineName) {
        ImageInfo found = engine.inspectImage(imageId).orElse(null);
        if (found != null && Engine.sameImageId(found.id(), imageId)) {
            return found;
        }
        throw new LoadException("image " + imageId + ", built for " + engineName + ", is not in the engine any more"
                + " (removed after the build?); run the build again");
    }

    private ImageInfo inspect(String engineName) {
        return engine.inspectImage(engineName)
                .orElseThrow(() -> new LoadException("image " + engineName
                        + " is not in the engine (removed after the build?); run the build again"));
    }

    /** One image's load: the pool its node calls run in, the image (by ID) with the engine's name and the nodes'. */
    private record Load(ExecutorService pool, String engineName, ImageInfo image, String nodeRef) {}

    /**
     * Imports into the nodes of {@code toImport} — recorded as intended first, confirmed with the names each import
     * added, verified, labelled — counted in flight throughout; adds one result per node; returns the bytes sent.
     */
    private long importInto(List<NodeImport> toImport, Load load, String localId, List<NodeLoad> results) {
        String nodeRef = load.nodeRef();
        ExecutorService pool = load.pool();
        try (InFlight.Token importing = imports.begin()) {
            for (NodeImport n : toImport) {
                n.entry = ledger.nodeImages().intend(cluster, n.node().name(), nodeRef, localId, "imported");
            }
            long bytes = sendShared(load, toImport);
            List<NodeImport> unknown =
                    toImport.stream().filter(n -> n.namesAfter == null).toList();
            List<Map<String, String>> read = all(
                    pool,
                    unknown.stream()
                            .map(n -> (Supplier<Map<String, String>>) n.store::imageIds)
                            .toList());
            for (int i = 0; i < unknown.size(); i++) {
                unknown.get(i).namesAfter = read.get(i);
            }
            nameImported(toImport, nodeRef, localId);
            // recorded first, with every name the import added, so teardown finds all of it whatever follows
            for (NodeImport n : toImport) {
                Set<String> side = new HashSet<>(n.namesAfter.keySet());
                side.removeAll(n.namesBefore);
                side.remove(nodeRef);
                List<String> sideRefs = side.stream().sorted().toList();
                n.entry.confirm(e -> e.sideReferences = new ArrayList<>(sideRefs));
                results.add(new NodeLoad(n.node(), NodeLoad.Action.IMPORTED, sideRefs, n.transfer));
            }
            // the names read after the import are the verification of these nodes (labels change no target)
            check(stores(toImport), toImport.stream().map(n -> n.namesAfter).toList(), nodeRef, localId);
            all(
                    pool,
                    toImport.stream()
                            .map(n -> (Supplier<Object>) () -> {
                                n.store.label(nodeRef, nodeLabels);
                                return n;
                            })
                            .toList());
            return bytes;
        }
    }

    /**
     * {@link #importIncrementally}, one load at a time per layer stack and nodes ({@link LayerSendKey}): a load that
     * would send the same lowest missing layer into the same nodes as another load (of this JVM, or of another process
     * on this machine) waits for it, then reads the nodes' content stores again and sends only what is still missing;
     * where that moved the lowest missing layer, it lets go and takes the key of the new one. The nodes are read again
     * under the lock even when nobody was waited for: a load that just ended may have sent the layers.
     */
    private long sendShared(Load load, List<NodeImport> targets) {
        WorkKey key = sendKey(load.image(), targets);
        String nodeNames =
                String.join(", ", targets.stream().map(n -> n.node().name()).toList());
        // the lowest missing layer only moves up while loads finish: bounded by the layer count
        for (int turn = 0; key != null && turn <= load.image().diffIds().size(); turn++) {
            WorkKey taken = key;
            OptionalLong sent = shared(load.engineName(), taken, nodeNames, () -> {
                List<NodeImageStore.Snapshot> now = snapshots(load.pool(), stores(targets));
                for (int i = 0; i < targets.size(); i++) {
                    targets.get(i).held(now.get(i));
                }
                WorkKey still = sendKey(load.image(), targets);
                return still == null || still.equals(taken)
                        ? OptionalLong.of(importIncrementally(load, targets))
                        : OptionalLong.empty();
            });
            if (sent.isPresent()) {
                return sent.getAsLong();
            }
            key = sendKey(load.image(), targets);
        }
        return importIncrementally(load, targets);
    }

    private OptionalLong shared(String engineName, WorkKey key, String nodeNames, Supplier<OptionalLong> send) {
        try {
            return sharedWork.exclusively(
                    key,
                    "load of " + engineName + " into " + nodeNames,
                    SEND_WAIT,
                    holder -> progress.accept("waiting for " + holder + ", which sends the same layers into "
                            + nodeNames + "; then sending only what is still missing"),
                    send);
        } catch (WorkWaitTimeoutException e) {
            throw new LoadException("loading " + engineName + ": " + e.getMessage(), e);
        } catch (WorkInterruptedException e) {
            throw new LoadException("interrupted while loading " + engineName);
        }
    }

    /** The nodes' lowest missing layer as a {@link LayerSendKey}; null when every node holds every layer. */
    private WorkKey sendKey(ImageInfo image, List<NodeImport> targets) {
        Map<String, Set<String>> held = new HashMap<>();
        for (NodeImport n : targets) {
            held.put(n.node().containerId(), n.blobs.keySet());
        }
        return LayerSendKey.lowestMissing(
                engine.endpoint(), targets.stream().map(NodeImport::node).toList(), image.diffIds(), held);
    }

    /**
     * Imports into every node only the layers it lacks: asks the engine for the export and, while the
     * engine prepares it, learns each node's snapshotter and starts each node's {@code ctr images import};
     * then reads the export once and writes each node its own archive ({@link IncrementalExport}). A node
     * holding one of the layers only in compressed form gets the raw export from the same read (a full
     * import); a node whose incremental import could not be completed, failed, or left a blob missing is
     * imported again in full (a second export). Sets each node's transfer, and the names of nodes read
     * after their import; returns the bytes read from the engine.
     */
    private long importIncrementally(Load load, List<NodeImport> targets) {
        List<String> diffIds = load.image().diffIds();
        if (diffIds.isEmpty()) {
            long bytes = importAll(load, stores(targets));
            for (NodeImport n : targets) {
                n.transfer =
                        new NodeLoad.Transfer(0, 0, 0, bytes, bytes, "the engine does not list the image's layers");
            }
            return bytes;
        }
        CompletableFuture<InputStream> exportOpened =
                CompletableFuture.supplyAsync(() -> engine.export(load.image().id()), load.pool());
        Set<String> layers = new LinkedHashSet<>(diffIds);
        try { // asked once per node container, then known
            List<String> snapshotters = all(
                    load.pool(),
                    targets.stream()
                            .map(n -> (Supplier<String>) n.store::snapshotter)
                            .toList());
            for (int i = 0; i < targets.size(); i++) {
                targets.get(i).snapshotter = snapshotters.get(i);
            }
        } catch (RuntimeException e) {
            exportOpened.thenAccept(ImageLoader::closeQuietly);
            throw e;
        }
        for (NodeImport n : targets) {
            ChunkStream in = new ChunkStream(QUEUED_CHUNKS);
            NodeArchive archive = new NodeArchive(n.node().name(), Set.copyOf(n.blobs.keySet()), in);
            layers.stream()
                    .filter(d -> n.lacks(d) && n.blobs.containsValue(d))
                    .findFirst()
                    .ifPresent(d -> {
                        archive.full = true;
                        archive.fullReason =
                                "layer " + IncrementalExport.shortDigest(d) + " is held only in compressed form";
                    });
            n.archive = archive;
            String snapshotter = n.snapshotter;
            n.importing = CompletableFuture.supplyAsync(
                    () -> {
                        try (in) {
                            return n.store.importArchive(in, snapshotter);
                        }
                    },
                    load.pool());
        }
        List<NodeArchive> archives = targets.stream().map(n -> n.archive).toList();
        IncrementalExport export = new IncrementalExport(load.image().id(), diffIds, load.nodeRef(), exportView);
        InputStream raw;
        try {
            raw = exportOpened.join();
        } catch (CompletionException e) {
            archives.forEach(a -> a.sink.close());
            throw new LoadException(
                    "export of " + load.engineName() + " from the engine failed: "
                            + e.getCause().getMessage(),
                    e.getCause());
        }
        try (raw) {
            export.run(raw, archives);
        } catch (IOException e) {
            // closing the export after it was read: nothing lost
        } catch (InterruptedException e) {
            archives.forEach(a -> a.sink.close());
            Thread.currentThread().interrupt();
            throw new LoadException("interrupted while loading " + load.engineName());
        }
        long bytes = export.bytesRead();
        List<String> failures = new ArrayList<>();
        for (NodeImport n : targets) {
            String problem;
            try {
                ExecResult r = n.importing.join();
                problem = r.ok() ? null : importFailure(r);
            } catch (RuntimeException e) {
                problem = (e instanceof CompletionException && e.getCause() != null ? e.getCause() : e).getMessage();
            }
            if (n.archive.full) {
                if (problem != null) {
                    failures.add("node " + n.archive.name + ": " + problem);
                }
            } else if (n.archive.failure != null) {
                n.again = n.archive.failure;
            } else if (problem != null) {
                n.again = "the incremental import failed: " + problem;
            }
        }
        if (!failures.isEmpty()) {
            throw new LoadException("loading " + load.engineName() + " failed — " + String.join("; ", failures));
        }
        // one round, one exec per node: every node's names, and for incremental ones the content store (all blobs
        // there?)
        List<NodeImageStore.Snapshot> checked = snapshots(load.pool(), stores(targets));
        for (int i = 0; i < targets.size(); i++) {
            NodeImport n = targets.get(i);
            if (!n.archive.full && n.again == null) {
                Map<String, String> blobs = checked.get(i).contentBlobs();
                Stream.concat(Stream.of(load.image().id()), layers.stream())
                        .filter(d -> !blobs.containsKey(d))
                        .findFirst()
                        .ifPresent(lacking -> n.again = "after the incremental import the node lacks "
                                + IncrementalExport.shortDigest(lacking));
            }
            if (n.again == null) {
                n.namesAfter = checked.get(i).imageIds();
            }
        }
        List<NodeImageStore> again =
                targets.stream().filter(n -> n.again != null).map(n -> n.store).toList();
        if (!again.isEmpty()) {
            bytes += importAll(load, again);
        }
        int count = export.layerCount();
        long total = export.allSizesKnown() ? export.layerBytes() : export.bytesRead();
        for (NodeImport n : targets) {
            NodeArchive archive = n.archive;
            int present = (int) layers.stream().filter(archive.held::contains).count();
            String reason = archive.full ? archive.fullReason : n.again;
            n.transfer = reason != null
                    ? new NodeLoad.Transfer(count, present, count, total, total, reason)
                    : new NodeLoad.Transfer(count, present, archive.sent.size(), total, archive.bytesSent, null);
        }
        return bytes;
    }

    /**
     * An export by ID names no image (Docker's {@code RepoTags} is empty), so a node imported from the raw export
     * knows the image only as {@code import-<date>@sha256:<manifest>} ({@code ctr images import --digests}); it gets
     * {@code nodeRef} from that name (the incremental archive names {@code nodeRef} itself). Updates the names read
     * after the import.
     */
    private static void nameImported(List<NodeImport> targets, String nodeRef, String imageId) {
        for (NodeImport n : targets) {
            Map<String, String> names = n.namesAfter;
            if (Engine.sameImageId(names.get(nodeRef), imageId)) {
                continue;
            }
            String source = names.entrySet().stream()
                    .filter(e -> Engine.sameImageId(e.getValue(), imageId)
                            && !e.getKey().equals(nodeRef))
                    .map(Map.Entry::getKey)
                    .min(Comparator.comparing((String k) -> !k.contains("@")).thenComparing(Comparator.naturalOrder()))
                    .orElse(null);
            if (source != null) {
                n.store.tag(source, nodeRef);
                Map<String, String> named = new HashMap<>(names);
                named.put(nodeRef, imageId);
                n.namesAfter = named;
            }
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // nothing read from it
        }
    }

    /** Exports the image once and streams the same bytes into every node's import concurrently. */
    private long importAll(Load load, List<NodeImageStore> stores) {
        List<ChunkStream> streams = new ArrayList<>();
        List<CompletableFuture<ExecResult>> imports = new ArrayList<>();
        for (NodeImageStore s : stores) {
            ChunkStream in = new ChunkStream(QUEUED_CHUNKS);
            streams.add(in);
            String snapshotter = s.snapshotter();
            imports.add(CompletableFuture.supplyAsync(
                    () -> {
                        try (in) {
                            return s.importArchive(in, snapshotter);
                        }
                    },
                    load.pool()));
        }
        AtomicLong total = new AtomicLong();
        try (InputStream export = engine.export(load.image().id())) {
            ExportFanOut.copy(export, streams, total);
        } catch (IOException e) {
            streams.forEach(ChunkStream::close);
            throw new LoadException("export of " + load.engineName() + " from the engine failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            streams.forEach(ChunkStream::close);
            Thread.currentThread().interrupt();
            throw new LoadException("interrupted while loading " + load.engineName());
        }
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < stores.size(); i++) {
            ExecResult r;
            try {
                r = imports.get(i).join();
            } catch (RuntimeException e) {
                failures.add(
                        stores.get(i).node().name() + ": " + (e.getCause() != null ? e.getCause() : e).getMessage());
                continue;
            }
            if (!r.ok()) {
                failures.add("node " + stores.get(i).node().name() + ": " + importFailure(r));
            }
        }
        if (!failures.isEmpty()) {
            throw new LoadException("loading " + load.engineName() + " failed — " + String.join("; ", failures));
        }
        return total.get();
    }

    private static final Pattern MISSING_CONTENT = Pattern.compile("content digest sha256:[0-9a-f]+[^\\n]*not found");

    /**
     * ctr's last line, and what to do where the cause is known: an export naming content the engine does
     * not hold is the multi-platform export of Docker's containerd image store (kind#3795).
     */
    static String importFailure(ExecResult r) {
        String last = r.failureText().lines().reduce((a, b) -> b).orElse("").strip();
        String text = "ctr import failed (exit " + r.exitCode() + "): " + last;
        if (MISSING_CONTENT.matcher(last).find()) {
            text += " — the engine's export names content it does not hold: a multi-platform image from Docker's"
                    + " containerd image store (kind#3795), whose API here exports every platform; build the image for"
                    + " one platform only, or turn the containerd image store off (daemon.json \"features\":"
                    + " {\"containerd-snapshotter\": false})";
        } else if (last.contains("no space left on device")) {
            text += " — the node's disk is full: a kind node keeps its images in /var/lib/containerd, in the engine's"
                    + " storage on the host; free space there ('docker system df' or 'podman system df' shows what"
                    + " holds it) and run again";
        }
        return text;
    }

    /** Checks that every node resolves {@code nodeRef} to {@code imageId}; throws naming the first that does not. */
    public void verify(List<KindNode> nodes, String nodeRef, String imageId) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, nodes.size()));
        try {
            verify(pool, nodes.stream().map(n -> new NodeImageStore(engine, n)).toList(), nodeRef, imageId);
        } finally {
            pool.shutdownNow();
        }
    }

    private void verify(ExecutorService pool, List<NodeImageStore> stores, String nodeRef, String imageId) {
        check(
                stores,
                all(
                        pool,
                        stores.stream()
                                .map(s -> (Supplier<Map<String, String>>) s::imageIds)
                                .toList()),
                nodeRef,
                imageId);
    }

    /** Throws naming the first node whose names ({@code after}, read after the load) miss {@code imageId}. */
    private static void check(
            List<NodeImageStore> stores, List<Map<String, String>> after, String nodeRef, String imageId) {
        for (int i = 0; i < stores.size(); i++) {
            String found = after.get(i).get(nodeRef);
            if (!Engine.sameImageId(found, imageId)) {
                throw new LoadException("node " + stores.get(i).node().name() + " resolves " + nodeRef + " to "
                        + (found == null ? "nothing" : found) + ", expected " + imageId);
            }
        }
    }

    /** Each store's snapshot, read at the same time. */
    private static List<NodeImageStore.Snapshot> snapshots(ExecutorService pool, List<NodeImageStore> stores) {
        return all(
                pool,
                stores.stream()
                        .map(s -> (Supplier<NodeImageStore.Snapshot>) s::snapshot)
                        .toList());
    }

    private static List<NodeImageStore> stores(List<NodeImport> nodes) {
        return nodes.stream().map(n -> n.store).toList();
    }

    private static <T> List<T> all(ExecutorService pool, List<Supplier<T>> tasks) {
        List<CompletableFuture<T>> futures =
                tasks.stream().map(t -> CompletableFuture.supplyAsync(t, pool)).toList();
        List<T> out = new ArrayList<>();
        for (CompletableFuture<T> f : futures) {
            try {
                out.add(f.join());
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
        }
        return out;
    }
}
