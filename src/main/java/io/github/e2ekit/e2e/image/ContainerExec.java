package io.github.e2ekit.e2e.image;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link Engine#exec}: one command in a container through the engine API, stdout and stderr captured (1 MiB each). */
final class ContainerExec {
    private static final int MAX_CAPTURE = 1 << 20;

    private ContainerExec() {}

    static ExecOutput run(DockerClient docker, String container, InputStream stdin, Duration timeout, String... command)
            throws TimeoutException, InterruptedException {
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
        RuntimeException cut = null;
        try (var cb = start.exec(callback)) {
            if (!cb.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new TimeoutException();
            }
        } catch (IOException e) {
            // closing the callback: the result is already complete
        } catch (RuntimeException e) {
            if (stdin == null) {
                throw e;
            }
            // A command that stops reading its input and exits (ctr import on a full disk) makes the engine close the
            // attached connection while the input is still being sent (moby daemon/exec.go ContainerExecStart ends the
            // attach when the process exits): the exit code and the output say why, not the reset connection.
            cut = e;
        }
        Long code = exitCode(docker, exec.getId(), cut == null ? 0 : 20);
        if (cut != null && code == null) {
            throw cut;
        }
        return new ExecOutput(
                code == null ? -1 : code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The exit code of an exec, waiting up to {@code polls} × 100 ms for it to end; null while it runs. */
    private static Long exitCode(DockerClient docker, String execId, int polls) throws InterruptedException {
        for (int i = 0; ; i++) {
            var inspect = docker.inspectExecCmd(execId).exec();
            if (!Boolean.TRUE.equals(inspect.isRunning()) || i >= polls) {
                return Boolean.TRUE.equals(inspect.isRunning()) && polls > 0 ? null : inspect.getExitCodeLong();
            }
            Thread.sleep(100);
        }
    }
}
