package io.github.e2ekit.e2e.testbed;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * What the invoker ITs' prebuild scripts share (they get the test classpath): waiting for the test bed
 * the build started, and putting busybox into an image context.
 */
public final class ItPrebuild {
    private ItPrebuild() {
    }

    /** Waits until {@code ../../<testbed>/testbed.properties} exists (the launcher writes it when ready). */
    public static File awaitTestBed(File basedir, String testbed, long millis, String failure) throws InterruptedException {
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
                Files.copy(Path.of("/bin/busybox"), new File(basedir, context + "/busybox").toPath(),
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
