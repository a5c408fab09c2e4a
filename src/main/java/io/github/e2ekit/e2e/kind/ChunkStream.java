package io.github.e2ekit.e2e.kind;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An input stream fed chunk by chunk from another thread through a bounded queue: one reader per
 * node, all sharing the same immutable chunks of one export. Unlike piped streams it wakes the
 * reader at once and never polls.
 */
final class ChunkStream extends InputStream {
    private static final byte[] END = new byte[0];
    private final BlockingQueue<byte[]> queue;
    private byte[] current = new byte[0];
    private int pos;
    private volatile boolean closed;
    private boolean ended;

    ChunkStream(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /** Hands a chunk to the reader; returns false once the reader has gone (its import ended). */
    boolean offer(byte[] chunk) throws InterruptedException {
        while (!closed) {
            if (queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                return true;
            }
        }
        return false;
    }

    /** Marks the end of the data. */
    void end() throws InterruptedException {
        offer(END);
    }

    @Override
    public int read() throws IOException {
        return nextChunk() ? current[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!nextChunk()) {
            return -1;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    /** Waits until the current chunk has bytes left to read; false at the end of the data or once closed. */
    private boolean nextChunk() throws IOException {
        while (pos >= current.length) {
            if (ended || closed) {
                return false;
            }
            try {
                current = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            pos = 0;
            ended = current == END;
        }
        return true;
    }

    @Override
    public int available() {
        return current.length - pos;
    }

    @Override
    public void close() {
        closed = true;
        queue.clear();
    }
}
