package io.github.e2ekit.e2e.work;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One run's files replaced whole (its ledger, run report, reuse record, kubeconfig): written to a temporary file
 * beside the target, then moved over it, so a reader sees the old content or the new, never half of it.
 *
 * <p>At JVM exit (Ctrl-C, SIGTERM) the run's shutdown hook tears down while the goal it interrupted may still be
 * writing on another thread; the JVM halts as soon as the hooks end, and a halt between the temporary file and the
 * move leaves the temporary file behind. So the hook's last step is {@link #closeAtExit()}: a write in progress
 * completes first, a later one waits for the halt. Outside an exit nothing ever waits here. One per run: no other
 * run's hook waits on a thread that writes this run's files.
 */
public final class AtomicFiles {
    /** Writes hold the read side (any number at once); closing at exit takes the write side and keeps it. */
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();

    private final AtomicBoolean closed = new AtomicBoolean();

    /** What goes into the temporary file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path temporary) throws IOException;
    }

    /**
     * Writes {@code target} whole: {@code content} into a temporary file in the same directory (made with
     * {@code attributes}, e.g. owner-only permissions), moved over the target; the temporary file never stays.
     */
    public void write(Path target, Content content, FileAttribute<?>... attributes) throws IOException {
        Lock open = gate.readLock();
        open.lock();
        try {
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", attributes);
            try {
                content.writeTo(tmp);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } finally {
            open.unlock();
        }
    }

    /**
     * The run's exit-time teardown is done and the JVM halts next: writing closes for good once the writes in
     * progress have completed; a later write waits for the halt.
     */
    public void closeAtExit() {
        if (closed.compareAndSet(false, true)) {
            gate.writeLock().lock(); // never released: the JVM halts with it held
        }
    }

    /** Whether writing closed at exit. */
    public boolean closed() {
        return closed.get();
    }
}
