package io.github.e2ekit.e2e.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short helper command (a CLI's {@code --version}, {@code git rev-parse}) and returns what it printed.
 * Its output is read on another thread, so the timeout holds even when the command keeps its output open.
 */
public final class Command {
    private Command() {}

    /**
     * The command's standard output (with its standard error when {@code withStderr}), or null when it cannot be
     * started, exits non-zero or takes longer than {@code timeout} (then it is killed). Nothing is written to its
     * standard input.
     */
    public static String output(List<String> command, Map<String, String> env, boolean withStderr, Duration timeout) {
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            if (withStderr) {
                pb.redirectErrorStream(true);
            } else {
                pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            }
            pb.environment().putAll(env);
            p = pb.start();
            p.getOutputStream().close();
        } catch (IOException e) {
            return null;
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String text = out.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return p.exitValue() == 0 ? text : null;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            return null;
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
