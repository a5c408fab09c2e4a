package io.github.e2ekit.e2e.kind;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.work.AtomicFiles;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Derives a kubeconfig like {@code kind get kubeconfig}: reads {@code /etc/kubernetes/admin.conf}
 * from the first control-plane node, renames its entries to {@code kind-<name>} and points the
 * server at the host port bound to the node's {@code 6443/tcp}. Never touches {@code ~/.kube/config}.
 */
public final class KindKubeconfig {
    private KindKubeconfig() {}

    /** Derives the kubeconfig at {@code target}, written through {@code files} (the run's). */
    public static Path derive(Engine engine, String cluster, List<KindNode> nodes, Path target, AtomicFiles files) {
        KindNode cp = nodes.stream()
                .filter(KindNode::isControlPlane)
                .findFirst()
                .orElseThrow(() -> new ClusterException("cluster '" + cluster + "' has no control-plane node"));
        ExecResult admin = NodeExec.run(engine, cp.containerId(), "cat", "/etc/kubernetes/admin.conf");
        if (!admin.ok()) {
            throw new ClusterException("cannot read /etc/kubernetes/admin.conf from " + cp.name() + ": "
                    + admin.failureText() + "; give <kubeconfig> instead");
        }
        int port = apiServerPort(cp.name(), engine.publishedPort(cp.containerId(), 6443));
        String yaml = rewrite(admin.stdout(), cluster, "https://127.0.0.1:" + port);
        write(target, yaml, files);
        return target;
    }

    /** The host port bound to the node's 6443/tcp ({@code published}), or why there is none. */
    static int apiServerPort(String node, Optional<Integer> published) {
        return published.orElseThrow(() -> new ClusterException(
                "control-plane node " + node + " publishes no host port for 6443/tcp; give <kubeconfig> instead"));
    }

    /** Renames cluster, user and context to {@code kind-<name>} and sets the server. */
    @SuppressWarnings("unchecked")
    static String rewrite(String adminConf, String cluster, String server) {
        Map<String, Object> doc = new Yaml().load(adminConf);
        String name = "kind-" + cluster;
        for (Map<String, Object> c : (List<Map<String, Object>>) doc.get("clusters")) {
            c.put("name", name);
            ((Map<String, Object>) c.get("cluster")).put("server", server);
        }
        for (Map<String, Object> u : (List<Map<String, Object>>) doc.get("users")) {
            u.put("name", name);
        }
        for (Map<String, Object> c : (List<Map<String, Object>>) doc.get("contexts")) {
            c.put("name", name);
            Map<String, Object> ctx = (Map<String, Object>) c.get("context");
            ctx.put("cluster", name);
            ctx.put("user", name);
        }
        doc.put("current-context", name);
        DumperOptions opts = new DumperOptions();
        opts.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(opts).dump(doc);
    }

    /**
     * Writes a kubeconfig readable by its owner only: 0600 where the file system is POSIX; elsewhere (a
     * Windows or FAT volume, a macOS volume mounted without permissions) the owner-only read/write flags
     * {@link java.io.File} offers.
     */
    public static void write(Path target, String yaml, AtomicFiles files) {
        Path dir = target.toAbsolutePath().getParent();
        boolean posix;
        try {
            Files.createDirectories(dir);
            posix = Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write kubeconfig " + target, e);
        }
        write(target, yaml, posix, files);
    }

    static void write(Path target, String yaml, boolean posix, AtomicFiles files) {
        try {
            if (posix) {
                files.write(
                        target,
                        tmp -> Files.writeString(tmp, yaml),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                files.write(target, tmp -> {
                    File f = tmp.toFile();
                    // everyone's flags off, then the owner's on: the closest a non-POSIX file system comes to 0600
                    boolean ok = f.setReadable(false, false)
                            & f.setReadable(true, true)
                            & f.setWritable(false, false)
                            & f.setWritable(true, true)
                            & f.setExecutable(false, false);
                    if (!ok) {
                        System.getLogger(KindKubeconfig.class.getName())
                                .log(
                                        System.Logger.Level.DEBUG,
                                        "cannot restrict " + tmp + " to its owner on this file system");
                    }
                    Files.writeString(tmp, yaml);
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write kubeconfig " + target, e);
        }
    }
}
