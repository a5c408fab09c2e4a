package io.github.e2ekit.e2e.kind;

import java.util.List;

/** What loading one image did in one node; for an import, also what crossed into the node. */
public record NodeLoad(KindNode node, Action action, List<String> sideReferences, Transfer transfer) {
    public enum Action {
        ALREADY_PRESENT,
        RETAGGED,
        IMPORTED
    }

    public NodeLoad(KindNode node, Action action, List<String> sideReferences) {
        this(node, action, sideReferences, null);
    }

    /**
     * The layers of an import: of the image's {@code layers} distinct layers ({@code bytes} in all), how
     * many the node already held, and how many (and how many bytes) were sent; {@code fallbackReason} is
     * set when the node was imported in full instead of only what it lacked, and says why.
     */
    public record Transfer(
            int layers, int layersPresent, int layersSent, long bytes, long bytesSent, String fallbackReason) {
        public boolean fullImport() {
            return fallbackReason != null;
        }
    }

    /** Why the node was imported in full rather than incrementally; null when it was not. */
    public String fallbackReason() {
        return transfer == null ? null : transfer.fallbackReason();
    }
}
