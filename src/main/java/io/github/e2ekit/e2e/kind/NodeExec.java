package io.github.e2ekit.e2e.kind;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ExecOutput;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Runs one command inside a node container through the engine API (no CLI), optionally feeding stdin. */
public final class NodeExec {
    private NodeExec() {
    }

    public static ExecResult run(Engine engine, String container, String... command) {
        return run(engine, container, null, 10, command);
    }

    /**
     * Runs {@code command} in {@code container}; {@code stdin}, when given, is streamed to the command, which must
     * know where its input ends by itself ({@link Engine#exec}). Fails with {@link NodeCommandException} if it does
     * not end in time.
     */
    public static ExecResult run(Engine engine, String container, InputStream stdin, long timeoutMinutes,
            String... command) {
        try {
            ExecOutput r = engine.exec(container, stdin, Duration.ofMinutes(timeoutMinutes), command);
            return new ExecResult(r.exitCode(), r.stdout(), r.stderr());
        } catch (TimeoutException e) {
            throw new NodeCommandException(container, String.join(" ", command),
                    "did not finish within " + timeoutMinutes + " min");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeCommandException(container, String.join(" ", command), "interrupted");
        }
    }
}
