package io.github.e2ekit.e2e.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A SHA-256 digest of everything a Docker build depends on from the source side: the entries of a
 * {@link BuildContext} (path, type, executable bit, size, symbolic link target, file content), the Dockerfile's
 * content (also when it lives outside the context), the build target and the build arguments.
 *
 * <p>The digest does not depend on file system order, absolute paths, timestamps, owners or permission bits other
 * than the owner execute bit (the only ones {@link ContextTar} sends). Entries ignored by the ignore file do not
 * contribute. File contents are hashed in parallel on all processors; the per-file hashes are then combined in
 * entry order.
 */
public final class SourceDigest {

    /** Version tag: changes whenever the encoding below changes. */
    private static final String FORMAT = "e2e-source-digest/v1";

    private static final int BUFFER_SIZE = 1 << 19;

    private SourceDigest() {}

    /** {@link #compute(BuildContext, String, Map)} without target and build arguments. */
    public static String compute(BuildContext context) throws BuildContextException {
        return compute(context, null, Map.of());
    }

    /**
     * Computes the digest.
     *
     * @param context   the scanned context
     * @param target    the build target stage, or null
     * @param buildArgs build arguments (null map or null values allowed; a null value differs from an empty one)
     * @return 64 lower-case hex characters
     * @throws BuildContextException when a file cannot be read or changed size since the scan
     */
    public static String compute(BuildContext context, String target, Map<String, String> buildArgs)
            throws BuildContextException {
        List<ContextEntry> entries = context.entries();
        byte[][] fileHashes = hashFiles(context, entries);

        MessageDigest md = BuildContext.sha256();
        putString(md, FORMAT);
        putLong(md, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            ContextEntry e = entries.get(i);
            putString(md, e.path());
            switch (e.type()) {
                case FILE:
                    md.update((byte) (e.executable() ? 'x' : 'f'));
                    putLong(md, e.size());
                    md.update(fileHashes[i]);
                    break;
                case DIRECTORY:
                    md.update((byte) 'd');
                    break;
                case SYMLINK:
                    md.update((byte) 'l');
                    putString(md, e.linkTarget());
                    break;
                default:
                    throw new IllegalStateException(e.type().toString());
            }
        }
        putString(md, "dockerfile");
        md.update(BuildContext.sha256().digest(context.dockerfileContent()));
        putString(md, "target");
        putNullable(md, target);
        putString(md, "args");
        Map<String, String> args = new TreeMap<>(ContextEntry.PATH_ORDER);
        if (buildArgs != null) {
            args.putAll(buildArgs);
        }
        putLong(md, args.size());
        for (Map.Entry<String, String> a : args.entrySet()) {
            putString(md, a.getKey());
            putNullable(md, a.getValue());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** SHA-256 of each file entry's content (null for other entries), computed on all processors. */
    static byte[][] hashFiles(BuildContext context, List<ContextEntry> entries) throws BuildContextException {
        byte[][] hashes = new byte[entries.size()][];
        List<Integer> files = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).isFile()) {
                files.add(i);
                total += entries.get(i).size();
            }
        }
        if (files.isEmpty()) {
            return hashes;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicReference<BuildContextException> failure = new AtomicReference<>();
        Runnable worker = () -> {
            // one digest and read buffer per worker, reused for every file it hashes
            MessageDigest md = BuildContext.sha256();
            byte[] buf = new byte[BUFFER_SIZE];
            int k;
            while (failure.get() == null && (k = next.getAndIncrement()) < files.size()) {
                int i = files.get(k);
                ContextEntry e = entries.get(i);
                try {
                    hashes[i] = hashFile(context.resolve(e), e.size(), md, buf);
                } catch (BuildContextException ex) {
                    failure.compareAndSet(null, ex);
                }
            }
        };
        int threads = Math.min(Runtime.getRuntime().availableProcessors(), files.size());
        if (total < (1 << 20) && files.size() < 64) {
            threads = 1; // not worth a hand-off
        }
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 1; t < threads; t++) {
            futures.add(ForkJoinPool.commonPool().submit(worker)); // the JDK's daemon workers
        }
        worker.run();
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, new BuildContextException("Interrupted while hashing the build context"));
            } catch (ExecutionException ex) {
                failure.compareAndSet(null, new BuildContextException("Hashing failed: " + ex.getCause(), ex));
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return hashes;
    }

    /** SHA-256 of one file, which must still have {@code expectedSize} bytes. */
    static byte[] hashFile(Path file, long expectedSize, MessageDigest md, byte[] buf) throws BuildContextException {
        md.reset();
        ByteBuffer bb = ByteBuffer.wrap(buf);
        long read = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (true) {
                bb.clear();
                if (read >= expectedSize) {
                    bb.limit(1); // only probe for growth
                }
                int n = ch.read(bb);
                if (n < 0) {
                    break;
                }
                read += n;
                if (read > expectedSize) {
                    break;
                }
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new BuildContextException("Cannot read " + file + ": " + e, e);
        }
        if (read != expectedSize) {
            throw new BuildContextException("File changed while reading the build context: " + file + " (expected "
                    + expectedSize + " bytes, found " + (read > expectedSize ? "more" : read) + ")");
        }
        return md.digest();
    }

    private static void putNullable(MessageDigest md, String s) {
        if (s == null) {
            md.update((byte) 0);
        } else {
            md.update((byte) 1);
            putString(md, s);
        }
    }

    private static void putString(MessageDigest md, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        putLong(md, b.length);
        md.update(b);
    }

    private static void putLong(MessageDigest md, long v) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            md.update((byte) (v >>> shift));
        }
    }
}
