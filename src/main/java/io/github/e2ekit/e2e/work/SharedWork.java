package io.github.e2ekit.e2e.work;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Work on the same inputs done one caller at a time, within this JVM (threads, e.g. {@code mvn -T 4}) and across the
 * JVMs of one user on this machine (two CI jobs): the second caller of a {@link WorkKey} waits for the first, then
 * does its own work — which finds what the first left (an engine's build cache, layers already in a node).
 *
 * <p>Across JVMs the lock is an operating-system file lock ({@link FileChannel#tryLock}) on {@code <hash>.lock} in a
 * per-user, owner-only directory; the system drops it when its process ends, however it ends ({@code kill -9}
 * included), so a dead holder never blocks anyone. The holder writes its pid and what it does into the file, for the
 * waiters' messages. Within the JVM a fair lock per file comes first (a JVM holds file locks for the whole process,
 * and closing any channel on a file may drop them all, so only the thread holding the JVM's lock for a file ever
 * opens it).
 *
 * <p>No deadlock: a thread holds at most one shared-work lock at a time (taking a second fails at once), and every
 * wait is bounded and interruptible. Lock files unused for a day are removed — only files named like ours, only
 * while locked by the remover, only when the name still leads to the file it locked. Where no lock directory can be
 * made, work is shared within the JVM only ({@link #forUser()}).
 */
public final class SharedWork {
    /** The byte that is locked: past the holder record, so reading the record is never blocked (mandatory locks). */
    static final long LOCKED_BYTE = 1L << 40;

    static final Duration UNUSED_FOR = Duration.ofDays(1);
    private static final long CLEAN_EVERY_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final long MAX_POLL_MILLIS = 100;
    private static final Pattern LOCK_FILE = Pattern.compile("[0-9a-f]{64}\\.lock");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final String UNKNOWN_HOLDER = "another process (it has not written its pid yet)";
    private static final SharedWork NONE = new SharedWork(null);

    /** The lock this thread holds, if any. */
    private final ThreadLocal<Held> holding = new ThreadLocal<>();
    /**
     * This JVM's lock per lock file. Java holds a file lock for the whole JVM and closing any channel on the file may
     * drop it, so one SharedWork serves a lock directory in a JVM ({@code Runs} keeps the one for this user).
     */
    private final ConcurrentHashMap<Path, Local> locals = new ConcurrentHashMap<>();

    private final Path configuredDir;
    private final boolean fileLocks;
    private volatile Path dir;
    private final AtomicLong nextClean = new AtomicLong(System.nanoTime());

    /** Locks in {@code directory} (created owner-only when missing). */
    public SharedWork(Path directory) {
        this(directory, true);
    }

    private SharedWork(Path directory, boolean fileLocks) {
        this.configuredDir = directory;
        this.fileLocks = fileLocks;
    }

    /**
     * This user's locks: {@code $XDG_CACHE_HOME/e2e-maven-plugin/locks}, else {@code ~/.cache/e2e-maven-plugin/locks};
     * where that cannot be made (a read-only home), {@code <java.io.tmpdir>/e2e-maven-plugin-<user>/locks}; where
     * neither can, shared within this JVM only (a build never fails for want of a lock directory). A new one each
     * call: one serves the JVM ({@code Runs} keeps it).
     */
    public static SharedWork forUser() {
        return firstUsable(
                defaultDirectory(System.getenv(), System.getProperty("user.home")),
                Path.of(
                        System.getProperty("java.io.tmpdir"),
                        "e2e-maven-plugin-" + System.getProperty("user.name"),
                        "locks"));
    }

    /** No sharing: every caller does its work at once. */
    public static SharedWork none() {
        return NONE;
    }

    static SharedWork firstUsable(Path... directories) {
        for (Path d : directories) {
            SharedWork w = new SharedWork(d);
            try {
                w.directory();
                return w;
            } catch (RuntimeException e) {
                // the next one
            }
        }
        return new SharedWork(directories[0], false);
    }

    public static Path defaultDirectory(Map<String, String> environment, String home) {
        String xdg = environment.get("XDG_CACHE_HOME");
        // the XDG base directory specification: a relative path is invalid and ignored
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg) : Path.of(home, ".cache");
        return base.resolve("e2e-maven-plugin").resolve("locks");
    }

    /**
     * Runs {@code work} while holding {@code key}: waits (at most {@code maxWait}) while another thread or process holds
     * it, telling {@code onWait} once who that is. Fails with {@link WorkWaitTimeoutException} (naming the key and the
     * holder) when the wait is too long, {@link WorkInterruptedException} when interrupted.
     */
    public <T> T exclusively(WorkKey key, String what, Duration maxWait, Consumer<String> onWait, Supplier<T> work) {
        if (configuredDir == null) {
            return work.get();
        }
        try (Held held = acquire(key, what, maxWait, onWait)) {
            return work.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkInterruptedException("interrupted while waiting for " + key, e);
        }
    }

    /**
     * Takes {@code key}, waiting at most {@code maxWait}; close the result (in the same thread) to release it.
     *
     * @throws IllegalStateException when this thread already holds a shared-work lock
     */
    public Held acquire(WorkKey key, String what, Duration maxWait, Consumer<String> onWait)
            throws InterruptedException {
        Objects.requireNonNull(configuredDir, "SharedWork.none() takes no locks");
        Held already = holding.get();
        if (already != null) {
            throw new IllegalStateException("this thread already holds " + already.key + " and takes one shared-work"
                    + " lock at a time (so no two callers can deadlock): release it before taking " + key);
        }
        Path directory = fileLocks ? directory() : configuredDir;
        if (fileLocks) {
            cleanNow(false);
        }
        long deadline = System.nanoTime() + maxWait.toNanos();
        Path file = directory.resolve(key.hash() + ".lock");
        Local local = ref(file);
        boolean locked = false;
        try {
            Consumer<String> once = onceOnly(onWait);
            if (!local.lock.tryLock()) {
                long first = System.nanoTime();
                while (!local.lock.tryLock(
                        Math.min(TimeUnit.MILLISECONDS.toNanos(50), Math.max(0, deadline - System.nanoTime())),
                        TimeUnit.NANOSECONDS)) {
                    String holder = local.holder;
                    long now = System.nanoTime();
                    // the holder names itself just after locking: tell the waiter once it has
                    if (holder != null || now - first > TimeUnit.MILLISECONDS.toNanos(500)) {
                        once.accept(inThisJvm(holder));
                    }
                    if (now - deadline >= 0) {
                        throw timeout(key, maxWait, inThisJvm(holder), file);
                    }
                }
            }
            locked = true;
            local.holder = describeSelf(what);
            Held held = fileLocks
                    ? lockFile(key, what, file, local, deadline, maxWait, once)
                    : new Held(key, file, local, null, null);
            holding.set(held);
            return held;
        } finally {
            if (holding.get() == null || holding.get().file != file) {
                if (locked) {
                    local.holder = null;
                    local.lock.unlock();
                }
                unref(file);
            }
        }
    }

    private static String inThisJvm(String holder) {
        return holder == null ? "another thread of this JVM" : holder + " (this JVM)";
    }

    private Held lockFile(
            WorkKey key, String what, Path file, Local local, long deadline, Duration maxWait, Consumer<String> onWait)
            throws InterruptedException {
        long pause = 5;
        long firstRefusal = 0;
        while (true) {
            try {
                createIfMissing(file);
                Object before = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .fileKey();
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                String holder;
                try {
                    FileLock lock = ch.tryLock(LOCKED_BYTE, 1, false);
                    if (lock != null) {
                        if (namesFile(file, before)) {
                            writeRecord(ch, key, what);
                            return new Held(key, file, local, ch, lock);
                        }
                        lock.release(); // a remover deleted the file we opened: take the one the name leads to now
                        ch.close();
                        continue;
                    }
                    holder = readHolder(ch);
                } catch (IOException | RuntimeException e) {
                    ch.close();
                    throw e;
                }
                ch.close();
                long now = System.nanoTime();
                firstRefusal = firstRefusal == 0 ? now : firstRefusal;
                // a holder writes its record just after locking: tell the waiter who it is once it is readable
                if (holder != null || now - firstRefusal > TimeUnit.MILLISECONDS.toNanos(500)) {
                    onWait.accept(holder == null ? UNKNOWN_HOLDER : holder);
                }
                long left = deadline - now;
                if (left <= 0) {
                    throw timeout(key, maxWait, holder == null ? UNKNOWN_HOLDER : holder, file);
                }
                Thread.sleep(Math.min(pause, TimeUnit.NANOSECONDS.toMillis(left) + 1));
                pause = Math.min(pause * 2, MAX_POLL_MILLIS);
            } catch (NoSuchFileException e) {
                // removed between our steps: try again
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lock " + file + " for " + key + ": " + e.getMessage(), e);
            }
        }
    }

    private static boolean namesFile(Path file, Object before) throws IOException {
        try {
            Object now = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
            return before == null || before.equals(now);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static void createIfMissing(Path file) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_FILE));
        } catch (UnsupportedOperationException e) {
            try {
                Files.createFile(file);
            } catch (FileAlreadyExistsException raced) {
                // another process created it
            }
        } catch (FileAlreadyExistsException e) {
            // another process created it
        }
    }

    private static void writeRecord(FileChannel ch, WorkKey key, String what) throws IOException {
        String record = describeSelf(what) + "\n" + "key: " + key + "\n";
        ch.truncate(0);
        ByteBuffer b = ByteBuffer.wrap(record.getBytes(StandardCharsets.UTF_8));
        long at = 0;
        while (b.hasRemaining()) {
            at += ch.write(b, at);
        }
    }

    private static String readHolder(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(2048);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // read on
        }
        String text = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        String first = text.lines().findFirst().orElse("").strip();
        return first.isEmpty() ? null : first;
    }

    static String describeSelf(String what) {
        return "pid " + ProcessHandle.current().pid() + " on " + Host.NAME + " (" + what + ", since "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ")";
    }

    /** The host name, looked up once (it may ask a resolver). */
    private static final class Host {
        static final String NAME = lookUp();

        private static String lookUp() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "this host";
            }
        }
    }

    private static WorkWaitTimeoutException timeout(WorkKey key, Duration maxWait, String holder, Path file) {
        return new WorkWaitTimeoutException("waited " + human(maxWait) + " for " + key + ", which " + holder
                + " still holds (lock file " + file + "): let it finish, or stop that process — a stopped process"
                + " releases the lock at once");
    }

    private static String human(Duration d) {
        return d.toMinutes() >= 1
                ? d.toMinutes() + " min"
                : d.toMillis() >= 1000 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static Consumer<String> onceOnly(Consumer<String> onWait) {
        boolean[] told = {false};
        return holder -> {
            if (!told[0] && onWait != null) {
                told[0] = true;
                onWait.accept(holder);
            }
        };
    }

    /** The lock directory, created owner-only; one that others may write to is made owner-only, or refused. */
    Path directory() {
        Path d = dir;
        if (d != null) {
            return d;
        }
        synchronized (this) {
            if (dir == null) {
                try {
                    try {
                        Files.createDirectories(configuredDir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
                    } catch (UnsupportedOperationException e) {
                        Files.createDirectories(configuredDir);
                    }
                    Path real = configuredDir.toRealPath();
                    if (Files.getFileStore(real).supportsFileAttributeView("posix")) {
                        String me = System.getProperty("user.name");
                        String owner = Files.getOwner(real).getName();
                        if (!owner.equals(me)) {
                            throw new IllegalStateException("the lock directory " + real + " belongs to " + owner
                                    + ", not to " + me + ": remove it, or set XDG_CACHE_HOME to a directory of yours");
                        }
                        if (!OWNER_DIR.containsAll(Files.getPosixFilePermissions(real))) {
                            Files.setPosixFilePermissions(real, OWNER_DIR);
                        }
                    }
                    dir = real;
                } catch (IOException e) {
                    throw new UncheckedIOException(
                            "cannot create the lock directory " + configuredDir + ": " + e.getMessage()
                                    + " (set XDG_CACHE_HOME to a writable directory)",
                            e);
                }
            }
            return dir;
        }
    }

    /**
     * Removes lock files unused (not taken) for {@link #UNUSED_FOR}; {@code force} runs now, else at most hourly.
     * Returns how many were removed.
     */
    int cleanNow(boolean force) {
        long now = System.nanoTime();
        long next = nextClean.get();
        if (!force && (now - next < 0 || !nextClean.compareAndSet(next, now + CLEAN_EVERY_NANOS))) {
            return 0;
        }
        return removeUnused(Instant.now().minus(UNUSED_FOR));
    }

    int removeUnused(Instant usedBefore) {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory())) {
            for (Path f : files) {
                if (LOCK_FILE.matcher(f.getFileName().toString()).matches() && removeIfUnused(f, usedBefore)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            // cleaning is best effort: the next run tries again
        }
        return removed;
    }

    private boolean removeIfUnused(Path f, Instant usedBefore) {
        Local local = ref(f);
        try {
            if (!local.lock.tryLock()) {
                return false;
            }
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!a.isRegularFile() || !a.lastModifiedTime().toInstant().isBefore(usedBefore)) {
                    return false;
                }
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    FileLock lock = ch.tryLock(LOCKED_BYTE, 1, false);
                    if (lock == null) {
                        return false;
                    }
                    try {
                        BasicFileAttributes again =
                                Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                        if (!Objects.equals(a.fileKey(), again.fileKey())
                                || !again.lastModifiedTime().toInstant().isBefore(usedBefore)) {
                            return false;
                        }
                        Files.delete(f);
                        return true;
                    } finally {
                        lock.release();
                    }
                }
            } finally {
                local.lock.unlock();
            }
        } catch (IOException e) {
            return false;
        } finally {
            unref(f);
        }
    }

    private Local ref(Path file) {
        return locals.compute(file, (k, v) -> {
            Local l = v == null ? new Local() : v;
            l.users++;
            return l;
        });
    }

    private void unref(Path file) {
        locals.computeIfPresent(file, (k, v) -> --v.users == 0 ? null : v);
    }

    /** This JVM's lock for one file; {@code users} counts threads holding or waiting, so unused ones are dropped. */
    private static final class Local {
        final ReentrantLock lock = new ReentrantLock(true);
        int users;
        volatile String holder;
    }

    /** A held shared-work lock; {@link #close()} releases it (in the thread that took it). */
    public final class Held implements AutoCloseable {
        private final WorkKey key;
        private final Path file;
        private final Local local;
        private final FileChannel channel;
        private final FileLock lock;
        private boolean closed;

        private Held(WorkKey key, Path file, Local local, FileChannel channel, FileLock lock) {
            this.key = key;
            this.file = file;
            this.local = local;
            this.channel = channel;
            this.lock = lock;
        }

        public WorkKey key() {
            return key;
        }

        /** The lock file (for tests and messages). */
        public Path file() {
            return file;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (channel != null) {
                try {
                    channel.truncate(0);
                } catch (IOException e) {
                    // the record stays; the next holder overwrites it
                }
                try {
                    lock.release();
                    channel.close();
                } catch (IOException e) {
                    // closing the channel releases the lock in any case
                }
            }
            local.holder = null;
            holding.remove();
            local.lock.unlock();
            unref(file);
        }
    }
}
