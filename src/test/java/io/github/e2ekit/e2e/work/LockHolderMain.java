package io.github.e2ekit.e2e.work;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/**
 * A second JVM for {@link SharedWorkAcrossProcessesTest}: {@code <dir> <key> <name> hold} takes the key, prints
 * {@code HOLDING}, and keeps it until killed; {@code <dir> <key> <name> work <log> <millis> <go-file>} prints
 * {@code READY}, waits for the go file, takes the key, appends {@code start <name>} and, after the pause,
 * {@code end <name>} to the log, and releases it. A wait is printed as {@code WAITED <holder>}.
 */
public final class LockHolderMain {
    private LockHolderMain() {}

    public static void main(String[] args) throws Exception {
        SharedWork work = new SharedWork(Path.of(args[0]));
        WorkKey key = WorkKey.of(args[1], List.of(args[1]));
        String name = args[2];
        if (args[3].equals("hold")) {
            SharedWork.Held held = work.acquire(key, "holding for " + name, Duration.ofMinutes(1), h -> {});
            System.out.println("HOLDING " + held.file());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
            return;
        }
        Path log = Path.of(args[4]);
        long millis = Long.parseLong(args[5]);
        Path go = Path.of(args[6]);
        System.out.println("READY");
        System.out.flush();
        while (!Files.exists(go)) {
            Thread.sleep(2);
        }
        work.exclusively(
                key,
                "working as " + name,
                Duration.ofMinutes(1),
                holder -> {
                    System.out.println("WAITED " + holder);
                    System.out.flush();
                },
                () -> {
                    append(log, "start " + name);
                    try {
                        Thread.sleep(millis);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    append(log, "end " + name);
                    return null;
                });
        System.out.println("DONE");
    }

    private static void append(Path log, String line) {
        try {
            Files.writeString(
                    log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
