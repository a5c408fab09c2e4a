package io.github.e2ekit.e2e.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The real {@code kubectl} on this machine, always run against one test bed's kubeconfig (never the user's
 * {@code ~/.kube/config}) and with its own discovery cache. Missing kubectl fails the test under {@code CI=true}
 * and aborts it (a visible skip) elsewhere.
 */
public final class Kubectl {
    private final Path binary;
    private final Path kubeconfig;
    private final Path cacheDir;

    private Kubectl(Path binary, Path kubeconfig, Path cacheDir) {
        this.binary = binary;
        this.kubeconfig = kubeconfig;
        this.cacheDir = cacheDir;
    }

    /** What one kubectl command did. */
    public record Result(int exitCode, String stdout, String stderr) {
        public String out() {
            return stdout + stderr;
        }
    }

    /** The kubectl binary ({@code $KUBECTL}, else the first {@code kubectl} on the PATH), or empty. */
    public static Optional<Path> find() {
        String env = System.getenv("KUBECTL");
        if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
            return Optional.of(Path.of(env));
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "kubectl");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** kubectl for {@code kubeconfig}; fails under CI=true when kubectl is missing, aborts the test elsewhere. */
    public static Kubectl require(Path kubeconfig) {
        Optional<Path> bin = find();
        if (bin.isEmpty()) {
            String why = "kubectl is not installed (not on the PATH, $KUBECTL unset): the cross-check against the real "
                    + "client cannot run";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(why + "; CI must have it (install Debian's kubernetes-client or set KUBECTL)");
            }
            Assumptions.abort(why);
        }
        try {
            Path cache = Files.createTempDirectory("kubectl-cache");
            cache.toFile().deleteOnExit();
            return new Kubectl(bin.get(), kubeconfig, cache);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code kubectl <args>} and waits for it (killed after {@code timeout}). */
    public Result run(Duration timeout, String... args) {
        return run(timeout, Map.of(), args);
    }

    /** Runs {@code kubectl <args>} with extra environment variables. */
    public Result run(Duration timeout, Map<String, String> env, String... args) {
        Process p = start(env, args);
        try {
            p.getOutputStream().close();
            var out = readAsync(p.getInputStream());
            var err = readAsync(p.getErrorStream());
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish within " + timeout
                        + "; output so far: " + out.getNow("") + err.getNow(""));
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new AssertionError("interrupted while kubectl ran", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts {@code kubectl <args>} (for long-running commands such as port-forward); the caller stops it. */
    public Process start(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.add("--kubeconfig=" + kubeconfig);
        cmd.add("--cache-dir=" + cacheDir);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().putAll(env);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
    }

    /** A running {@code kubectl port-forward}, ready once it has printed where it listens. */
    public static final class Forward implements AutoCloseable {
        private final Process process;
        private final StringBuffer output = new StringBuffer();

        Forward(Process process) {
            this.process = process;
            pump(process.getInputStream());
            pump(process.getErrorStream());
        }

        private void pump(InputStream in) {
            Thread t = new Thread(
                    () -> {
                        byte[] buf = new byte[4096];
                        try (in) {
                            int n;
                            while ((n = in.read(buf)) >= 0) {
                                output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                            }
                        } catch (IOException e) {
                            // process gone
                        }
                    },
                    "kubectl-port-forward-output");
            t.setDaemon(true);
            t.start();
        }

        /** Waits until kubectl says it forwards {@code localPort}; fails with its output when it exits first. */
        public Forward awaitListening(int localPort, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            String want = "Forwarding from 127.0.0.1:" + localPort;
            while (System.nanoTime() < deadline) {
                if (output.indexOf(want) >= 0) {
                    return this;
                }
                if (!process.isAlive()) {
                    throw new AssertionError("kubectl port-forward exited with " + process.exitValue() + ": " + output);
                }
                Thread.sleep(50);
            }
            throw new AssertionError(
                    "kubectl port-forward did not listen on " + localPort + " within " + timeout + ": " + output);
        }

        /** Everything kubectl printed so far. */
        public String output() {
            return output.toString();
        }

        public Process process() {
            return process;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Starts {@code kubectl port-forward <target> <localPort>:<remotePort>} with extra environment. */
    public Forward portForward(
            Map<String, String> env, String namespace, String target, int localPort, int remotePort) {
        return new Forward(start(env, "-n", namespace, "port-forward", target, localPort + ":" + remotePort));
    }

    /** A port on 127.0.0.1 that nothing listens on right now. */
    public static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static java.util.concurrent.CompletableFuture<String> readAsync(InputStream in) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}
