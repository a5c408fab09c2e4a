package io.github.e2ekit.e2e.kind;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.github.e2ekit.e2e.image.Engine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs one command inside a node container through the engine API (no CLI), optionally feeding stdin. */
public final class NodeExec {
    private static final int MAX_CAPTURE = 1 << 20;

    private NodeExec() {
    }

    public static ExecResult run(Engine engine, String container, String... command) {
        return run(engine, container, null, 10, command);
    }

    /**
     * Runs {@code command} in {@code container}; {@code stdin}, when given, is streamed to the
     * command. The engine API does not half-close the exec's stdin when the stream ends, so the
     * command must know where its input ends by itself (a tar archive does: {@code ctr images import -}).
     * Fails with {@link NodeCommandException} if it does not end in time. (docker-java writes stdin in
     * 1 KiB pieces; a faster path would need hand-written HTTP on the socket, which this project avoids.)
     */
    public static ExecResult run(Engine engine, String container, InputStream stdin, long timeoutMinutes,
            String... command) {
        DockerClient docker = engine.client();
        ExecCreateCmdResponse exec = docker.execCreateCmd(container)
                .withAttachStdin(stdin != null)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withCmd(command)
                .exec();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                ByteArrayOutputStream target = frame.getStreamType() == StreamType.STDERR ? err : out;
                synchronized (target) {
                    if (target.size() < MAX_CAPTURE) {
                        target.writeBytes(frame.getPayload());
                    }
                }
            }
        };
        var start = docker.execStartCmd(exec.getId());
        if (stdin != null) {
            start = start.withStdIn(stdin);
        }
        try (var cb = start.exec(callback)) {
            if (!cb.awaitCompletion(timeoutMinutes, TimeUnit.MINUTES)) {
                throw new NodeCommandException(container, String.join(" ", command),
                        "did not finish within " + timeoutMinutes + " min");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeCommandException(container, String.join(" ", command), "interrupted");
        } catch (IOException e) {
            // closing the callback: the result is already complete
        }
        Long code = docker.inspectExecCmd(exec.getId()).exec().getExitCodeLong();
        return new ExecResult(code == null ? -1 : code, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }
}
