package io.github.e2ekit.e2e.bench;

import io.github.e2ekit.e2e.source.BuildContext;
import io.github.e2ekit.e2e.source.SourceDigest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benchmark (not a test): times {@link SourceDigest} (walk + hash) against
 * {@code find . -type f -print0 | sort -z | xargs -0 sha256sum > /dev/null} on a generated context.
 *
 * <p>Arguments: {@code [files] [totalMegabytes] [rounds]}, defaults 20000 300 3. Run with {@code bench/digest/run.sh}.
 */
public final class DigestBench {

    public static void main(String[] args) throws Exception {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        long totalBytes = (args.length > 1 ? Long.parseLong(args[1]) : 300L) << 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;

        Path dir = Files.createTempDirectory("e2e-digest-bench");
        try {
            long t0 = System.nanoTime();
            long written = generate(dir, files, totalBytes);
            System.out.printf(
                    "generated %d files, %.1f MB in %s (%.1f s)%n",
                    files + 1, written / 1048576.0, dir, (System.nanoTime() - t0) / 1e9);
            System.out.printf(
                    "processors: %d, java %s%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

            // warm-up: page cache for both, JIT for ours
            baseline(dir);
            String digest = ours(dir);
            ours(dir);

            double[] base = new double[rounds];
            double[] mine = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long s = System.nanoTime();
                baseline(dir);
                base[r] = (System.nanoTime() - s) / 1e9;
                s = System.nanoTime();
                String d = ours(dir);
                mine[r] = (System.nanoTime() - s) / 1e9;
                if (!d.equals(digest)) {
                    throw new IllegalStateException("digest not stable");
                }
                System.out.printf("round %d: baseline %.3f s, SourceDigest %.3f s%n", r + 1, base[r], mine[r]);
            }
            double b = median(base);
            double m = median(mine);
            System.out.printf(
                    "median: baseline (find|sort|xargs sha256sum) %.3f s, SourceDigest %.3f s,"
                            + " ratio ours/baseline %.2f%n",
                    b, m, m / b);
            System.out.printf(
                    "throughput: SourceDigest %.0f MB/s, baseline %.0f MB/s%n",
                    written / 1048576.0 / m, written / 1048576.0 / b);
        } finally {
            deleteTree(dir);
        }
    }

    private static String ours(Path dir) throws IOException {
        return SourceDigest.compute(BuildContext.scan(dir), null, Map.of());
    }

    private static void baseline(Path dir) throws Exception {
        Process p = new ProcessBuilder(
                        "bash", "-c", "find . -type f -print0 | sort -z | xargs -0 sha256sum > /dev/null")
                .directory(dir.toFile())
                .inheritIO()
                .start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("baseline failed");
        }
    }

    /** Nested directories, sizes skewed (many small, a few large files), pseudo-random content. */
    private static long generate(Path dir, int files, long totalBytes) throws IOException {
        SplittableRandom rnd = new SplittableRandom(42);
        double[] weights = new double[files];
        double sum = 0;
        for (int i = 0; i < files; i++) {
            double u = rnd.nextDouble();
            weights[i] = Math.exp(u * 6); // 1 .. ~400 relative sizes
            sum += weights[i];
        }
        byte[] pool = new byte[4 << 20];
        rnd.nextBytes(pool);
        long written = 0;
        Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\nCOPY . /\n");
        for (int i = 0; i < files; i++) {
            Path f = dir.resolve(
                    String.format("m%02d/s%02d/p%d/file-%05d.dat", i % 20, (i / 20) % 16, (i / 320) % 4, i));
            Files.createDirectories(f.getParent());
            long size = (long) (weights[i] / sum * totalBytes);
            try (OutputStream out = Files.newOutputStream(f)) {
                long left = size;
                while (left > 0) {
                    int off = rnd.nextInt(pool.length - 65536);
                    int n = (int) Math.min(left, 65536);
                    out.write(pool, off, n);
                    left -= n;
                }
            }
            written += size;
        }
        return written;
    }

    private static double median(double[] xs) {
        double[] c = xs.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
