package io.github.e2ekit.e2e.kind;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the {@code kind} CLI with {@code KIND_EXPERIMENTAL_PROVIDER} set from the engine actually in
 * use, so create, get and delete always talk to the same provider.
 */
public final class KindCli {
    private final String executable;
    private final EngineKind engine;
    private final Map<String, String> engineEnvironment;
    private final Consumer<String> output;
    private final Duration createTimeout;

    public KindCli(String executable, EngineKind engine) {
        this(executable, engine, Map.of(), line -> {}, Duration.ofMinutes(20));
    }

    /**
     * kind for {@code engine}: its provider, and the environment that makes kind's docker provider (which runs the
     * {@code docker} CLI) reach the same engine the plugin found — a context, Colima's or Desktop's socket, TLS.
     */
    public KindCli(String executable, Engine engine) {
        this(executable, engine, line -> {}, Duration.ofMinutes(20));
    }

    /**
     * @param output        receives kind's output line by line as it comes (kind create takes minutes)
     * @param createTimeout how long {@code kind create cluster} may take before it is stopped
     */
    public KindCli(String executable, Engine engine, Consumer<String> output, Duration createTimeout) {
        this(executable, engine.kind(), engine.cliEnvironment(), output, createTimeout);
    }

    /** Tests: kind for an engine kind without an engine environment. */
    public KindCli(String executable, EngineKind engine, Consumer<String> output, Duration createTimeout) {
        this(executable, engine, Map.of(), output, createTimeout);
    }

    private KindCli(
            String executable,
            EngineKind engine,
            Map<String, String> engineEnvironment,
            Consumer<String> output,
            Duration createTimeout) {
        this.executable = executable == null || executable.isBlank() ? "kind" : executable;
        this.engine = engine;
        this.engineEnvironment = Map.copyOf(engineEnvironment);
        this.output = output;
        this.createTimeout = createTimeout;
    }

    /** {@code kind create cluster --name N [--config C] [--image I] --kubeconfig K --wait W}. */
    public void create(String name, Path config, String nodeImage, Path kubeconfig, String wait) {
        List<String> args = new ArrayList<>(List.of("create", "cluster", "--name", name));
        if (config != null) {
            args.addAll(List.of("--config", config.toString()));
        }
        if (nodeImage != null && !nodeImage.isBlank()) {
            args.addAll(List.of("--image", nodeImage));
        }
        args.addAll(List.of("--kubeconfig", kubeconfig.toString(), "--wait", wait));
        run(args, createTimeout);
    }

    /** {@code kind delete cluster --name N --kubeconfig K}: the kubeconfig keeps kind away from ~/.kube/config. */
    public void delete(String name, Path kubeconfig) {
        run(List.of("delete", "cluster", "--name", name, "--kubeconfig", kubeconfig.toString()), Duration.ofMinutes(5));
    }

    List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(executable);
        cmd.addAll(args);
        return cmd;
    }

    private String run(List<String> args, Duration timeout) {
        List<String> cmd = command(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(engineEnvironment);
        pb.environment().put("KIND_EXPERIMENTAL_PROVIDER", engine.kindProvider());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ClusterException("'" + executable + "' cannot be run (" + e.getMessage() + "). Install kind"
                    + " (https://kind.sigs.k8s.io/docs/user/quick-start/#installation), set <kindExecutable>, or"
                    + " point the plugin at an existing cluster with <cluster><create>never</create></cluster> and"
                    + " <kubeconfig>");
        }
        // read in a thread, so the timeout holds even while kind prints nothing (or never closes its output)
        StringBuffer out = new StringBuffer();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            out.append(line).append('\n');
                            output.accept(line);
                        }
                    } catch (IOException e) {
                        // the process was stopped: what was read is kept
                    }
                },
                "e2e-kind-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new ClusterException("'" + String.join(" ", cmd) + "' did not finish in "
                        + (timeout.toSeconds() >= 60 ? timeout.toMinutes() + " min" : timeout.toSeconds() + " s")
                        + " and was stopped; see its output above");
            }
            reader.join(5_000);
            if (p.exitValue() != 0) {
                String last = out.toString().strip().lines().reduce((a, b) -> b).orElse("");
                throw new ClusterException(
                        "'" + String.join(" ", cmd) + "' failed (exit " + p.exitValue() + "): " + last);
            }
            return out.toString();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while running kind");
        }
    }

    /** How long {@code kind create cluster} may take before it is stopped. */
    public Duration createTimeout() {
        return createTimeout;
    }
}
