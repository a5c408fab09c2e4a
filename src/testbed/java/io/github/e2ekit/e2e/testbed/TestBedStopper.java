package io.github.e2ekit.e2e.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Stops the test beds {@link TestBedLauncher} started: {@code TestBedStopper <dir>...} writes {@code <dir>/stop} for
 * each and waits (bounded) until that launcher's process has ended, i.e. its node containers are removed. Run by the
 * build in post-integration-test, so nothing of the test bed outlives the build; the launcher's own watch on its
 * parent process stays as the fallback (a build that is killed never gets here).
 */
public final class TestBedStopper {
    /** Bound per test bed: a launcher still starting (node containers, containerd) finishes that first. */
    static final long WAIT_SECONDS = 180;

    private TestBedStopper() {}

    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            stop(Path.of(arg).toAbsolutePath(), WAIT_SECONDS);
        }
    }

    /** Asks the launcher working in {@code dir} to stop and waits for its process to end; false if it did not. */
    static boolean stop(Path dir, long waitSeconds) throws IOException, InterruptedException {
        Optional<ProcessHandle> launcher = TestBedLauncher.running(dir);
        if (launcher.isEmpty()) {
            System.out.println("test bed in " + dir + ": not running");
            return true;
        }
        Files.writeString(dir.resolve("stop"), "stop\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        // the launcher removes its pid file once its node containers are removed, then ends
        while (launcher.get().isAlive() && Files.exists(dir.resolve("launcher.pid"))) {
            if (System.nanoTime() > deadline) {
                System.out.println("test bed in " + dir + ": still running after " + waitSeconds + " s (pid "
                        + launcher.get().pid() + "); it stops when this build's JVM ends");
                return false;
            }
            Thread.sleep(100);
        }
        System.out.println("test bed in " + dir + ": stopped");
        return true;
    }
}
