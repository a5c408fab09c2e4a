package io.github.e2ekit.e2e.kind;

import io.github.e2ekit.e2e.ledger.NodeImageEntry;
import io.github.e2ekit.e2e.ledger.Recorded;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One node of a load that imports the image: what the node held before, its archive and import, its ledger entry and
 * how its import ended. {@link ImageLoader} keeps one per node instead of lists kept in step by index.
 */
final class NodeImport {
    final NodeImageStore store;
    /** The node's names before the import: the names the import adds beside the reference are its side references. */
    Set<String> namesBefore;
    /** The node's content store before the import (blob digest → digest of its uncompressed form). */
    Map<String, String> blobs;
    /** Recorded before the import, confirmed with the side references after it. */
    Recorded<NodeImageEntry> entry;

    String snapshotter;
    /** What is written into the node's import: an incremental archive, or the raw export ({@link NodeArchive#full}). */
    NodeArchive archive;

    CompletableFuture<ExecResult> importing;
    /** Why the node has to be imported again in full; null when it does not. */
    String again;
    /** The node's names read after its import; null until read. */
    Map<String, String> namesAfter;

    NodeLoad.Transfer transfer;

    NodeImport(NodeImageStore store, NodeImageStore.Snapshot before) {
        this.store = store;
        held(before);
    }

    /** What the node holds now (read again before sending, when another load may just have sent layers). */
    void held(NodeImageStore.Snapshot now) {
        this.namesBefore = new HashSet<>(now.imageIds().keySet());
        this.blobs = new HashMap<>(now.contentBlobs());
    }

    KindNode node() {
        return store.node();
    }

    /** Whether the node's content store lacks the uncompressed layer {@code diffId}. */
    boolean lacks(String diffId) {
        return !blobs.containsKey(diffId);
    }
}
