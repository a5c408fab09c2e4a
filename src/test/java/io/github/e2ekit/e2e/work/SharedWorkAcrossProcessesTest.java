package io.github.e2ekit.e2e.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared work across JVMs on one machine (two CI jobs): other JVMs are started with this test's class path
 * ({@link LockHolderMain}) and hold, race for, or die holding a key.
 */
class SharedWorkAcrossProcessesTest {
    private static final String KEY = "image build of ctx (test)";

    @TempDir
    Path dir;

    private final List<Child> children = new ArrayList<>();
    private SharedWork work;

    @BeforeEach
    void openWork() {
        work = new SharedWork(dir);
    }

    @AfterEach
    void stopChildren() {
        children.forEach(c -> c.process.destroyForcibly());
    }

    @Test
    void aHolderKilledWithSigkillReleasesItsLockAndTheWaiterProceedsPromptly() throws Exception {
        Child holder = holding("holder");
        Told told = new Told();
        CompletableFuture<Long> acquiredAt = CompletableFuture.supplyAsync(() -> {
            try (SharedWork.Held held = work.acquire(key(), "waiter", Duration.ofMinutes(1), told)) {
                return System.nanoTime();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(told.await()).isTrue();
        Thread.sleep(300);
        assertThat(acquiredAt).isNotDone();
        long killedAt = System.nanoTime();
        holder.process.destroyForcibly(); // SIGKILL: no shutdown hook, no finally runs in the holder
        long acquired = acquiredAt.get(30, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(acquired - killedAt)).isLessThan(Duration.ofSeconds(2));
        assertThat(told.first())
                .startsWith("pid " + holder.process.pid() + " on ")
                .contains("holding for holder");
    }

    @Test
    void twoJvmsRacingForOneKeyTakeTurnsTheSecondWaitingForTheFirst() throws Exception {
        Path log = dir.resolve("work.log");
        Path go = dir.resolve("go");
        Child a = start("a", "work", log.toString(), "1500", go.toString());
        Child b = start("b", "work", log.toString(), "1500", go.toString());
        a.await("READY");
        b.await("READY");
        Files.createFile(go);
        assertThat(a.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(b.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(a.process.exitValue()).isZero();
        assertThat(b.process.exitValue()).isZero();
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(4);
        String first = lines.get(0).substring("start ".length());
        String second = first.equals("a") ? "b" : "a";
        assertThat(lines).containsExactly("start " + first, "end " + first, "start " + second, "end " + second);
        Child waiter = second.equals("a") ? a : b;
        Child holder = second.equals("a") ? b : a;
        assertThat(waiter.output)
                .anyMatch(l -> l.startsWith("WAITED pid " + holder.process.pid() + " on ")
                        && l.contains("working as " + first));
    }

    @Test
    void aWaitLongerThanAllowedFailsNamingTheKeyAndTheHoldingProcess() throws Exception {
        Child holder = holding("ci-job-2");
        long start = System.nanoTime();
        assertThatThrownBy(() -> work.acquire(key(), "waiter", Duration.ofMillis(400), h -> {}))
                .isInstanceOf(WorkWaitTimeoutException.class)
                .hasMessageContaining("waited 400 ms for " + KEY)
                .hasMessageContaining("which pid " + holder.process.pid() + " on ")
                .hasMessageContaining("holding for ci-job-2")
                .hasMessageContaining(
                        dir.toRealPath().resolve(key().hash() + ".lock").toString());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aThreadWaitingForAnotherJvmStopsWhenInterrupted() throws Exception {
        Child holder = holding("holder");
        Told told = new Told();
        BlockingQueue<Throwable> outcome = new LinkedBlockingQueue<>();
        Thread waiter = new Thread(() -> {
            try {
                work.exclusively(key(), "waiter", Duration.ofMinutes(1), told, () -> "worked");
                outcome.add(new AssertionError("worked although interrupted"));
            } catch (Throwable t) {
                outcome.add(t);
            }
        });
        waiter.start();
        assertThat(told.await()).isTrue();
        waiter.interrupt();
        Throwable t = outcome.poll(5, TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(WorkInterruptedException.class).hasMessageContaining(KEY);
        assertThat(t.getCause()).isInstanceOf(InterruptedException.class);
        // nothing leaked in this JVM: once the holder is gone, this JVM takes the key at once
        holder.process.destroyForcibly().waitFor();
        assertThat(work.exclusively(key(), "again", Duration.ofSeconds(10), h -> {}, () -> "worked"))
                .isEqualTo("worked");
    }

    @Test
    void aLockFileHeldByAnotherJvmIsNeverRemovedHoweverOld() throws Exception {
        Child holder = start("holder", "hold");
        String line = holder.await("HOLDING");
        Path file = Path.of(line.substring("HOLDING ".length()));
        Files.setLastModifiedTime(
                file,
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(Duration.ofDays(3))));
        assertThat(work.cleanNow(true)).isZero();
        assertThat(file).exists();
    }

    private WorkKey key() {
        return WorkKey.of(KEY, List.of(KEY));
    }

    /** What a waiter in this JVM is told about the holder; {@link #await} returns once it was told: it waits. */
    private static final class Told implements Consumer<String> {
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final CountDownLatch once = new CountDownLatch(1);

        @Override
        public void accept(String holder) {
            lines.add(holder);
            once.countDown();
        }

        boolean await() throws InterruptedException {
            return once.await(30, TimeUnit.SECONDS);
        }

        String first() {
            return lines.get(0);
        }
    }

    /** Another JVM holding the key, working as {@code name}, once it says so. */
    private Child holding(String name) throws Exception {
        Child holder = start(name, "hold");
        holder.await("HOLDING");
        return holder;
    }

    private Child start(String name, String... mode) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                LockHolderMain.class.getName(),
                dir.toString(),
                KEY,
                name));
        cmd.addAll(List.of(mode));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        Child c = new Child(p);
        children.add(c);
        return c;
    }

    /** A child JVM whose output lines are collected as they come. */
    private static final class Child {
        final Process process;
        final List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Child(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        output.add(l);
                        lines.add(l);
                    }
                } catch (java.io.IOException e) {
                    // the child ended
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        String await(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String l = lines.poll(100, TimeUnit.MILLISECONDS);
                if (l != null && l.startsWith(prefix)) {
                    return l;
                }
                if (l == null && !process.isAlive()) {
                    throw new AssertionError("the child JVM ended (exit " + process.exitValue() + ") before " + prefix);
                }
            }
            throw new AssertionError("the child JVM did not print " + prefix + " within 60 s");
        }
    }
}
