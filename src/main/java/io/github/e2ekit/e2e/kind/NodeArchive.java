package io.github.e2ekit.e2e.kind;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipEncoding;
import org.apache.commons.compress.archivers.zip.ZipEncodingHelper;

/**
 * One node's side of an incremental export: what it holds, the tar archive written into its import's stream
 * (entries begun, padded and ended here), and what it got.
 */
final class NodeArchive {
    private static final int CHUNK = 1 << 20;
    private static final ZipEncoding UTF8 = ZipEncodingHelper.getZipEncoding(StandardCharsets.UTF_8);

    final String name;
    final Set<String> held;
    final ChunkStream sink;
    /** Receives the raw export (a full import) instead of an incremental archive. */
    boolean full;
    /** Why the node is imported in full (set with {@link #full}, or by the caller afterwards). */
    String fullReason;
    /** Why this node's incremental archive is incomplete; the caller must import it in full. */
    String failure;
    /** Layer digests written into this node's archive. */
    final Set<String> sent = new LinkedHashSet<>();

    long bytesSent;
    /** The node's import stopped reading. */
    boolean gone;
    /** Bytes still owed to the tar entry being written (data and padding). */
    long entryLeft;

    NodeArchive(String name, Set<String> held, ChunkStream sink) {
        this.name = name;
        this.held = held;
        this.sink = sink;
    }

    boolean incremental() {
        return !full && failure == null && !gone;
    }

    static byte[] header(String name, long size) {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(size);
        e.setMode(0100644);
        e.setModTime(0L);
        e.setUserName("");
        e.setGroupName("");
        byte[] h = new byte[512];
        try {
            e.writeEntryHeader(h, UTF8, true);
        } catch (IOException impossible) {
            throw new IllegalStateException("cannot encode tar entry name " + name, impossible);
        }
        return h;
    }

    static int padding(long size) {
        int rem = (int) (size % 512);
        return rem == 0 ? 0 : 512 - rem;
    }

    static void begin(List<NodeArchive> to, String name, long size) throws InterruptedException {
        byte[] h = header(name, size);
        send(to, h);
        for (NodeArchive n : to) {
            n.entryLeft = size + padding(size);
        }
    }

    static void pad(List<NodeArchive> to, long size) throws InterruptedException {
        int p = padding(size);
        if (p > 0) {
            send(to, new byte[p]);
        }
    }

    static void sendFile(List<NodeArchive> to, String name, byte[] data) throws InterruptedException {
        byte[] all = new byte[512 + data.length + padding(data.length)];
        System.arraycopy(header(name, data.length), 0, all, 0, 512);
        System.arraycopy(data, 0, all, 512, data.length);
        send(to, all);
    }

    static void send(List<NodeArchive> to, byte[] chunk) throws InterruptedException {
        for (NodeArchive n : to) {
            if (n.gone) {
                continue;
            }
            if (n.sink.offer(chunk)) {
                n.entryLeft = Math.max(0, n.entryLeft - chunk.length);
            } else {
                n.gone = true;
            }
        }
    }

    /** Completes the tar entry under way with zeros, ends the archive, ends the stream. */
    static void close(NodeArchive n) throws InterruptedException {
        if (!n.gone) {
            List<NodeArchive> one = List.of(n);
            while (n.entryLeft > 0) {
                send(one, new byte[(int) Math.min(CHUNK, n.entryLeft)]);
                if (n.gone) {
                    break;
                }
            }
            send(one, new byte[1024]);
        }
        n.sink.end();
    }
}
