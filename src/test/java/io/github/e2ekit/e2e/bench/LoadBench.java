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
 * Benchmark (not a test): {@link ImageLoader} against kind's own method ({@code docker save -o tar}, then
 * {@code docker exec -i <node> ctr images import ... - < tar} on every node in parallel), same run, for two
 * images that share a ~200 MB base and differ in a ~5 MB top layer, into 1 and 3 kind-like nodes:
 * <ul>
 * <li>cold: the first image into a freshly started cluster (containerd holds nothing, skips nothing);</li>
 * <li>incremental: then the second image into the same cluster (each method into the cluster it loaded the
 * first image into). Ours sends only the changed layer; kind's sends the whole export again.</li>
 * </ul>
 * Also times a load of an image every node holds.
 *
 * <p>Arguments: {@code [baseMegabytes] [topMegabytes] [rounds]}, defaults 200 5 2 (~3 min on 2 cores). Run
 * with {@code bench/load/run.sh}.
 */
public final class LoadBench {
    static final String LABEL = "io.github.e2ekit.bench.load";
    private static final int FILE_BYTES = 2 << 20;
    private static final long SEED = 20261122L;

    private static final Cleanup CLEANUP = new Cleanup("load bench");

    private LoadBench() {}

    public static void main(String[] args) throws Exception {
        int baseMegabytes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int topMegabytes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Runtime.getRuntime().addShutdownHook(new Thread(CLEANUP::run, "load-bench-cleanup"));
        int exit = 0;
        try {
            new LoadBench().bench(baseMegabytes, topMegabytes, rounds);
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

    private void bench(int baseMegabytes, int topMegabytes, int rounds) throws Exception {
        long benchStart = System.nanoTime();
        engine = new EngineDiscovery().discover(null, System.getenv());
        CLEANUP.add("engine connection", engine::close);
        work = Files.createTempDirectory("e2e-load-bench");
        CLEANUP.add("temp dir " + work, () -> deleteTree(work));
        cliEnv = new HashMap<>(System.getenv());
        if (engine.endpoint().startsWith("unix://") || engine.endpoint().startsWith("tcp://")) {
            cliEnv.put("DOCKER_HOST", engine.endpoint()); // the CLI talks to the same engine
        }
        System.out.printf(
                "engine: %s; processors: %d, java %s%n",
                engine.describe(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        String first = "e2e-load-bench:" + run + "-v1";
        String second = "e2e-load-bench:" + run + "-v2";
        long t0 = System.nanoTime();
        String firstId = buildImage(first, baseMegabytes, topMegabytes, 1);
        String secondId = buildImage(second, baseMegabytes, topMegabytes, 2);
        List<String> firstLayers =
                engine.client().inspectImageCmd(first).exec().getRootFS().getLayers();
        List<String> secondLayers =
                engine.client().inspectImageCmd(second).exec().getRootFS().getLayers();
        Set<String> changed = new java.util.LinkedHashSet<>(secondLayers);
        changed.removeAll(firstLayers);
        if (changed.size() != 1 || secondLayers.size() != firstLayers.size()) {
            throw new IllegalStateException(
                    "the two images should differ in their top layer only: " + firstLayers + " / " + secondLayers);
        }
        long size = engine.client().inspectImageCmd(second).exec().getSize();
        System.out.printf(
                "images %s and %s: %.1f MB each (%d layers), differing in the top layer;"
                        + " generated and built in %.1f s%n",
                first, second, size / 1e6, secondLayers.size(), secondsSince(t0));

        // untimed: page cache of the layers, the engine's export path, JIT of the reader
        double exportFirst = exportOnly(first);
        double exportSecond = exportOnly(second);
        System.out.printf("export alone (engine API to nowhere): %.2f s, %.2f s%n", exportFirst, exportSecond);

        int[] sizes = {1, 3};
        String[] lines = new String[4];
        double[] present = new double[2];
        for (int s = 0; s < sizes.length; s++) {
            int nodes = sizes[s];
            double[] kindCold = new double[rounds];
            double[] kindIncr = new double[rounds];
            double[] oursCold = new double[rounds];
            double[] oursIncr = new double[rounds];
            double[] again = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                boolean kindFirst = r % 2 == 0; // alternate which method goes first
                for (int m = 0; m < 2; m++) {
                    if ((m == 0) == kindFirst) {
                        try (KindLikeCluster c = cluster(nodes - 1)) {
                            kindCold[r] = kindMethod(first, c)[0];
                            sync();
                            kindIncr[r] = kindMethod(second, c)[0];
                        }
                    } else {
                        try (KindLikeCluster c = cluster(nodes - 1)) {
                            oursCold[r] = ours(first, firstId, c, firstLayers.size());
                            sync();
                            oursIncr[r] = ours(second, secondId, c, 1);
                            again[r] = alreadyPresent(second, secondId, c);
                        }
                    }
                }
                System.out.printf(
                        "%d node%s, round %d: cold kind %.2f s, ours %.2f s; incremental kind %.2f s,"
                                + " ours %.2f s; already present %.2f s%n",
                        nodes,
                        nodes == 1 ? "" : "s",
                        r + 1,
                        kindCold[r],
                        oursCold[r],
                        kindIncr[r],
                        oursIncr[r],
                        again[r]);
            }
            double incrTarget = nodes == 1 ? 0.35 : 0.2;
            lines[2 * s] = line(nodes, "incremental", median(kindIncr), median(oursIncr), incrTarget);
            lines[2 * s + 1] = line(nodes, "cold", median(kindCold), median(oursCold), 1.0);
            present[s] = median(again);
        }
        System.out.println();
        System.out.printf("medians of %d rounds; images %.1f MB, top layer %d MB%n", rounds, size / 1e6, topMegabytes);
        for (String l : lines) {
            System.out.println(l);
        }
        System.out.printf("already present: %.2f s (1 node), %.2f s (3 nodes)%n", present[0], present[1]);
        System.out.printf("(%d clusters started; benchmark took %.0f s)%n", clusters, secondsSince(benchStart));
    }

    private static String line(int nodes, String what, double kind, double ours, double target) {
        return String.format(
                "%d node%s, %s: kind %.2f s, ours %.2f s, ratio %.2f (target <= %.2f: %s)",
                nodes,
                nodes == 1 ? "" : "s",
                what,
                kind,
                ours,
                ours / kind,
                target,
                ours / kind <= target ? "met" : "NOT met");
    }

    // ---- images ------------------------------------------------------------------------------------------

    /**
     * Builds {@code FROM scratch} with busybox, {@code baseMegabytes} of pseudo-random files (2 MiB each, the same
     * for every version: fixed seed) under {@code /data}, and {@code topMegabytes} of files that differ per
     * {@code version} under {@code /top}; one layer each. The build context is an uncompressed tar in the temp dir,
     * deleted afterwards; the second version reuses the first one's base layers (build cache).
     */
    private String buildImage(String reference, int baseMegabytes, int topMegabytes, int version) throws Exception {
        Path context = work.resolve("context.tar");
        String dockerfile = "FROM scratch\nCOPY busybox /bin/busybox\nCOPY data/ /data/\nCOPY top/ /top/\nLABEL "
                + LABEL + "=" + run + "\n";
        SplittableRandom base = new SplittableRandom(SEED);
        SplittableRandom top = new SplittableRandom(SEED + version);
        byte[] buf = new byte[FILE_BYTES];
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(context), 1 << 20);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            byte[] df = dockerfile.getBytes(StandardCharsets.UTF_8);
            entry(tar, "Dockerfile", df, df.length, 0644);
            byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
            entry(tar, "busybox", busybox, busybox.length, 0755);
            files(tar, "data", base, buf, (long) baseMegabytes << 20);
            files(tar, "top", top, buf, (long) topMegabytes << 20);
        }
        CLEANUP.add(
                "image " + reference,
                () -> engine.client().removeImageCmd(reference).withForce(true).exec());
        try (InputStream in = Files.newInputStream(context)) {
            engine.client()
                    .buildImageCmd(in)
                    .withTags(Set.of(reference))
                    .withPull(false)
                    .withForcerm(true)
                    .exec(new BuildImageResultCallback())
                    .awaitImageId(4, TimeUnit.MINUTES);
        } finally {
            Files.deleteIfExists(context);
        }
        var inspect = engine.client().inspectImageCmd(reference).exec();
        String label = inspect.getConfig().getLabels() == null
                ? null
                : inspect.getConfig().getLabels().get(LABEL);
        if (!run.equals(label)) {
            throw new IllegalStateException(reference + " does not carry " + LABEL + "=" + run);
        }
        return inspect.getId();
    }

    private static void files(TarArchiveOutputStream tar, String dir, SplittableRandom random, byte[] buf, long total)
            throws IOException {
        for (int i = 0; (long) i * FILE_BYTES < total; i++) {
            random.nextBytes(buf);
            int n = (int) Math.min(FILE_BYTES, total - (long) i * FILE_BYTES);
            entry(tar, String.format("%s/d%02d/f%04d.bin", dir, i % 16, i), buf, n, 0644);
        }
    }

    private static void entry(TarArchiveOutputStream tar, String name, byte[] data, int length, int mode)
            throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(length);
        e.setMode(mode);
        e.setModTime(1_700_000_000_000L); // the same context every time: the build cache keeps the base layers
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
                imports.add(process(
                        List.of(
                                "docker",
                                "exec",
                                "-i",
                                n.name(),
                                "ctr",
                                "--namespace=k8s.io",
                                "images",
                                "import",
                                "--digests",
                                "--snapshotter=overlayfs",
                                "-"),
                        tar,
                        log));
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
                throw new IllegalStateException(
                        "kind method: node " + n.name() + " resolves " + nodeRef + " to " + found);
            }
        }
        return new double[] {total, save};
    }

    /**
     * {@link ImageLoader#load} of an image the nodes lack; checks that every node imported it incrementally
     * (no fallback) with exactly {@code layersSent} layers sent. Returns seconds.
     */
    private double ours(String reference, String imageId, KindLikeCluster cluster, int layersSent) {
        LoadResult r = load(reference, imageId, cluster);
        for (NodeLoad n : r.nodes()) {
            if (n.action() != NodeLoad.Action.IMPORTED
                    || n.transfer() == null
                    || n.transfer().fullImport()
                    || n.transfer().layersSent() != layersSent) {
                throw new IllegalStateException("ours: expected an incremental import of " + layersSent
                        + " layer(s) into every node, got " + r.summary());
            }
        }
        System.out.println("  ours: " + r.summary());
        return r.seconds();
    }

    /** {@link ImageLoader#load} of an image every node holds. Returns seconds. */
    private double alreadyPresent(String reference, String imageId, KindLikeCluster cluster) {
        LoadResult r = load(reference, imageId, cluster);
        if (r.count(NodeLoad.Action.ALREADY_PRESENT) != cluster.nodes().size()) {
            throw new IllegalStateException("ours: expected the image present on every node, got " + r.summary());
        }
        return r.seconds();
    }

    private LoadResult load(String reference, String imageId, KindLikeCluster cluster) {
        Ledger ledger = Ledger.start(work.resolve("ledger-" + cluster.name() + ".json"), run, "load-bench");
        ImageLoader loader = new ImageLoader(engine, ledger, cluster.name());
        long start = System.nanoTime();
        LoadResult r = loader.load(cluster.nodes(), ImageReference.parse(reference), imageId);
        return new LoadResult(r.reference(), r.imageId(), r.nodes(), r.exportedBytes(), secondsSince(start));
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
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
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
            throw new IllegalStateException(p.info().commandLine().orElse("process") + " failed (exit " + p.exitValue()
                    + "): " + Files.readString(log).strip());
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
