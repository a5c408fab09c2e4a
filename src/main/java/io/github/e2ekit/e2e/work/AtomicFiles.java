package io.github.e2ekit.e2e.work;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Files replaced whole (the ledger, the run report, reuse records, kubeconfigs): written to a temporary file beside
 * the target, then moved over it, so a reader sees the old content or the new, never half of it.
 *
 * <p>At JVM exit (Ctrl-C, SIGTERM) the e2e shutdown hooks tear down while the goal they interrupted may still be
 * writing on another thread; the JVM halts as soon as the hooks end, and a halt between the temporary file and the
 * move leaves the temporary file behind. So when the last registered e2e hook is done, writing closes for good: a
 * write in progress completes first, a later one waits for the halt. This is the JVM's exit, and so JVM-wide like the
 * shutdown hooks it follows; outside an exit nothing ever waits here.
 */
public final class AtomicFiles {
    private static final ExitGate EXIT = new ExitGate();

    private AtomicFiles() {}

    /** What goes into the temporary file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path temporary) throws IOException;
    }

    /**
     * Writes {@code target} whole: {@code content} into a temporary file in the same directory (made with
     * {@code attributes}, e.g. owner-only permissions), moved over the target; the temporary file never stays.
     */
    public static void write(Path target, Content content, FileAttribute<?>... attributes) throws IOException {
        EXIT.write(target, content, attributes);
    }

    /** An e2e shutdown hook was registered: writing stays open at exit until it is done. */
    public static void exitHookRegistered(Thread hook) {
        EXIT.registered(hook);
    }

    /** An e2e shutdown hook was unregistered (its build ended): it will not run. */
    public static void exitHookRemoved(Thread hook) {
        EXIT.removed(hook);
    }

    /**
     * Called by an e2e shutdown hook as its last step: when no other registered hook is still to finish, writing
     * closes — after the writes in progress — and stays closed until the JVM halts.
     */
    public static void exitHookDone(Thread hook) {
        EXIT.done(hook);
    }

    /** The JVM's one gate; tests make their own. */
    static final class ExitGate {
        /** Writes hold the read side (any number at once); closing at exit takes the write side and keeps it. */
        private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();

        private final Set<Thread> hooks = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean closed = new AtomicBoolean();

        void write(Path target, Content content, FileAttribute<?>... attributes) throws IOException {
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

        void registered(Thread hook) {
            hooks.add(hook);
        }

        void removed(Thread hook) {
            hooks.remove(hook);
        }

        void done(Thread hook) {
            hooks.remove(hook);
            if (hooks.isEmpty() && closed.compareAndSet(false, true)) {
                gate.writeLock().lock(); // never released: the JVM halts with it held
            }
        }

        boolean closed() {
            return closed.get();
        }
    }
}
