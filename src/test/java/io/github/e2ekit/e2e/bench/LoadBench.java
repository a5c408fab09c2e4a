package io.github.e2ekit.e2e.bench;

import com.github.dockerjava.api.command.BuildImageResultCallback;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineDiscovery;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.ImageLoader;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.LoadResult;
import io.github.e2ekit.e2e.kind.NodeImageStore;
import io.github.e2ekit.e2e.kind.NodeLoad;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.testbed.KindLikeCluster;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Benchmark (not a test): loading a ~200 MB image into kind-like nodes with {@link ImageLoader} against kind's
 * own method ({@code docker save -o tar}, then {@code docker exec -i <node> ctr images import ... - < tar} on
 * every node in parallel). Every measured load goes into a freshly started cluster, so containerd has no blob
 * of the image and skips nothing. Also times a second {@link ImageLoader} load of an image every node holds.
 *
 * <p>Arguments: {@code [imageMegabytes] [rounds]}, defaults 200 2 (3 rounds take ~3.5 min on 2 cores).
 * Run with {@code bench/load/run.sh}.
 */
public final class LoadBench {
    static final String LABEL = "io.github.e2ekit.bench.load";
    private static final int FILE_BYTES = 2 << 20;
    private static final int SECOND_LOADS = 3;

    private static final Cleanup CLEANUP = new Cleanup("load bench");

    private LoadBench() {
    }

    public static void main(String[] args) throws Exception {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Runtime.getRuntime().addShutdownHook(new Thread(CLEANUP::run, "load-bench-cleanup"));
        int exit = 0;
        try {
            new LoadBench().bench(megabytes, rounds);
        } catch (Exception | Error e) {
            System.err.println("load bench failed: " + e);
            e.printStackTrace();
            exit = 1;
        } finally {
            CLEANUP.run();
        }
        System.exit(exit);
    }

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private Engine engine;
    private Path work;
    private Map<String, String> cliEnv;
    private int clusters;

    private void bench(int megabytes, int rounds) throws Exception {
        long benchStart = System.nanoTime();
        engine = new EngineDiscovery().discover(null, System.getenv());
        CLEANUP.add("engine connection", engine::close);
        work = Files.createTempDirectory("e2e-load-bench");
        CLEANUP.add("temp dir " + work, () -> deleteTree(work));
        cliEnv = new HashMap<>(System.getenv());
        if (engine.endpoint().startsWith("unix://") || engine.endpoint().startsWith("tcp://")) {
            cliEnv.put("DOCKER_HOST", engine.endpoint()); // the CLI talks to the same engine
        }
        System.out.printf("engine: %s; processors: %d, java %s%n", engine.describe(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        String reference = "e2e-load-bench:" + run;
        long t0 = System.nanoTime();
        String imageId = buildImage(reference, megabytes);
        long size = engine.client().inspectImageCmd(reference).exec().getSize();
        System.out.printf("image %s (%s), %.1f MB, generated and built in %.1f s%n", reference,
                imageId.substring(0, 19), size / 1048576.0, secondsSince(t0));

        // warm-up, untimed: page cache of the image layers, JIT and connection pool for ours, CLI binaries
        try (KindLikeCluster c = cluster(0)) {
            kindMethod(reference, c);
        }
        try (KindLikeCluster c = cluster(0)) {
            ours(reference, imageId, c, NodeLoad.Action.IMPORTED);
        }
        double apiExport = exportOnly(reference);
        System.out.printf("export alone (engine API to nowhere): %.2f s%n", apiExport);

        String[] lines = new String[3];
        double[] secondLoad = new double[2];
        int[] sizes = {1, 3};
        for (int s = 0; s < sizes.length; s++) {
            int nodes = sizes[s];
            double[] kind = new double[rounds];
            double[] kindSave = new double[rounds];
            double[] mine = new double[rounds];
            double[] again = new double[SECOND_LOADS];
            for (int r = 0; r < rounds; r++) {
                try (KindLikeCluster c = cluster(nodes - 1)) {
                    double[] k = kindMethod(reference, c);
                    kind[r] = k[0];
                    kindSave[r] = k[1];
                }
                try (KindLikeCluster c = cluster(nodes - 1)) {
                    mine[r] = ours(reference, imageId, c, NodeLoad.Action.IMPORTED);
                    if (r == rounds - 1) {
                        for (int i = 0; i < SECOND_LOADS; i++) {
                            again[i] = ours(reference, imageId, c, NodeLoad.Action.ALREADY_PRESENT);
                        }
                    }
                }
                System.out.printf("%d node%s, round %d: kind %.2f s (save %.2f s + import %.2f s), ours %.2f s%n",
                        nodes, nodes == 1 ? "" : "s", r + 1, kind[r], kindSave[r], kind[r] - kindSave[r], mine[r]);
            }
            double k = median(kind);
            double m = median(mine);
            double target = nodes == 1 ? 0.9 : 0.8;
            lines[s] = String.format("%d node%s: kind %.2f s, ours %.2f s, ratio %.2f   (kind: save %.2f s +"
                            + " import %.2f s; target <= %.1f: %s)", nodes, nodes == 1 ? "" : "s", k, m, m / k,
                    median(kindSave), k - median(kindSave), target, m / k <= target ? "met" : "NOT met");
            secondLoad[s] = median(again);
            System.out.printf("%d node%s, second loads: %s s%n", nodes, nodes == 1 ? "" : "s",
                    Arrays.toString(Arrays.stream(again).mapToObj(d -> String.format("%.2f", d)).toArray()));
        }
        double second = secondLoad[1];
        lines[2] = String.format("second load: %.2f s (3 nodes, median of %d; 1 node %.2f s; target <= 0.5 s: %s)",
                second, SECOND_LOADS, secondLoad[0], second <= 0.5 ? "met" : "NOT met");
        System.out.println();
        System.out.printf("medians of %d rounds, each load cold into a fresh cluster; image %.1f MB%n", rounds,
                size / 1048576.0);
        for (String l : lines) {
            System.out.println(l);
        }
        System.out.printf("(%d clusters started; benchmark took %.0f s)%n", clusters, secondsSince(benchStart));
    }

    // ---- image -------------------------------------------------------------------------------------------

    /**
     * Builds {@code FROM scratch} with busybox and {@code megabytes} of pseudo-random files (2 MiB each) under
     * {@code /data}; the build context is an uncompressed tar written into the temp dir and deleted afterwards.
     */
    private String buildImage(String reference, int megabytes) throws Exception {
        Path context = work.resolve("context.tar");
        String dockerfile = "FROM scratch\nCOPY busybox /bin/busybox\nCOPY data/ /data/\nLABEL " + LABEL + "=" + run
                + "\n";
        SplittableRandom random = new SplittableRandom();
        byte[] buf = new byte[FILE_BYTES];
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(context), 1 << 20);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            byte[] df = dockerfile.getBytes(StandardCharsets.UTF_8);
            entry(tar, "Dockerfile", df, df.length, 0644);
            byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
            entry(tar, "busybox", busybox, busybox.length, 0755);
            long total = (long) megabytes << 20;
            for (int i = 0; (long) i * FILE_BYTES < total; i++) {
                random.nextBytes(buf);
                int n = (int) Math.min(FILE_BYTES, total - (long) i * FILE_BYTES);
                entry(tar, String.format("data/d%02d/f%04d.bin", i % 16, i), buf, n, 0644);
            }
        }
        CLEANUP.add("image " + reference, () -> engine.client().removeImageCmd(reference).withForce(true).exec());
        try (InputStream in = Files.newInputStream(context)) {
            engine.client().buildImageCmd(in)
                    .withTags(Set.of(reference))
                    .withPull(false)
                    .withForcerm(true)
                    .exec(new BuildImageResultCallback())
                    .awaitImageId(4, TimeUnit.MINUTES);
        } finally {
            Files.deleteIfExists(context);
        }
        var inspect = engine.client().inspectImageCmd(reference).exec();
        String label = inspect.getConfig().getLabels() == null ? null : inspect.getConfig().getLabels().get(LABEL);
        if (!run.equals(label)) {
            throw new IllegalStateException(reference + " does not carry " + LABEL + "=" + run);
        }
        return inspect.getId();
    }

    private static void entry(TarArchiveOutputStream tar, String name, byte[] data, int length, int mode)
            throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(length);
        e.setMode(mode);
        tar.putArchiveEntry(e);
        tar.write(data, 0, length);
        tar.closeArchiveEntry();
    }

    // ---- clusters ----------------------------------------------------------------------------------------

    /** A fresh kind-like cluster (untimed), removed by the caller or, on failure, by the cleanup. */
    private KindLikeCluster cluster(int workers) throws Exception {
        String name = "e2e-lb-" + run + "-" + (++clusters);
        KindLikeCluster c = KindLikeCluster.start(engine, name, workers);
        CLEANUP.add("cluster " + name, c::close);
        for (KindNode n : c.nodes()) {
            String content = c.ctr(n, "content", "ls", "-q").strip();
            if (!content.isEmpty()) {
                throw new IllegalStateException("node " + n.name() + " is not empty: " + content);
            }
        }
        sync(); // earlier rounds' writes are on disk, not competing with this round
        return c;
    }

    // ---- the two methods ---------------------------------------------------------------------------------

    /**
     * kind's method: {@code docker save -o tar}, then the tar into {@code ctr images import} on every node in
     * parallel through {@code docker exec -i}, then the tar deleted. Returns {total, save} in seconds.
     */
    private double[] kindMethod(String reference, KindLikeCluster cluster) throws Exception {
        Path tar = work.resolve("image-" + run + ".tar");
        long start = System.nanoTime();
        double save;
        try {
            cli(List.of("docker", "save", "-o", tar.toString(), reference), null, work.resolve("save.log"));
            save = secondsSince(start);
            List<Process> imports = new ArrayList<>();
            List<Path> logs = new ArrayList<>();
            for (KindNode n : cluster.nodes()) {
                Path log = work.resolve("import-" + n.name() + ".log");
                logs.add(log);
                imports.add(process(List.of("docker", "exec", "-i", n.name(), "ctr", "--namespace=k8s.io", "images",
                        "import", "--digests", "--snapshotter=overlayfs", "-"), tar, log));
            }
            for (int i = 0; i < imports.size(); i++) {
                await(imports.get(i), logs.get(i));
            }
        } finally {
            Files.deleteIfExists(tar);
        }
        double total = secondsSince(start);
        String nodeRef = engine.nodeName(ImageReference.parse(reference));
        String id = engine.client().inspectImageCmd(reference).exec().getId();
        for (KindNode n : cluster.nodes()) { // untimed: the baseline really did the whole job
            String found = new NodeImageStore(engine, n).imageIds().get(nodeRef);
            if (found == null || !found.endsWith(id.substring(id.indexOf(':') + 1))) {
                throw new IllegalStateException("kind method: node " + n.name() + " resolves " + nodeRef + " to "
                        + found);
            }
        }
        return new double[] {total, save};
    }

    /** {@link ImageLoader#load}; checks that every node saw {@code expected}. Returns seconds. */
    private double ours(String reference, String imageId, KindLikeCluster cluster, NodeLoad.Action expected) {
        Ledger ledger = Ledger.start(work.resolve("ledger-" + cluster.name() + ".json"), run, "load-bench");
        ImageLoader loader = new ImageLoader(engine, ledger, cluster.name());
        long start = System.nanoTime();
        LoadResult r = loader.load(cluster.nodes(), ImageReference.parse(reference), imageId);
        double seconds = secondsSince(start);
        if (r.count(expected) != cluster.nodes().size()) {
            throw new IllegalStateException("ours: expected " + expected + " on every node, got " + r.summary());
        }
        return seconds;
    }

    /** The engine export alone, read to the end and dropped: the floor under both methods. */
    private double exportOnly(String reference) throws IOException {
        byte[] buf = new byte[1 << 20];
        long start = System.nanoTime();
        try (InputStream in = engine.client().saveImageCmd(reference).exec()) {
            while (in.read(buf) >= 0) {
                // drop
            }
        }
        return secondsSince(start);
    }

    // ---- processes ---------------------------------------------------------------------------------------

    private Process process(List<String> cmd, Path stdin, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(cliEnv);
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        return pb.start();
    }

    private void cli(List<String> cmd, Path stdin, Path log) throws Exception {
        await(process(cmd, stdin, log), log);
    }

    private static void await(Process p, Path log) throws Exception {
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(p.info().commandLine().orElse("process") + " did not finish in 5 min");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(p.info().commandLine().orElse("process") + " failed (exit "
                    + p.exitValue() + "): " + Files.readString(log).strip());
        }
    }

    private static void sync() throws Exception {
        new ProcessBuilder("sync").inheritIO().start().waitFor(2, TimeUnit.MINUTES);
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private static double secondsSince(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Undo steps, run last-registered first, once: from {@code main}'s finally or from the shutdown hook. */
    static final class Cleanup {
        interface Step {
            void run() throws Exception;
        }

        private final Deque<Map.Entry<String, Step>> steps = new ArrayDeque<>();
        private final String name;

        Cleanup(String name) {
            this.name = name;
        }

        synchronized void add(String what, Step step) {
            steps.push(Map.entry(what, step));
        }

        synchronized void run() {
            while (!steps.isEmpty()) {
                Map.Entry<String, Step> s = steps.pop();
                try {
                    s.getValue().run();
                } catch (Exception | Error e) {
                    System.err.println(name + " cleanup: " + s.getKey() + ": " + e);
                }
            }
        }
    }
}
