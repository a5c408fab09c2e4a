package io.github.e2ekit.e2e.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private final AtomicFiles files = new AtomicFiles();

    @Test
    void replacesTheTargetWholeAndLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("sub/ledger.json");
        files.write(target, tmp -> Files.writeString(tmp, "one"));
        files.write(target, tmp -> Files.writeString(tmp, "two"));
        assertThat(target).hasContent("two");
        assertThat(names(target.getParent())).containsExactly("ledger.json");
    }

    @Test
    void aFailedWriteKeepsTheOldContentAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("report.json");
        files.write(target, tmp -> Files.writeString(tmp, "old"));
        assertThatThrownBy(() -> files.write(target, tmp -> {
                    Files.writeString(tmp, "half");
                    throw new IOException("disk full");
                }))
                .hasMessage("disk full");
        assertThat(target).hasContent("old");
        assertThat(names(dir)).containsExactly("report.json");
    }

    @Test
    void theTemporaryFileIsMadeWithTheAttributesAsked() throws IOException {
        Path target = dir.resolve("kubeconfig");
        files.write(
                target,
                tmp -> {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp)))
                            .isEqualTo("rw-------");
                    Files.writeString(tmp, "x");
                },
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
                .isEqualTo("rw-------");
    }

    @Test
    void atExitAWriteInProgressCompletesThenLaterWritesNeverStart() throws Exception {
        AtomicFiles gate = new AtomicFiles();
        Path target = dir.resolve("ledger.json");

        // the interrupted goal is writing: its content is half written when the run's exit teardown is done
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        CompletableFuture<Void> inProgress = CompletableFuture.runAsync(() -> write(gate, target, tmp -> {
            Files.writeString(tmp, "goal's");
            writing.countDown();
            await(finish);
        }));
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(gate::closeAtExit);
        Thread.sleep(300);
        assertThat(closing).as("closing waits for the write in progress").isNotDone();
        finish.countDown();
        closing.get(10, TimeUnit.SECONDS);
        inProgress.get(10, TimeUnit.SECONDS);
        assertThat(gate.closed()).isTrue();
        assertThat(target).hasContent("goal's");
        assertThat(names(dir)).containsExactly("ledger.json");

        // a write after the close waits for the halt: no temporary file is even made
        Thread later = new Thread(() -> write(gate, target, tmp -> Files.writeString(tmp, "later")));
        later.setDaemon(true);
        later.start();
        later.join(300);
        assertThat(later.isAlive()).isTrue();
        assertThat(target).hasContent("goal's");
        assertThat(names(dir)).containsExactly("ledger.json");
    }

    @Test
    void closingOneRunsWritesLeavesAnotherRunsOpen() throws IOException {
        AtomicFiles closedRun = new AtomicFiles();
        closedRun.closeAtExit();
        closedRun.closeAtExit(); // a second close does not wait on the first
        files.write(dir.resolve("other.json"), tmp -> Files.writeString(tmp, "still written"));
        assertThat(dir.resolve("other.json")).hasContent("still written");
    }

    private static void write(AtomicFiles gate, Path target, AtomicFiles.Content content) {
        try {
            gate.write(target, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
