package io.github.e2ekit.e2e.kind;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file lock per cluster name under the user's cache directory, so parallel module builds
 * ({@code mvn -T 4}) that share a cluster create it once. Held across threads of one JVM and across JVMs.
 */
public final class ClusterLock implements AutoCloseable {
    private static final Object IN_JVM = new Object();
    private final FileChannel channel;
    private final FileLock lock;

    private ClusterLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static Path defaultDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("e2e-maven-plugin").resolve("locks");
    }

    public static ClusterLock acquire(Path directory, String cluster) {
        try {
            Files.createDirectories(directory);
            FileChannel ch = FileChannel.open(
                    directory.resolve(cluster + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            // A JVM may hold a file lock only once; threads of one JVM queue on the monitor first.
            synchronized (IN_JVM) {
                while (true) {
                    try {
                        return new ClusterLock(ch, ch.lock());
                    } catch (OverlappingFileLockException e) {
                        IN_JVM.wait(50);
                    }
                }
            }
        } catch (IOException e) {
            throw new ClusterException(
                    "cannot lock cluster '" + cluster + "' under " + directory + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while waiting for the lock of cluster '" + cluster + "'");
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // released with the channel
        }
        synchronized (IN_JVM) {
            IN_JVM.notifyAll();
        }
    }
}
