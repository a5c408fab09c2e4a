package io.github.e2ekit.e2e.testbed;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition for the test bed's own tests: until it answers (not null), or fails with a message. */
public final class Eventually {
    private Eventually() {}

    /** A condition polled: null while it does not hold yet. */
    public interface Probe<T> {
        T get() throws Exception;
    }

    /**
     * The probe's first non-null answer, polled every 100 ms for up to {@code within}; else an {@link AssertionError}
     * with {@code failure}'s message (computed only then, e.g. with diagnostics).
     */
    public static <T> T await(Duration within, Supplier<String> failure, Probe<T> probe) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(failure.get());
    }
}
