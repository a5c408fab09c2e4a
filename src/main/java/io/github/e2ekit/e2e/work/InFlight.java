package io.github.e2ekit.e2e.work;

import java.time.Duration;

/**
 * Counts work under way that goes on outside this process once started — a node's {@code ctr images import} that
 * has its whole archive adds the image whether or not the plugin is still there to see it — so that the run's
 * exit-time teardown can wait for it to end before removing what it adds.
 */
public final class InFlight {
    private int running;
    private boolean closed;

    /** Refused: the run is being torn down at exit, so no new piece begins. */
    public static final class Closed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Closed() {
            super("the build is being interrupted: no new node import starts");
        }
    }

    /**
     * One piece of work begins; close the result when it has ended (however it ended).
     *
     * @throws Closed after {@link #close}
     */
    public synchronized Token begin() {
        if (closed) {
            throw new Closed();
        }
        running++;
        return new Token();
    }

    private synchronized void end() {
        running--;
        notifyAll();
    }

    /** How many pieces are under way now. */
    public synchronized int running() {
        return running;
    }

    /** No new piece begins from now on; how many are under way. */
    public synchronized int close() {
        closed = true;
        return running;
    }

    /** Waits until no piece is under way, at most {@code max}; whether none is. */
    public synchronized boolean awaitNone(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (running > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** A piece of work under way; closing it twice ends it once. */
    public final class Token implements AutoCloseable {
        private boolean closed;

        @Override
        public void close() {
            synchronized (InFlight.this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            end();
        }
    }
}
