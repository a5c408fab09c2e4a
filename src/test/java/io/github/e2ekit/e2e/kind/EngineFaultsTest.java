package io.github.e2ekit.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.e2ekit.e2e.image.BuildFailedException;
import io.github.e2ekit.e2e.image.BuildOptions;
import io.github.e2ekit.e2e.image.BuildResult;
import io.github.e2ekit.e2e.image.DecidedImages;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineDiscovery;
import io.github.e2ekit.e2e.image.ImageBuilder;
import io.github.e2ekit.e2e.image.ImageLabels;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.image.ImageSpec;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.NodeImageEntry;
import io.github.e2ekit.e2e.tag.PhaseZero;
import io.github.e2ekit.e2e.tag.TagDecision;
import io.github.e2ekit.e2e.testbed.EngineFaults;
import io.github.e2ekit.e2e.testbed.KindLikeCluster;
import io.github.e2ekit.e2e.testbed.TestEngine;
import io.github.e2ekit.e2e.testbed.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine misbehaving under the plugin's core (issue 19, engine faults): the core talks to the engine through
 * {@link EngineFaults}, which answers 500, cuts connections or drops them all at the moment a test chooses. Each
 * case ends in a completed step (where a retry is safe) or one line naming what failed; nothing is left behind in
 * the engine, in the node or in the temporary directory; the ledger says what the node holds; and the next run,
 * with the engine behaving, is green.
 */
class EngineFaultsTest {
    private static Engine real;

    @AutoClose
    private static EngineFaults faults;

    @AutoClose
    private static Engine faulty;

    @AutoClose
    private static KindLikeCluster cluster;

    @AutoClose
    private static TestImages images;

    @TempDir
    Path dir;

    private final String run = PhaseZero.newRunId();
    private final DecidedImages decided = new DecidedImages(run);
    private Set<String> tmpBefore;

    @BeforeAll
    static void start() {
        real = TestEngine.require();
        faults = EngineFaults.start(real.endpoint());
        faulty = new EngineDiscovery().connect(faults.host());
        cluster =
                KindLikeCluster.start(real, "efaults-" + ProcessHandle.current().pid(), 0);
        images = new TestImages(real);
    }

    @BeforeEach
    void noRules() throws Exception {
        faults.clear();
        tmpBefore = tmpEntries();
    }

    @AfterEach
    void removeBuilt() {
        faults.clear();
        decided.remove(real);
    }

    // ---- build ----

    @Test
    void aBuildAnswered500FailsWithOneLineAndLeavesNoImageThenTheNextBuildIsGreen() throws Exception {
        TagDecision d = decide();
        faults.on("POST", "^/build").answer500();
        Throwable t = catchThrowable(() -> build(d));
        assertThat(faults.injected()).isPositive();
        assertThat(t).isInstanceOf(BuildFailedException.class);
        assertOneLine(t.getMessage());
        assertThat(t.getMessage()).contains("500");
        assertThat(real.imagesLabelled(Map.of(ImageLabels.RUN, run))).isEmpty();
        assertThat(real.inspectImage(d.reference().toString())).isEmpty();
        assertNoTempLeft();
        faults.clear();
        BuildResult again = build(d);
        assertThat(again.outcome()).isEqualTo(BuildResult.Outcome.BUILT);
        assertThat(real.inspectImage(d.reference().toString()))
                .get()
                .extracting(i -> i.id())
                .isEqualTo(again.imageId());
    }

    @Test
    void theEngineRestartingBetweenBuildAndLoadIsWaitedForByTheLoadsRetries() throws Exception {
        TagDecision d = decide();
        BuildResult b = build(d);
        faults.restart(Duration.ofMillis(300)); // connections dropped, the socket gone for a moment: load starts now
        Ledger ledger = ledger();
        LoadResult r =
                new ImageLoader(faulty, ledger, cluster.name()).load(cluster.nodes(), d.reference(), b.imageId());
        assertThat(r.count(NodeLoad.Action.IMPORTED)).isEqualTo(1);
        assertNodeHolds(d.reference(), b.imageId());
        assertThat(states(ledger)).containsExactly(EntryState.CREATED);
        removeFromNode(d.reference());
    }

    // ---- load: export and exec ----

    @Test
    void anExportAnswered500FailsTheLoadWithOneLineOrIsRetriedAndTheNextLoadIsGreen() {
        checkLoadFault(() -> faults.on("GET", "^/images/[^/]+/get").answer500(), "export");
    }

    @Test
    void anExportCutMidStreamFailsTheLoadWithOneLineOrIsRetriedAndTheNextLoadIsGreen() {
        checkLoadFault(() -> faults.on("GET", "^/images/[^/]+/get").cutAnswerAfter(8192), "export");
    }

    @Test
    void anExecIntoTheNodeAnswered500FailsTheLoadWithOneLineOrIsRetriedAndTheNextLoadIsGreen() {
        checkLoadFault(
                () -> faults.on("POST", "^/containers/[^/]+/exec")
                        .bodyContains("\"import\"")
                        .answer500(),
                "import");
    }

    @Test
    void anExportAnswered500EveryTimeFailsTheLoadWithOneLineNamingTheImageAndTheEngineAnswer() {
        checkLoadFault(() -> faults.on("GET", "^/images/[^/]+/get").times(100).answer500(), "export");
    }

    @Test
    void theImportsExecConnectionCutFailsTheLoadWithOneLineOrIsRetriedAndTheNextLoadIsGreen() {
        // the exec created for the import is started next (one node): its connection is cut as it starts
        checkLoadFault(
                () -> faults.on("POST", "^/containers/[^/]+/exec")
                        .bodyContains("\"import\"")
                        .then(() -> faults.on("POST", "^/exec/[^/]+/start").cutAnswerAfter(0)),
                "import");
    }

    /**
     * Loads an image with {@code fault} armed: the load completes with the image in the node, or fails with one line
     * naming the image and {@code step}; in both cases the node holds nothing half-done (no name of the image, no
     * lease or content the failed import left), the ledger's entry is CREATED exactly when the node holds it, no temp
     * file is left; then the same load, unharmed, is green.
     */
    private void checkLoadFault(Runnable fault, String step) {
        ImageReference ref = ImageReference.parse("localhost/efaults/app:" + run);
        String id = images.build(ref.toString(), Map.of("big.bin", "x".repeat(3 << 20), "m.txt", run), "");
        KindNode node = cluster.nodes().get(0);
        Set<String> leasesBefore = Set.copyOf(lines(cluster.ctr(node, "leases", "ls", "-q")));
        Ledger ledger = ledger();
        fault.run();
        Throwable t =
                catchThrowable(() -> new ImageLoader(faulty, ledger, cluster.name()).load(cluster.nodes(), ref, id));
        assertThat(faults.injected()).as("the fault was injected").isPositive();
        faults.clear();
        System.out.println("engine fault on load → " + (t == null ? "completed" : t.getMessage()));
        boolean holds = cluster.imageRefs(node).contains(ref.toString());
        if (t != null) {
            assertThat(t).isInstanceOf(LoadException.class);
            assertOneLine(t.getMessage());
            assertThat(t.getMessage())
                    .contains(ref.toString().replace("localhost/", ""))
                    .containsIgnoringCase(step);
            assertThat(holds).as("the node holds nothing of a failed load").isFalse();
            assertThat(states(ledger)).doesNotContain(EntryState.CREATED);
        } else {
            assertThat(holds).isTrue();
            assertThat(states(ledger)).containsExactly(EntryState.CREATED);
        }
        assertThat(Set.copyOf(lines(cluster.ctr(node, "leases", "ls", "-q"))))
                .as("no lease of an interrupted import is left")
                .isEqualTo(leasesBefore);
        assertNoTempLeft();
        Ledger next = ledger();
        LoadResult again = new ImageLoader(faulty, next, cluster.name()).load(cluster.nodes(), ref, id);
        assertNodeHolds(ref, id);
        assertThat(again.count(NodeLoad.Action.ALREADY_PRESENT) + again.count(NodeLoad.Action.IMPORTED))
                .isEqualTo(1);
        assertThat(states(next))
                .as("an import is recorded as done; a node that held it is recorded as found (reused)")
                .isEqualTo(t == null ? List.of(EntryState.REUSED) : List.of(EntryState.CREATED));
        removeFromNode(ref);
    }

    // ---- nodes ----

    @Test
    void aNodeKilledMidImportFailsTheLoadWithOneLineNamingTheNodeAndTheNextLoadIsGreen() throws Exception {
        try (KindLikeCluster own = KindLikeCluster.start(
                real, "efaults-kill-" + ProcessHandle.current().pid(), 0)) {
            KindNode node = own.nodes().get(0);
            ImageReference ref = ImageReference.parse("localhost/efaults/kill:" + run);
            String id = images.build(ref.toString(), Map.of("big.bin", random(24 << 20), "m.txt", run), "");
            Ledger ledger = ledger();
            faults.on("POST", "^/containers/[^/]+/exec")
                    .bodyContains("\"import\"")
                    .then(() -> {
                        Thread killer = new Thread(() -> {
                            sleep(300);
                            real.client().killContainerCmd(node.containerId()).exec();
                        });
                        killer.setDaemon(true);
                        killer.start();
                    });
            Throwable t = catchThrowable(() -> new ImageLoader(faulty, ledger, own.name()).load(own.nodes(), ref, id));
            faults.clear();
            System.out.println("node killed mid-import → " + (t == null ? "completed" : t.getMessage()));
            assertThat(t).isInstanceOf(LoadException.class);
            assertOneLine(t.getMessage());
            assertThat(t.getMessage()).contains(node.name());
            assertThat(states(ledger)).doesNotContain(EntryState.CREATED);
            own.restart(node);
            assertThat(own.imageRefs(node)).doesNotContain(ref.toString());
            // The killed ctr could not delete the lease it imports under (containerd client/lease.go WithLease: a
            // random
            // ID, 24 h expiry, deleted by the caller when done): it stays, and containerd's GC removes it and what it
            // holds once it expired (core/metadata/gc.go, label containerd.io/gc.expire). Not the plugin's to delete: a
            // concurrent import's lease looks the same. Pinned here so a change (or a fix) is seen.
            assertThat(lines(own.ctr(node, "leases", "ls")).stream().skip(1).toList())
                    .allMatch(l -> l.contains("containerd.io/gc.expire="));
            Ledger next = ledger();
            new ImageLoader(faulty, next, own.name()).load(own.nodes(), ref, id);
            assertThat(new NodeImageStore(real, node).imageIds().get(ref.toString()))
                    .isEqualTo(id);
            assertThat(states(next)).containsExactly(EntryState.CREATED);
        }
    }

    @Test
    void aNodeWhoseDiskIsFullFailsTheLoadNamingNodeImageAndNoSpaceAndKeepsNothingOfIt() throws Exception {
        try (KindLikeCluster small = KindLikeCluster.startWithSmallDisk(
                real, "efaults-full-" + ProcessHandle.current().pid(), "6m")) {
            KindNode node = small.nodes().get(0);
            ImageReference big = ImageReference.parse("localhost/efaults/full:" + run);
            String id = images.build(big.toString(), Map.of("big.bin", random(8 << 20), "m.txt", run), "");
            Ledger ledger = ledger();
            Throwable t =
                    catchThrowable(() -> new ImageLoader(faulty, ledger, small.name()).load(small.nodes(), big, id));
            System.out.println("node disk full → " + (t == null ? "completed" : t.getMessage()));
            assertThat(t).isInstanceOf(LoadException.class);
            assertOneLine(t.getMessage());
            assertThat(t.getMessage())
                    .contains(node.name())
                    .contains(big.toString().replace("localhost/", ""))
                    .contains("no space left on device");
            assertThat(small.imageRefs(node)).doesNotContain(big.toString());
            assertThat(states(ledger)).doesNotContain(EntryState.CREATED);
            assertThat(lines(small.ctr(node, "leases", "ls", "-q")))
                    .as("no lease of the failed import")
                    .isEmpty();
            assertThat(lines(small.ctr(node, "content", "active")).stream()
                            .skip(1)
                            .toList())
                    .as("no ingest of the failed import")
                    .isEmpty();
            System.out.println("node disk after the failed import: "
                    + NodeExec.run(real, node.containerId(), "/bin/busybox", "df", "-k", "/var/lib/containerd")
                            .stdout()
                            .strip());
            assertThat(t.getMessage()).contains("the node's disk is full").contains("free space there");
            // The user frees space, as the message says; here the node's disk grows (its tmpfs remounted larger).
            // Waiting is no substitute: containerd 1.6 keeps what a failed import had half written when the disk was
            // full (content/local/writer.go Close keeps an ingest's data; content/helpers.go WriteBlob does not abort
            // it) and its collector (metadata/content.go garbageCollect → local store WalkStatusRefs/Abort) was seen
            // here to leave that ingest in place for minutes on a full disk (in about half of the runs).
            ExecResult grown = NodeExec.run(
                    real, node.containerId(), "/bin/busybox", "mount", "-o", "remount,size=64m", "/var/lib/containerd");
            assertThat(grown.ok()).as("remount: %s", grown.failureText()).isTrue();
            ImageReference little = ImageReference.parse("localhost/efaults/little:" + run);
            String littleId = images.build(little.toString(), Map.of("m.txt", run), "");
            new ImageLoader(faulty, ledger(), small.name()).load(small.nodes(), little, littleId);
            assertThat(new NodeImageStore(real, node).imageIds().get(little.toString()))
                    .isEqualTo(littleId);
        }
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes / 2];
        new java.util.Random(bytes).nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- helpers ----

    private TagDecision decide() throws Exception {
        Path context = dir.resolve("context");
        Files.createDirectories(context);
        Files.copy(Path.of("/bin/busybox"), context.resolve("busybox"));
        Files.writeString(context.resolve("run.txt"), run);
        Files.writeString(
                context.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCOPY run.txt /run.txt\n");
        ImageSpec spec = new ImageSpec(
                "app", "localhost/efaults/built-" + run, context, context.resolve("Dockerfile"), null, Map.of());
        return decided.decide(spec);
    }

    private BuildResult build(TagDecision d) {
        return DecidedImages.build(
                new ImageBuilder(faulty), d, decided.labels(d), BuildOptions.defaults(), (id, line) -> {});
    }

    private Ledger ledger() {
        return Ledger.start(dir.resolve("ledger-" + System.nanoTime() + ".json"), run, "svc");
    }

    private static List<EntryState> states(Ledger ledger) {
        return ledger.read(d -> d.nodeImages.stream().map(e -> e.state).toList());
    }

    private void assertNodeHolds(ImageReference ref, String id) {
        for (KindNode n : cluster.nodes()) {
            assertThat(new NodeImageStore(real, n).imageIds().get(ref.toString()))
                    .isEqualTo(id);
        }
    }

    private void removeFromNode(ImageReference ref) {
        for (KindNode n : cluster.nodes()) {
            NodeImageStore s = new NodeImageStore(real, n);
            List<String> refs = s.imageIds().keySet().stream()
                    .filter(r -> r.equals(ref.toString()) || r.startsWith("import-"))
                    .toList();
            s.remove(refs);
        }
    }

    private static void assertOneLine(String message) {
        assertThat(message).isNotBlank().doesNotContain("\n");
    }

    private static List<String> lines(String s) {
        return s.lines().filter(l -> !l.isBlank()).toList();
    }

    /** Temporary files the plugin's core writes: the ledger's and report's atomic-write files next to them. */
    private Set<String> tmpEntries() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return Set.copyOf(s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".tmp"))
                    .toList());
        }
    }

    private void assertNoTempLeft() {
        try {
            Set<String> now = new java.util.HashSet<>(tmpEntries());
            now.removeAll(tmpBefore);
            assertThat(now).as("temporary files left by the plugin").isEmpty();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unused")
    private static List<NodeImageEntry> entries(Ledger ledger) {
        return ledger.read(d -> d.nodeImages);
    }
}
