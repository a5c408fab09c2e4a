package io.github.e2ekit.e2e.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shared work within one JVM (threads, as under {@code mvn -T 4}), and the lock directory's upkeep. */
class SharedWorkTest {
    @TempDir
    Path dir;

    private static WorkKey key(String name) {
        return WorkKey.of("work " + name, List.of(name));
    }

    @Test
    void threadsRacingForOneKeyWorkOneAtATimeAndAllOfThemWork() throws Exception {
        SharedWork work = new SharedWork(dir);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger waited = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(pool.submit(() -> {
                go.await();
                return work.exclusively(
                        key("same"), "thread work", Duration.ofMinutes(1), h -> waited.incrementAndGet(), () -> {
                            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            sleep(40);
                            inside.decrementAndGet();
                            return done.incrementAndGet();
                        });
            }));
        }
        go.countDown();
        for (Future<?> f : all) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(done).hasValue(6);
        assertThat(most).hasValue(1);
        assertThat(waited.get()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void differentKeysDoNotWaitForEachOther() throws Exception {
        SharedWork work = new SharedWork(dir);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> work.exclusively(key("a"), "a", Duration.ofSeconds(5), h -> {}, () -> {
            holding.countDown();
            await(release);
            return null;
        }));
        holder.start();
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        List<String> told = new ArrayList<>();
        String r = work.exclusively(key("b"), "b", Duration.ZERO, told::add, () -> "b worked");
        assertThat(r).isEqualTo("b worked");
        assertThat(told).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        release.countDown();
        holder.join(10_000);
    }

    @Test
    void aThreadWaitingInThisJvmIsToldWhoHoldsAndStopsWhenInterruptedLeavingTheHolderAlone() throws Exception {
        SharedWork work = new SharedWork(dir);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder =
                new Thread(() -> work.exclusively(key("k"), "the first build", Duration.ofSeconds(5), h -> {}, () -> {
                    holding.countDown();
                    await(release);
                    return null;
                }));
        holder.start();
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        BlockingQueue<String> told = new LinkedBlockingQueue<>();
        BlockingQueue<Throwable> outcome = new LinkedBlockingQueue<>();
        Thread waiter = new Thread(() -> {
            try {
                work.exclusively(key("k"), "the second build", Duration.ofMinutes(1), told::add, () -> "worked");
                outcome.add(new AssertionError("worked while the holder held"));
            } catch (Throwable t) {
                outcome.add(t);
            }
        });
        waiter.start();
        String holderText = told.poll(10, TimeUnit.SECONDS);
        assertThat(holderText)
                .startsWith("pid " + ProcessHandle.current().pid() + " on ")
                .contains("the first build")
                .endsWith("(this JVM)");
        waiter.interrupt();
        assertThat(outcome.poll(5, TimeUnit.SECONDS)).isInstanceOf(WorkInterruptedException.class);
        assertThat(waiter.isInterrupted() || !waiter.isAlive()).isTrue();
        // the holder still holds: a bounded wait fails, naming it
        assertThatThrownBy(() -> work.exclusively(key("k"), "third", Duration.ofMillis(200), h -> {}, () -> "x"))
                .isInstanceOf(WorkWaitTimeoutException.class)
                .hasMessageContaining("the first build")
                .hasMessageContaining("work k [");
        release.countDown();
        holder.join(10_000);
        assertThat(work.exclusively(key("k"), "fourth", Duration.ZERO, h -> {}, () -> "free"))
                .isEqualTo("free");
    }

    @Test
    void aThreadTakesOneLockAtATimeSoNoTwoCallersCanDeadlock() throws Exception {
        SharedWork work = new SharedWork(dir);
        try (SharedWork.Held a = work.acquire(key("a"), "a", Duration.ZERO, h -> {})) {
            assertThatThrownBy(() -> work.acquire(key("b"), "b", Duration.ZERO, h -> {}))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already holds work a [");
        }
        try (SharedWork.Held b = work.acquire(key("b"), "b", Duration.ZERO, h -> {})) {
            assertThat(b.key()).isEqualTo(key("b"));
        }
    }

    @Test
    void theLockDirectoryAndFilesAreOwnerOnlyAndTheHolderRecordIsGoneAfterRelease() throws Exception {
        Path locks = dir.resolve("cache/e2e-maven-plugin/locks");
        SharedWork work = new SharedWork(locks);
        Path file;
        try (SharedWork.Held held = work.acquire(key("a"), "a build", Duration.ZERO, h -> {})) {
            file = held.file();
            assertThat(Files.readString(file))
                    .startsWith("pid " + ProcessHandle.current().pid() + " on ")
                    .contains("a build")
                    .contains("key: work a [");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(locks)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(Files.size(file)).isZero();
    }

    @Test
    void aLockDirectoryOthersMayWriteToIsMadeOwnerOnly() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        new SharedWork(dir).exclusively(key("a"), "a", Duration.ZERO, h -> {}, () -> null);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwx------");
    }

    @Test
    void lockFilesUnusedForADayAreRemovedButNothingElse() throws Exception {
        SharedWork work = new SharedWork(dir);
        Path old;
        Path fresh;
        try (SharedWork.Held h = work.acquire(key("old"), "old", Duration.ZERO, x -> {})) {
            old = h.file();
        }
        try (SharedWork.Held h = work.acquire(key("fresh"), "fresh", Duration.ZERO, x -> {})) {
            fresh = h.file();
        }
        FileTime twoDaysAgo = FileTime.from(Instant.now().minus(Duration.ofDays(2)));
        Files.setLastModifiedTime(old, twoDaysAgo);
        Path notOurs = Files.writeString(dir.resolve("notes.lock"), "someone's");
        Path notOursEither = Files.writeString(dir.resolve("a".repeat(64) + ".txt"), "x");
        Files.setLastModifiedTime(notOurs, twoDaysAgo);
        Files.setLastModifiedTime(notOursEither, twoDaysAgo);
        Path heldOld;
        try (SharedWork.Held held = work.acquire(key("held"), "held", Duration.ZERO, x -> {})) {
            heldOld = held.file();
            Files.setLastModifiedTime(heldOld, twoDaysAgo);
            // another thread cleans while this one holds an old file
            Thread cleaner = new Thread(() -> assertThat(work.cleanNow(true)).isEqualTo(1));
            cleaner.start();
            cleaner.join(10_000);
        }
        assertThat(old).doesNotExist();
        assertThat(fresh).exists();
        assertThat(heldOld).exists();
        assertThat(notOurs).exists();
        assertThat(notOursEither).exists();
        // a removed key's file comes back on its next use
        work.exclusively(key("old"), "old again", Duration.ZERO, x -> {}, () -> null);
        assertThat(old).exists();
    }

    @Test
    void theLockDirectoryIsUnderXdgCacheHomeWhenAbsoluteElseUnderHomeCache() {
        assertThat(SharedWork.defaultDirectory(Map.of("XDG_CACHE_HOME", "/var/cache/me"), "/home/me"))
                .isEqualTo(Path.of("/var/cache/me/e2e-maven-plugin/locks"));
        assertThat(SharedWork.defaultDirectory(Map.of("XDG_CACHE_HOME", "relative"), "/home/me"))
                .isEqualTo(Path.of("/home/me/.cache/e2e-maven-plugin/locks"));
        assertThat(SharedWork.defaultDirectory(Map.of(), "/home/me"))
                .isEqualTo(Path.of("/home/me/.cache/e2e-maven-plugin/locks"));
    }

    @Test
    void equalInputsGiveEqualKeysAndPartsCannotCollideByJoining() {
        assertThat(WorkKey.of("x", List.of("ab", "c"))).isEqualTo(WorkKey.of("x", List.of("ab", "c")));
        assertThat(WorkKey.of("x", List.of("ab", "c")).hash())
                .isNotEqualTo(WorkKey.of("x", List.of("a", "bc")).hash());
    }

    @Test
    void anUnusableLockDirectoryFallsBackToTheNextAndThenToThisJvmAloneNeverFailingTheWork() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Path second = dir.resolve("tmp/locks");
        SharedWork fallback = SharedWork.firstUsable(file.resolve("locks"), second);
        try (SharedWork.Held held = fallback.acquire(key("a"), "a", Duration.ZERO, h -> {})) {
            assertThat(held.file().getParent()).isEqualTo(second.toRealPath());
        }
        SharedWork jvmOnly = SharedWork.firstUsable(file.resolve("locks"), file.resolve("other"));
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> jvmOnly.exclusively(key("a"), "first", Duration.ofSeconds(5), h -> {}, () -> {
            holding.countDown();
            await(release);
            return null;
        }));
        holder.start();
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> jvmOnly.exclusively(key("a"), "second", Duration.ofMillis(200), h -> {}, () -> "x"))
                .isInstanceOf(WorkWaitTimeoutException.class)
                .hasMessageContaining("first");
        release.countDown();
        holder.join(10_000);
        assertThat(jvmOnly.exclusively(key("a"), "third", Duration.ZERO, h -> {}, () -> "worked"))
                .isEqualTo("worked");
    }

    @Test
    void aLockDirectoryOfAnotherUserIsRefused() throws Exception {
        Path foreign = Files.createDirectory(dir.resolve("foreign"));
        java.nio.file.attribute.UserPrincipal nobody;
        try {
            nobody = foreign.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(foreign, nobody);
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("cannot give a directory to another user here: " + e);
            return;
        }
        assertThatThrownBy(() -> new SharedWork(foreign).directory())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("belongs to nobody")
                .hasMessageContaining("XDG_CACHE_HOME");
    }

    @Test
    void noneRunsTheWorkAtOnceWithoutLocks() {
        assertThat(SharedWork.none().exclusively(key("a"), "a", Duration.ZERO, h -> {}, () -> "now"))
                .isEqualTo("now");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
