package io.github.e2ekit.e2e.kind;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineCalls;
import io.github.e2ekit.e2e.image.EngineException;
import io.github.e2ekit.e2e.image.ExecOutput;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Runs one command inside a node container through the engine API (no CLI), optionally feeding stdin. */
public final class NodeExec {
    private NodeExec() {}

    /**
     * Runs a command without input; one the engine failed to run (a 5xx, a connection cut before the exit code was
     * read) is run again (the plugin runs only reads and commands whose repetition changes nothing this way:
     * {@code ctr images ls/tag --force/label/rm}, {@code content ls/get}, {@code config dump}).
     */
    public static ExecResult run(Engine engine, String container, String... command) {
        try {
            return EngineCalls.idempotent(null, () -> run(engine, container, null, 10, command));
        } catch (EngineException e) {
            throw new NodeCommandException(
                    shortId(container), String.join(" ", command), "failed in the engine: " + e.getMessage());
        } catch (NodeCommandException e) {
            throw e;
        } catch (RuntimeException e) { // the engine's answer (e.g. 409: the node container is not running)
            throw new NodeCommandException(
                    shortId(container), String.join(" ", command), "failed in the engine: " + EngineCalls.oneLine(e));
        }
    }

    /**
     * Runs {@code command} in {@code container}; {@code stdin}, when given, is streamed to the command, which must
     * know where its input ends by itself ({@link Engine#exec}). Fails with {@link NodeCommandException} if it does
     * not end in time.
     */
    public static ExecResult run(
            Engine engine, String container, InputStream stdin, long timeoutMinutes, String... command) {
        try {
            ExecOutput r = engine.exec(container, stdin, Duration.ofMinutes(timeoutMinutes), command);
            return new ExecResult(r.exitCode(), r.stdout(), r.stderr());
        } catch (TimeoutException e) {
            throw new NodeCommandException(
                    container, String.join(" ", command), "did not finish within " + timeoutMinutes + " min");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeCommandException(container, String.join(" ", command), "interrupted");
        } catch (RuntimeException e) {
            if (stdin == null) {
                throw e; // the caller without input may repeat it
            }
            throw new NodeCommandException(
                    shortId(container), String.join(" ", command), "failed in the engine: " + EngineCalls.oneLine(e));
        }
    }

    /** A container ID as the engine's tools show it (12 characters); a name as it is. */
    static String shortId(String container) {
        return container.matches("[0-9a-f]{64}") ? container.substring(0, 12) : container;
    }
}
