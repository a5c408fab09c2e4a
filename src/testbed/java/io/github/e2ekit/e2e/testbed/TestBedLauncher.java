package io.github.e2ekit.e2e.testbed;

import io.github.e2ekit.e2e.image.Engine;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the test bed for the invoker ITs: {@code TestBedLauncher <dir> [cluster] [workers] [engine endpoint]}.
 * Writes {@code <dir>/testbed.properties} (cluster, kubeconfig, engine host) once everything
 * answers, and removes everything when its parent process ends or {@code <dir>/stop} appears
 * ({@link TestBedStopper} writes it and waits for this process to end). While it runs, {@code <dir>/launcher.pid}
 * names its process.
 */
public final class TestBedLauncher {
    private TestBedLauncher() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/it-testbed").toAbsolutePath();
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("stop"));
        Files.deleteIfExists(dir.resolve("testbed.properties"));
        Path pid = dir.resolve("launcher.pid");
        Files.writeString(pid, Long.toString(ProcessHandle.current().pid()));
        try {
            launch(dir, args);
        } finally {
            Files.deleteIfExists(pid);
        }
    }

    /** The launcher process working in {@code dir}, if one is alive. */
    static java.util.Optional<ProcessHandle> running(Path dir) throws IOException {
        Path pid = dir.resolve("launcher.pid");
        if (!Files.isRegularFile(pid)) {
            return java.util.Optional.empty();
        }
        try {
            // a pid file left by a launcher that was killed may name another process by now: one started after
            // the file was written (the JDK reads at most a page of /proc/<pid>/cmdline, too little for the class)
            java.time.Instant written = Files.getLastModifiedTime(pid).toInstant();
            return ProcessHandle.of(Long.parseLong(Files.readString(pid).trim()))
                    .filter(ProcessHandle::isAlive)
                    .filter(h -> h.info()
                            .startInstant()
                            .map(t -> !t.isAfter(written))
                            .orElse(true));
        } catch (NumberFormatException | java.nio.file.NoSuchFileException e) {
            return java.util.Optional.empty();
        }
    }

    private static void launch(Path dir, String[] args) throws Exception {
        String cluster = args.length > 1 ? args[1] : "e2e-it";
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        Engine engine;
        if (args.length > 3) {
            try {
                engine = new io.github.e2ekit.e2e.image.EngineDiscovery().connect(args[3]);
            } catch (RuntimeException e) {
                System.out.println(
                        "test bed not started: no engine answers at " + args[3] + " (" + e.getMessage() + ")");
                return;
            }
        } else {
            engine = TestEngine.require();
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (TestBed bed = TestBed.start(engine, cluster, workers, dir.resolve("kubeconfig"))) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                bed.close();
            }));
            Properties p = new Properties();
            p.setProperty("cluster", cluster);
            p.setProperty("kubeconfig", bed.kubeconfig().toString());
            p.setProperty("dockerHost", engine.endpoint());
            p.setProperty("apiServer", bed.kubernetes().url());
            Path tmp = dir.resolve("testbed.properties.tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "e2e test bed");
            }
            Files.move(tmp, dir.resolve("testbed.properties"), StandardCopyOption.ATOMIC_MOVE);
            System.out.println("test bed ready: cluster " + cluster + ", API "
                    + bed.kubernetes().url());
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(stop::countDown));
            while (!stop.await(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                if (Files.exists(dir.resolve("stop"))) {
                    break;
                }
            }
        } finally {
            try {
                Files.deleteIfExists(dir.resolve("testbed.properties"));
            } catch (IOException ignored) {
                // the directory is under target/
            }
            System.out.println("test bed stopped");
        }
    }
}
