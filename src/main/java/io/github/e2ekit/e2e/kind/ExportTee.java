package io.github.e2ekit.e2e.kind;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * Counts the raw export bytes the parser consumes and hands them on to the nodes taking a full
 * import; holds them until {@link #release} says which nodes those are (the layout is known).
 */
final class ExportTee extends InputStream {
    private static final int CHUNK = 1 << 20;

    private final InputStream in;
    private ByteArrayOutputStream held = new ByteArrayOutputStream();
    private List<NodeArchive> fulls = List.of();
    private byte[] pending = new byte[CHUNK];
    private int pendingLength;
    long count;

    ExportTee(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1]; // counted and handed on like any other read
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            count += n;
            if (held != null) {
                held.write(b, off, n);
            } else if (!fulls.isEmpty()) {
                append(b, off, n);
            }
        }
        return n;
    }

    boolean released() {
        return held == null;
    }

    void release(List<NodeArchive> fullNodes) throws IOException {
        byte[] before = held.toByteArray();
        held = null;
        fulls = fullNodes;
        if (!fulls.isEmpty()) {
            append(before, 0, before.length);
        }
    }

    /** Reads the rest of the raw export (to the full nodes, if any). */
    void drain() throws IOException {
        if (held != null) {
            release(List.of());
        }
        byte[] buf = new byte[CHUNK];
        while (read(buf, 0, buf.length) >= 0) {
            // counted and handed on by read
        }
        flush();
    }

    private void append(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, pending.length - pendingLength);
            System.arraycopy(b, off, pending, pendingLength, n);
            pendingLength += n;
            off += n;
            len -= n;
            if (pendingLength == pending.length) {
                flush();
            }
        }
    }

    void flush() throws IOException {
        if (pendingLength == 0 || fulls.isEmpty()) {
            return;
        }
        byte[] chunk = pendingLength == pending.length ? pending : Arrays.copyOf(pending, pendingLength);
        pending = new byte[CHUNK];
        pendingLength = 0;
        try {
            NodeArchive.send(fulls, chunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while loading");
        }
    }
}
