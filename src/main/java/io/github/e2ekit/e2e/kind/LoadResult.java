package io.github.e2ekit.e2e.kind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What loading one image into a cluster did: per node, plus the bytes exported and the time taken. */
public record LoadResult(String reference, String imageId, List<NodeLoad> nodes, long exportedBytes, double seconds) {
    public long count(NodeLoad.Action action) {
        return nodes.stream().filter(n -> n.action() == action).count();
    }

    /**
     * {@code imported into 3/3 nodes (3/3 nodes: sent 1 of 12 layers, 4.1 MB of 212 MB) — 212.3 MB in 1.9 s (111.7
     * MB/s)}; nodes imported in full say why, one line each.
     */
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
            s.append("imported into ")
                    .append(imported)
                    .append('/')
                    .append(total)
                    .append(" nodes");
            String transfers = transfers(total);
            if (!transfers.isEmpty()) {
                s.append(" (").append(transfers).append(')');
            }
        }
        if (retagged > 0) {
            s.append(s.isEmpty() ? "" : ", ")
                    .append("re-tagged in ")
                    .append(retagged)
                    .append('/')
                    .append(total);
        }
        if (present > 0) {
            s.append(", already present on ").append(present).append('/').append(total);
        }
        if (exportedBytes > 0) {
            double mb = exportedBytes / 1e6;
            s.append(String.format(
                    Locale.ROOT, " — %.1f MB in %.1f s (%.1f MB/s)", mb, seconds, seconds > 0 ? mb / seconds : 0));
        }
        return s.toString();
    }

    /** Imported nodes grouped by what was sent: {@code 2/3 nodes: sent 1 of 12 layers, 4.1 MB of 212 MB; ...}. */
    private String transfers(int total) {
        Map<String, List<NodeLoad>> groups = new LinkedHashMap<>();
        for (NodeLoad n : nodes) {
            NodeLoad.Transfer t = n.transfer();
            if (n.action() != NodeLoad.Action.IMPORTED || t == null) {
                continue;
            }
            String key = "sent " + t.layersSent() + " of " + t.layers() + " layers, " + megabytes(t.bytesSent())
                    + " of " + megabytes(t.bytes()) + (t.fullImport() ? ", full import" : "");
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(n);
        }
        List<String> parts = new ArrayList<>();
        groups.forEach((key, group) -> {
            StringBuilder p = new StringBuilder()
                    .append(group.size())
                    .append('/')
                    .append(total)
                    .append(" nodes: ")
                    .append(key);
            Map<String, List<String>> byReason = new LinkedHashMap<>();
            group.stream()
                    .filter(n -> n.transfer().fullImport())
                    .forEach(n -> byReason.computeIfAbsent(n.fallbackReason(), r -> new ArrayList<>())
                            .add(n.node().name()));
            if (!byReason.isEmpty()) {
                List<String> reasons = new ArrayList<>();
                byReason.forEach((reason, names) -> reasons.add(String.join(", ", names) + ": " + reason));
                p.append(" — ").append(String.join("; ", reasons));
            }
            parts.add(p.toString());
        });
        return String.join("; ", parts);
    }

    /** {@code 4.1 MB}, {@code 212 MB}. */
    static String megabytes(long bytes) {
        double mb = bytes / 1e6;
        return mb >= 100 ? String.format(Locale.ROOT, "%.0f MB", mb) : String.format(Locale.ROOT, "%.1f MB", mb);
    }
}
