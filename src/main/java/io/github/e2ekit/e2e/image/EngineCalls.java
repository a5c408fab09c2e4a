package io.github.e2ekit.e2e.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.exception.DockerException;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * Calls to the engine that may be repeated: reads (inspect, export) and commands whose repetition changes nothing.
 * One that the engine answers with a 5xx, or whose connection fails (refused while the engine restarts, reset, closed
 * without an answer), is tried again, three attempts in all within about a second; anything else — a 404, a 409, a
 * 400 — is the engine's answer and is passed on at once. moby answers an error it cannot classify with 500
 * ({@code api/server/httpstatus/status.go} {@code FromError}), which is what a transient fault (a daemon restart, a
 * storage hiccup) looks like from the client.
 */
public final class EngineCalls {
    static final int ATTEMPTS = 3;
    private static final long PAUSE_MILLIS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private EngineCalls() {}

    /**
     * Runs {@code call}, repeating it on a transient failure; throws {@link EngineException} naming {@code what}
     * ({@code null}: the caller names it) and what the engine said last.
     */
    public static <T> T idempotent(String what, Supplier<T> call) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (!transient_(e)) {
                    throw e;
                }
                last = e;
            }
            if (attempt < ATTEMPTS) {
                try {
                    Thread.sleep(PAUSE_MILLIS * attempt);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EngineException((what == null ? "the engine call" : what) + " was interrupted");
                }
            }
        }
        throw new EngineException(
                (what == null ? "" : what + " failed: ") + oneLine(last) + ", still after " + ATTEMPTS + " attempts",
                last);
    }

    /** A 5xx answer, or a connection that failed before an answer came. */
    static boolean transient_(Throwable e) {
        if (e instanceof DockerException d) {
            return d.getHttpStatus() >= 500;
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * What the engine said, in one line: {@code HTTP 500: <the message of its JSON error body>} for an answer, the
     * innermost cause's first line for a failed connection ({@code … failed to respond}, {@code Connection refused}).
     */
    public static String oneLine(Throwable e) {
        if (e instanceof DockerException d) {
            String m = d.getMessage() == null ? "" : d.getMessage();
            int json = m.indexOf('{');
            String said = m;
            if (json >= 0) {
                try {
                    JsonNode n = JSON.readTree(m.substring(json));
                    if (n.hasNonNull("message")) {
                        said = n.get("message").asText();
                    }
                } catch (IOException notJson) {
                    // the text as it is
                }
            }
            return "HTTP " + d.getHttpStatus() + ": " + firstLine(said.replaceFirst("^Status \\d+: ", ""));
        }
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : firstLine(m);
    }

    private static String firstLine(String s) {
        return s.strip().lines().findFirst().orElse("").strip();
    }
}
