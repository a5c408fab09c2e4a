package io.github.e2ekit.e2e.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One build at a time per module: its work directory holds the ledger, report and manifests of one run, so a
 * second build of the same checkout (another {@code mvn}, or another build in the same JVM) must not run e2e goals
 * there at the same time. A file lock on {@code <workDirectory>/run.lock}, held from a build's first goal until its
 * run is released; the operating system drops it when the process ends, even on {@code kill -9}. The file names the
 * holder's process, for the message.
 */
final class ModuleLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private ModuleLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the module's lock, or fails at once with one line naming the build that holds it. */
    static ModuleLock take(Path workDirectory) {
        Path file = workDirectory.resolve("run.lock");
        FileChannel ch = null;
        try {
            Files.createDirectories(workDirectory);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // another build in this JVM holds it
            }
            if (lock == null) {
                String holder = holder(ch);
                ch.close();
                throw new GoalFailure("another build is running e2e goals in " + workDirectory + " right now ("
                        + holder + "): two builds of one module would share its ledger; wait until it ends, or build"
                        + " a copy of the module");
            }
            ch.truncate(0);
            ch.write(
                    ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)),
                    0);
            return new ModuleLock(ch, lock);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new GoalFailure(
                    "cannot lock " + file + " (" + e.getMessage() + "); check that " + workDirectory + " is writable");
        }
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(64);
            int n = ch.read(b, 0);
            String text = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8).trim();
            if (text.equals("pid " + ProcessHandle.current().pid())) {
                return "another build in this JVM";
            }
            return text.isEmpty()
                    ? "a process that just started"
                    : text.startsWith("pid ") ? "process " + text.substring(4) : text;
        } catch (IOException | RuntimeException e) {
            return "another process";
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // released with the channel
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // nothing held any more
            }
        }
    }
}
