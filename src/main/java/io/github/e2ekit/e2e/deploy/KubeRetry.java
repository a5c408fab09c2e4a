package io.github.e2ekit.e2e.deploy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * The one retry policy of every call {@link KubeApi} sends (typed, generic, discovery, logs, port-forward
 * upgrades): an answer 429 or 5xx, or no answer at all (connection refused or reset, read timeout), is tried again
 * after a wait, at most {@link #ATTEMPTS} times and no new attempt after {@link #BUDGET}; the last answer (or
 * failure) is what the caller sees. The wait is the server's {@code Retry-After} when it sends one (k8s.io/apiserver
 * {@code pkg/server/filters/maxinflight.go} {@code tooManyRequests}, also used by priority-and-fairness, answers 429
 * with {@code Retry-After: 1}; client-go {@code rest/request.go} {@code checkWait} honours it for 429 and 5xx),
 * else an exponential backoff from 100 ms to 2 s.
 *
 * <p>Writes are retried too: a create whose answer was lost may have been done, and its retry answers 409; the
 * callers decide then by the object's labels whether this run made it ({@link Namespaces#ensure}, {@link Applier}).
 * A DELETE carries a UID precondition, so its retry answers 404 once the first one went through. A cancelled call
 * (a stopped log follower) is never retried.
 */
final class KubeRetry implements Interceptor {
    static final int ATTEMPTS = 6;
    /** No attempt starts after this much time since the first one. */
    static final Duration BUDGET = Duration.ofSeconds(90);

    private static final long MAX_RETRY_AFTER_MS = 10_000;
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 2_000;

    @Override
    public Response intercept(Chain chain) throws IOException {
        long start = System.nanoTime();
        long backoff = FIRST_BACKOFF_MS;
        for (int attempt = 1; ; attempt++) {
            Response response = null;
            IOException failure = null;
            try {
                response = chain.proceed(chain.request());
            } catch (IOException e) {
                if (chain.call().isCanceled()) {
                    throw e;
                }
                failure = e;
            }
            if (response != null && !KubeApi.transientCode(response.code())) {
                return response;
            }
            long wait = response == null ? backoff : retryAfterMillis(response.header("Retry-After"), backoff);
            boolean spent = attempt >= ATTEMPTS || System.nanoTime() - start + wait * 1_000_000L > BUDGET.toNanos();
            if (spent) {
                if (response != null) {
                    return response;
                }
                throw failure;
            }
            if (response != null) {
                response.close();
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting to retry "
                        + chain.request().method() + " " + chain.request().url().encodedPath());
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
    }

    /** {@code Retry-After} in seconds (the API server's form), capped; {@code otherwise} when absent or not a number. */
    static long retryAfterMillis(String header, long otherwise) {
        if (header == null) {
            return otherwise;
        }
        try {
            long seconds = Long.parseLong(header.trim());
            return Math.min(Math.max(seconds, 0) * 1000, MAX_RETRY_AFTER_MS);
        } catch (NumberFormatException e) {
            return otherwise; // an HTTP date: the API server never sends one
        }
    }
}
