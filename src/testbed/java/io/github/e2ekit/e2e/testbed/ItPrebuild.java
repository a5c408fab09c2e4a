package io.github.e2ekit.e2e.testbed;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineDiscovery;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.KindNodes;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Properties;
import java.util.function.BiConsumer;

/**
 * What the invoker ITs' prebuild scripts share (they get the test classpath): waiting for the test bed
 * the build started, and putting busybox into an image context.
 */
public final class ItPrebuild {
    private ItPrebuild() {}

    /** Waits until {@code ../../<testbed>/testbed.properties} exists (the launcher writes it when ready). */
    public static File awaitTestBed(File basedir, String testbed, long millis, String failure)
            throws InterruptedException {
        File ready = new File(basedir, "../../" + testbed + "/testbed.properties");
        long deadline = System.currentTimeMillis() + millis;
        while (!ready.exists() && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        if (!ready.exists()) {
            throw new AssertionError(failure);
        }
        return ready;
    }

    /** The Docker test bed, up to 2 min. */
    public static File awaitTestBed(File basedir) throws InterruptedException {
        return awaitTestBed(basedir, "it-testbed", 120_000, "the test bed did not start");
    }

    /** Copies the host's busybox into each context directory (relative to {@code basedir}). */
    public static void copyBusybox(File basedir, String... contexts) {
        for (String context : contexts) {
            try {
                Files.copy(
                        Path.of("/bin/busybox"),
                        new File(basedir, context + "/busybox").toPath(),
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * kind's local-registry set-up ({@link KindLocalRegistry}) on the nodes of the Docker test bed, for a registry
     * listening on the host at {@code registryHost} — what a user does once per cluster before registry mode.
     */
    public static void setUpKindLocalRegistry(File basedir, String registryHost) throws InterruptedException {
        withTestBedNodes(basedir, (engine, nodes) -> KindLocalRegistry.setUp(engine, nodes, registryHost));
    }

    /** Undoes {@link #setUpKindLocalRegistry} (the test bed serves other ITs afterwards). */
    public static void tearDownKindLocalRegistry(File basedir, String registryHost) throws InterruptedException {
        withTestBedNodes(basedir, (engine, nodes) -> KindLocalRegistry.tearDown(engine, nodes, registryHost));
    }

    private static void withTestBedNodes(File basedir, BiConsumer<Engine, List<KindNode>> action)
            throws InterruptedException {
        Properties p = new Properties();
        try (var in = Files.newInputStream(awaitTestBed(basedir).toPath())) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Engine engine = new EngineDiscovery().connect(p.getProperty("dockerHost"))) {
            List<KindNode> nodes = KindNodes.list(engine, p.getProperty("cluster"));
            if (nodes.isEmpty()) {
                throw new AssertionError("the test bed cluster " + p.getProperty("cluster") + " has no nodes");
            }
            action.accept(engine, nodes);
        }
    }
}
