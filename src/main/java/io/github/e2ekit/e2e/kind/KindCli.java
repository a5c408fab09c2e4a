package io.github.e2ekit.e2e.kind;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code kind} CLI with {@code KIND_EXPERIMENTAL_PROVIDER} set from the engine actually in
 * use, so create, get and delete always talk to the same provider.
 */
public final class KindCli {
    private final String executable;
    private final EngineKind engine;
    private final Map<String, String> engineEnvironment;

    public KindCli(String executable, EngineKind engine) {
        this(executable, engine, Map.of());
    }

    /**
     * kind for {@code engine}: its provider, and the environment that makes kind's docker provider (which runs the
     * {@code docker} CLI) reach the same engine the plugin found — a context, Colima's or Desktop's socket, TLS.
     */
    public KindCli(String executable, Engine engine) {
        this(executable, engine.kind(), engine.cliEnvironment());
    }

    private KindCli(String executable, EngineKind engine, Map<String, String> engineEnvironment) {
        this.executable = executable == null || executable.isBlank() ? "kind" : executable;
        this.engine = engine;
        this.engineEnvironment = Map.copyOf(engineEnvironment);
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
        run(args, 20);
    }

    /** {@code kind delete cluster --name N --kubeconfig K}: the kubeconfig keeps kind away from ~/.kube/config. */
    public void delete(String name, Path kubeconfig) {
        run(List.of("delete", "cluster", "--name", name, "--kubeconfig", kubeconfig.toString()), 5);
    }

    List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(executable);
        cmd.addAll(args);
        return cmd;
    }

    private String run(List<String> args, int timeoutMinutes) {
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
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new ClusterException("'" + String.join(" ", cmd) + "' did not finish in " + timeoutMinutes + " min");
            }
            if (p.exitValue() != 0) {
                String last = out.strip().lines().reduce((a, b) -> b).orElse("");
                throw new ClusterException("'" + String.join(" ", cmd) + "' failed (exit " + p.exitValue() + "): " + last);
            }
            return out;
        } catch (IOException e) {
            throw new ClusterException("'" + String.join(" ", cmd) + "' failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while running kind");
        }
    }
}
