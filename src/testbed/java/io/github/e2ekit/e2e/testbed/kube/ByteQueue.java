package io.github.e2ekit.e2e.testbed.kube;

import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * An unbounded in-memory pipe between threads: writes never block (a WebSocket's event loop may write), reads
 * block until bytes arrive or the writing side is closed. Unlike {@code PipedInputStream} it does not care
 * which threads read or write, or whether they are still alive.
 */
public final class ByteQueue {
    private static final byte[] EOF = new byte[0];
    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    private final InputStream in = new InputStream() {
        private byte[] current;
        private int pos;
        private boolean ended;

        @Override
        public int read() throws InterruptedIOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws InterruptedIOException {
            if (len == 0) {
                return 0;
            }
            if (ended) {
                return -1;
            }
            while (current == null || pos >= current.length) {
                try {
                    current = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for bytes");
                }
                pos = 0;
                if (current == EOF) {
                    ended = true;
                    chunks.offer(EOF);
                    return -1;
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public synchronized int available() {
            return current == null || current == EOF ? 0 : current.length - pos;
        }

        @Override
        public void close() {
            ByteQueue.this.close();
        }
    };

    private final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) {
            ByteQueue.this.write(new byte[] {(byte) b});
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ByteQueue.this.write(Arrays.copyOfRange(b, off, off + len));
        }

        @Override
        public void close() {
            ByteQueue.this.close();
        }
    };

    /** Adds bytes (the array is kept, not copied); ignored once closed. */
    public void write(byte[] bytes) {
        if (!closed && bytes.length > 0) {
            chunks.offer(bytes);
        }
    }

    /** Ends the stream: readers get what was written before, then end of stream. */
    public void close() {
        if (!closed) {
            closed = true;
            chunks.offer(EOF);
        }
    }

    public InputStream input() {
        return in;
    }

    public OutputStream output() {
        return out;
    }
}
