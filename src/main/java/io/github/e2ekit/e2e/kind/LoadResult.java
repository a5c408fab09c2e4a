package io.github.e2ekit.e2e.kind;

import java.util.List;

/** What loading one image into a cluster did: per node, plus the bytes exported and the time taken. */
public record LoadResult(String reference, String imageId, List<NodeLoad> nodes, long exportedBytes, double seconds) {
    public long count(NodeLoad.Action action) {
        return nodes.stream().filter(n -> n.action() == action).count();
    }

    /** {@code datastorage: imported into 2/3 nodes, re-tagged in 1/3 — 12.3 MB in 0.8 s (15.4 MB/s)}. */
    public String summary() {
        int total = nodes.size();
        long present = count(NodeLoad.Action.ALREADY_PRESENT);
        if (present == total) {
            return "already present on " + total + "/" + total + " nodes";
        }
        StringBuilder s = new StringBuilder();
        long imported = count(NodeLoad.Action.IMPORTED);
        long retagged = count(NodeLoad.Action.RETAGGED);
        if (imported > 0) {
            s.append("imported into ").append(imported).append('/').append(total).append(" nodes");
        }
        if (retagged > 0) {
            s.append(s.isEmpty() ? "" : ", ").append("re-tagged in ").append(retagged).append('/').append(total);
        }
        if (present > 0) {
            s.append(", already present on ").append(present).append('/').append(total);
        }
        if (exportedBytes > 0) {
            double mb = exportedBytes / 1e6;
            s.append(String.format(" — %.1f MB in %.1f s (%.1f MB/s)", mb, seconds, seconds > 0 ? mb / seconds : 0));
        }
        return s.toString();
    }
}
