package io.github.e2ekit.e2e.kind;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageInfo;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.NodeImageEntry;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Puts the exact image into every node of a kind cluster, like {@code kind load docker-image}:
 * skips nodes that hold it, re-tags where the node holds the image under another name, and
 * otherwise reads one engine export and streams into every node that needs the image only the layers
 * that node lacks (an OCI-layout archive per node, see {@link IncrementalExport}), falling back to a
 * full import of a node when that cannot be done safely.
 * Records each node change in the ledger before making it.
 */
public final class ImageLoader {
    private static final int QUEUED_CHUNKS = 16;
    private final Engine engine;
    private final Ledger ledger;
    private final String cluster;

    private Map<String, String> nodeLabels = Map.of();
    private UnaryOperator<InputStream> exportView = UnaryOperator.identity();

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
        List<NodeImageStore> stores = nodes.stream().map(n -> new NodeImageStore(engine, n)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(stores.size() * 3 + 2);
        try {
            List<NodeImageStore.Snapshot> before = all(pool,
                    stores.stream().map(s -> (Supplier<NodeImageStore.Snapshot>) s::snapshot).toList());
            List<NodeLoad> results = new ArrayList<>();
            List<NodeImageStore> toImport = new ArrayList<>();
            List<Set<String>> importBefore = new ArrayList<>();
            Map<NodeImageStore, Map<String, String>> blobsBefore = new HashMap<>();
            for (int i = 0; i < stores.size(); i++) {
                NodeImageStore store = stores.get(i);
                Map<String, String> ids = before.get(i).imageIds();
                if (Engine.sameImageId(ids.get(nodeRef), localId)) {
                    results.add(new NodeLoad(store.node(), NodeLoad.Action.ALREADY_PRESENT, List.of()));
                    continue;
                }
                String other = ids.entrySet().stream()
                        .filter(e -> Engine.sameImageId(e.getValue(), localId) && !e.getKey().startsWith("sha256:"))
                        .map(Map.Entry::getKey).sorted().findFirst().orElse(null);
                if (other != null) {
                    record(store.node(), nodeRef, localId, "retagged");
                    store.tag(other, nodeRef);
                    store.label(nodeRef, nodeLabels);
                    confirm(store.node(), nodeRef, List.of());
                    results.add(new NodeLoad(store.node(), NodeLoad.Action.RETAGGED, List.of()));
                } else {
                    toImport.add(store);
                    importBefore.add(new HashSet<>(ids.keySet()));
                    blobsBefore.put(store, before.get(i).contentBlobs());
                }
            }
            long bytes = 0;
            Map<NodeImageStore, NodeLoad.Transfer> transfers = new HashMap<>();
            if (!toImport.isEmpty()) {
                for (NodeImageStore s : toImport) {
                    record(s.node(), nodeRef, localId, "imported");
                }
                Map<NodeImageStore, Map<String, String>> known = new HashMap<>();
                bytes = importIncrementally(pool, engineName, localId, image, nodeRef, toImport, blobsBefore, transfers,
                        known);
                List<NodeImageStore> unknown = toImport.stream().filter(s -> !known.containsKey(s)).toList();
                List<Map<String, String>> read = all(pool,
                        unknown.stream().map(s -> (Supplier<Map<String, String>>) s::imageIds).toList());
                for (int i = 0; i < unknown.size(); i++) {
                    known.put(unknown.get(i), read.get(i));
                }
                List<Map<String, String>> after = new ArrayList<>(toImport.stream().map(known::get).toList());
                nameImported(toImport, after, nodeRef, localId);
                // recorded first, with every name the import added, so teardown finds all of it whatever follows
                for (int i = 0; i < toImport.size(); i++) {
                    Set<String> side = new HashSet<>(after.get(i).keySet());
                    side.removeAll(importBefore.get(i));
                    side.remove(nodeRef);
                    List<String> sideRefs = side.stream().sorted().toList();
                    confirm(toImport.get(i).node(), nodeRef, sideRefs);
                    results.add(new NodeLoad(toImport.get(i).node(), NodeLoad.Action.IMPORTED, sideRefs,
                            transfers.get(toImport.get(i))));
                }
                // the names read after the import are the verification of these nodes (labels change no target)
                check(toImport, after, nodeRef, localId);
                all(pool, toImport.stream().map(s -> (Supplier<Object>) () -> {
                    s.label(nodeRef, nodeLabels);
                    return s;
                }).toList());
            }
            // nodes that already held it were verified by the first read; re-tagged ones are read again
            List<NodeImageStore> retagged = results.stream().filter(r -> r.action() == NodeLoad.Action.RETAGGED)
                    .map(r -> stores.get(nodes.indexOf(r.node()))).toList();
            verify(pool, retagged, nodeRef, localId);
            results.sort(Comparator.comparing(r -> nodes.indexOf(r.node())));
            return new LoadResult(nodeRef, localId, results, bytes, (System.nanoTime() - start) / 1e9);
        } catch (NodeCommandException e) { // a node that cannot be read or changed (stopped, killed, its engine failing)
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
        return engine.inspectImage(engineName).orElseThrow(() -> new LoadException("image " + engineName
                + " is not in the engine (removed after the build?); run the build again"));
    }

    /**
     * Imports into every node only the layers it lacks: asks the engine for the export and, while the
     * engine prepares it, learns each node's content store and snapshotter and starts each node's
     * {@code ctr images import}; then reads the export once and writes each node its own archive
     * ({@link IncrementalExport}). A node holding one of the layers only in compressed form gets the raw
     * export from the same read (a full import); a node whose incremental import could not be completed,
     * failed, or left a blob missing is imported again in full (a second export). Fills {@code transfers},
     * and {@code after} with the image names of nodes read after their import; returns the bytes read from
     * the engine.
     */
    private long importIncrementally(ExecutorService pool, String engineName, String exportId, ImageInfo image,
            String nodeRef, List<NodeImageStore> stores, Map<NodeImageStore, Map<String, String>> blobsBefore,
            Map<NodeImageStore, NodeLoad.Transfer> transfers,
            Map<NodeImageStore, Map<String, String>> after) {
        List<String> diffIds = image.diffIds();
        if (diffIds.isEmpty()) {
            long bytes = importAll(pool, engineName, exportId, stores);
            for (NodeImageStore s : stores) {
                transfers.put(s, new NodeLoad.Transfer(0, 0, 0, bytes, bytes,
                        "the engine does not list the image's layers"));
            }
            return bytes;
        }
        CompletableFuture<InputStream> exportOpened = CompletableFuture.supplyAsync(
                () -> engine.export(exportId), pool);
        Set<String> layers = new LinkedHashSet<>(diffIds);
        List<String> snapshotters; // asked once per node container, then known
        try {
            snapshotters = all(pool, stores.stream().map(s -> (Supplier<String>) s::snapshotter).toList());
        } catch (RuntimeException e) {
            exportOpened.thenAccept(ImageLoader::closeQuietly);
            throw e;
        }
        List<NodeArchive> nodes = new ArrayList<>();
        List<CompletableFuture<ExecResult>> imports = new ArrayList<>();
        for (int i = 0; i < stores.size(); i++) {
            NodeImageStore s = stores.get(i);
            String snapshotter = snapshotters.get(i);
            Map<String, String> blobs = blobsBefore.get(s);
            ChunkStream in = new ChunkStream(QUEUED_CHUNKS);
            NodeArchive node = new NodeArchive(s.node().name(), Set.copyOf(blobs.keySet()), in);
            layers.stream().filter(d -> !blobs.containsKey(d) && blobs.containsValue(d)).findFirst().ifPresent(d -> {
                node.full = true;
                node.fullReason = "layer " + IncrementalExport.shortDigest(d) + " is held only in compressed form";
            });
            nodes.add(node);
            imports.add(CompletableFuture.supplyAsync(() -> {
                try (in) {
                    return s.importArchive(in, snapshotter);
                }
            }, pool));
        }
        IncrementalExport export = new IncrementalExport(image.id(), diffIds, nodeRef, exportView);
        InputStream raw;
        try {
            raw = exportOpened.join();
        } catch (CompletionException e) {
            nodes.forEach(n -> n.sink.close());
            throw new LoadException("export of " + engineName + " from the engine failed: "
                    + e.getCause().getMessage(), e.getCause());
        }
        try (raw) {
            export.run(raw, nodes);
        } catch (IOException e) {
            // closing the export after it was read: nothing lost
        } catch (InterruptedException e) {
            nodes.forEach(n -> n.sink.close());
            Thread.currentThread().interrupt();
            throw new LoadException("interrupted while loading " + engineName);
        }
        long bytes = export.bytesRead();
        List<String> failures = new ArrayList<>();
        Map<NodeImageStore, String> again = new LinkedHashMap<>();
        List<NodeImageStore> imported = new ArrayList<>();
        for (int i = 0; i < stores.size(); i++) {
            NodeArchive node = nodes.get(i);
            String problem;
            try {
                ExecResult r = imports.get(i).join();
                problem = r.ok() ? null : importFailure(r);
            } catch (RuntimeException e) {
                problem = (e instanceof CompletionException && e.getCause() != null ? e.getCause() : e).getMessage();
            }
            if (node.full) {
                if (problem != null) {
                    failures.add("node " + node.name + ": " + problem);
                }
            } else if (node.failure != null) {
                again.put(stores.get(i), node.failure);
            } else if (problem != null) {
                again.put(stores.get(i), "the incremental import failed: " + problem);
            } else {
                imported.add(stores.get(i));
            }
        }
        if (!failures.isEmpty()) {
            throw new LoadException("loading " + engineName + " failed — " + String.join("; ", failures));
        }
        // one round, one exec per node: every node's names, and for incremental ones the content store (all blobs there?)
        List<NodeImageStore.Snapshot> checked = all(pool,
                stores.stream().map(s -> (Supplier<NodeImageStore.Snapshot>) s::snapshot).toList());
        for (int i = 0; i < imported.size(); i++) {
            Map<String, String> blobs = checked.get(stores.indexOf(imported.get(i))).contentBlobs();
            String lacking = Stream.concat(Stream.of(image.id()), layers.stream())
                    .filter(d -> !blobs.containsKey(d)).findFirst().orElse(null);
            if (lacking != null) {
                again.put(imported.get(i), "after the incremental import the node lacks "
                        + IncrementalExport.shortDigest(lacking));
            }
        }
        for (int i = 0; i < stores.size(); i++) {
            if (!again.containsKey(stores.get(i))) {
                after.put(stores.get(i), checked.get(i).imageIds());
            }
        }
        if (!again.isEmpty()) {
            bytes += importAll(pool, engineName, exportId, new ArrayList<>(again.keySet()));
        }
        int count = export.layerCount();
        long total = export.allSizesKnown() ? export.layerBytes() : export.bytesRead();
        for (int i = 0; i < stores.size(); i++) {
            NodeArchive node = nodes.get(i);
            int present = (int) layers.stream().filter(node.held::contains).count();
            String reason = node.full ? node.fullReason : again.get(stores.get(i));
            transfers.put(stores.get(i), reason != null
                    ? new NodeLoad.Transfer(count, present, count, total, total, reason)
                    : new NodeLoad.Transfer(count, present, node.sent.size(), total, node.bytesSent, null));
        }
        return bytes;
    }

    /**
     * An export by ID names no image (Docker's {@code RepoTags} is empty), so a node imported from the raw export
     * knows the image only as {@code import-<date>@sha256:<manifest>} ({@code ctr images import --digests}); it gets
     * {@code nodeRef} from that name (the incremental archive names {@code nodeRef} itself). Updates {@code after}.
     */
    private static void nameImported(List<NodeImageStore> stores, List<Map<String, String>> after, String nodeRef,
            String imageId) {
        for (int i = 0; i < stores.size(); i++) {
            Map<String, String> names = after.get(i);
            if (Engine.sameImageId(names.get(nodeRef), imageId)) {
                continue;
            }
            String source = names.entrySet().stream()
                    .filter(e -> Engine.sameImageId(e.getValue(), imageId) && !e.getKey().equals(nodeRef))
                    .map(Map.Entry::getKey)
                    .min(Comparator.comparing((String k) -> !k.contains("@")).thenComparing(Comparator.naturalOrder()))
                    .orElse(null);
            if (source != null) {
                stores.get(i).tag(source, nodeRef);
                Map<String, String> named = new HashMap<>(names);
                named.put(nodeRef, imageId);
                after.set(i, named);
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
    private long importAll(ExecutorService pool, String engineName, String exportId, List<NodeImageStore> stores) {
        List<ChunkStream> streams = new ArrayList<>();
        List<CompletableFuture<ExecResult>> imports = new ArrayList<>();
        for (NodeImageStore s : stores) {
            ChunkStream in = new ChunkStream(QUEUED_CHUNKS);
            streams.add(in);
            String snapshotter = s.snapshotter();
            imports.add(CompletableFuture.supplyAsync(() -> {
                try (in) {
                    return s.importArchive(in, snapshotter);
                }
            }, pool));
        }
        AtomicLong total = new AtomicLong();
        try (InputStream export = engine.export(exportId)) {
            ExportFanOut.copy(export, streams, total);
        } catch (IOException e) {
            streams.forEach(ChunkStream::close);
            throw new LoadException("export of " + engineName + " from the engine failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            streams.forEach(ChunkStream::close);
            Thread.currentThread().interrupt();
            throw new LoadException("interrupted while loading " + engineName);
        }
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < stores.size(); i++) {
            ExecResult r;
            try {
                r = imports.get(i).join();
            } catch (RuntimeException e) {
                failures.add(stores.get(i).node().name() + ": " + (e.getCause() != null ? e.getCause() : e).getMessage());
                continue;
            }
            if (!r.ok()) {
                failures.add("node " + stores.get(i).node().name() + ": " + importFailure(r));
            }
        }
        if (!failures.isEmpty()) {
            throw new LoadException("loading " + engineName + " failed — " + String.join("; ", failures));
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
        check(stores, all(pool, stores.stream().map(s -> (Supplier<Map<String, String>>) s::imageIds).toList()),
                nodeRef, imageId);
    }

    /** Throws naming the first node whose names ({@code after}, read after the load) miss {@code imageId}. */
    private static void check(List<NodeImageStore> stores, List<Map<String, String>> after, String nodeRef,
            String imageId) {
        for (int i = 0; i < stores.size(); i++) {
            String found = after.get(i).get(nodeRef);
            if (!Engine.sameImageId(found, imageId)) {
                throw new LoadException("node " + stores.get(i).node().name() + " resolves " + nodeRef + " to "
                        + (found == null ? "nothing" : found) + ", expected " + imageId);
            }
        }
    }

    private void record(KindNode node, String ref, String imageId, String action) {
        ledger.update(d -> {
            NodeImageEntry e = new NodeImageEntry();
            e.cluster = cluster;
            e.node = node.name();
            e.reference = ref;
            e.imageId = imageId;
            e.action = action;
            e.state = EntryState.INTENDED;
            d.nodeImages.add(e);
        });
    }

    private void confirm(KindNode node, String ref, List<String> sideRefs) {
        ledger.update(d -> d.nodeImages.stream()
                .filter(e -> Objects.equals(e.cluster, cluster) && e.node.equals(node.name()) && e.reference.equals(ref)
                        && e.state == EntryState.INTENDED)
                .forEach(e -> {
                    e.state = EntryState.CREATED;
                    e.sideReferences = new ArrayList<>(sideRefs);
                }));
    }

    private static <T> List<T> all(ExecutorService pool, List<Supplier<T>> tasks) {
        List<CompletableFuture<T>> futures = tasks.stream().map(t -> CompletableFuture.supplyAsync(t, pool)).toList();
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
