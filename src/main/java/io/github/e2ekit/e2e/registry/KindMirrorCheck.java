package io.github.e2ekit.e2e.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.kind.ExecResult;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.KindNodes;
import io.github.e2ekit.e2e.kind.NodeExec;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Registry mode with a registry on the host's loopback ({@code 127.0.0.1:5001}, {@code localhost:5001},
 * {@code [::1]:5001}) and a kind cluster: inside a kind node, loopback is the node itself, so containerd can
 * pull such a reference only through kind's local-registry set-up
 * (<a href="https://kind.sigs.k8s.io/docs/user/local-registry/">kind docs</a>,
 * {@code site/static/examples/kind-with-registry.sh}): a registry container on the {@code kind} network, and on
 * every node {@code /etc/containerd/certs.d/<host:port>/hosts.toml} naming it ({@code [host."http://kind-registry:5000"]}).
 * Without it every pod of the run fails with ErrImagePull ({@code dial tcp 127.0.0.1:5001: connect: connection
 * refused}) after a push that looked fine; this check refuses before pushing instead.
 *
 * <p>Where containerd looks (and so where this looks): the CRI plugin's {@code config_path}, by default
 * {@code /etc/containerd/certs.d:/etc/docker/certs.d} (containerd {@code plugins/cri/images/plugin.go}; kind node
 * images from v0.27.0 rely on that default, older ones need kind's {@code containerdConfigPatches}); in each root
 * the first existing directory among {@code host_port_}, {@code host:port} and {@code _default} (containerd
 * {@code core/remotes/docker/config/config_unix.go hostPaths}, {@code hosts.go HostDirFromRoot}); in it,
 * {@code hosts.toml}: the {@code [host."…"]} tables in order, then {@code server} (or the registry itself)
 * ({@code hosts.go parseHostsFile}). A mirror is usable when it may pull and is not itself a loopback address.
 *
 * <p>Why the plugin does not set the mirror up itself: the endpoint the nodes must use is the registry's
 * address <em>on the kind network</em>, which only exists when the registry is a container connected to that
 * network. The registry the user runs on 127.0.0.1 is theirs (a container or a process the plugin did not start
 * and will not restart, re-network or remove), and the nodes' containerd configuration is shared by everything
 * else that uses the cluster. Changing either behind the user's back would make a plugin run alter state it does
 * not own; {@code <load><mode>kind</mode>} already covers kind without any registry. So: refuse, and say how.
 */
public final class KindMirrorCheck {
    /** Where kind documents the set-up this check asks for. */
    public static final String KIND_DOC = "https://kind.sigs.k8s.io/docs/user/local-registry/";
    /** containerd's default CRI {@code config_path} roots, in order. */
    public static final List<String> ROOTS = List.of("/etc/containerd/certs.d", "/etc/docker/certs.d");

    private static final TomlMapper TOML = new TomlMapper();

    private KindMirrorCheck() {}

    /** What a node's containerd would use for the registry: the directory found (or null) and its pull endpoints. */
    public record NodeMirror(String node, String directory, List<String> endpoints, String problem) {
        public boolean usable() {
            return problem == null;
        }
    }

    /**
     * Refuses (one line) when {@code target} is on the host's loopback, {@code cluster} is a kind cluster on this
     * engine and a node has no usable mirror for it; does nothing for other registries and for clusters that are
     * not kind (no node containers labelled {@code io.x-k8s.kind.cluster=<cluster>}). Returns what it found, for
     * the log, when it checked.
     */
    public static Optional<String> requireMirror(Engine engine, String cluster, RegistryTarget target) {
        if (!isLoopback(target.host())) {
            return Optional.empty();
        }
        List<KindNode> nodes = KindNodes.list(engine, cluster);
        NodeMirror last = null;
        for (KindNode n : nodes) {
            last = inspect(engine, n, target.host());
            if (!last.usable()) {
                throw new RegistryException(refusal(target.host(), cluster, last));
            }
        }
        return last == null
                ? Optional.empty()
                : Optional.of("kind cluster '" + cluster + "': "
                        + nodes.size() + " node(s) pull " + target.host() + " through " + last.directory()
                        + "/hosts.toml ("
                        + String.join(", ", last.endpoints()) + ")");
    }

    static String refusal(String host, String cluster, NodeMirror m) {
        return host + " is the host's loopback, which kind cluster '" + cluster + "' cannot reach (inside a node,"
                + " localhost and 127.0.0.1 are the node itself): node " + m.node() + " " + m.problem()
                + "; set up kind's local"
                + " registry (a registry container on the 'kind' network and " + ROOTS.get(0) + "/" + host
                + "/hosts.toml on every node: " + KIND_DOC + "), or use <load><mode>kind</mode>, or a registry"
                + " the nodes can reach";
    }

    /** Reads the node's host directory for {@code host} with one command and judges it. */
    public static NodeMirror inspect(Engine engine, KindNode node, String host) {
        List<String> dirs = candidates(host);
        List<String> cmd = new ArrayList<>(List.of(
                "sh",
                "-c",
                "for d in \"$@\"; do if [ -d \"$d\" ]; then echo \"$d\"; cat \"$d/hosts.toml\" 2>/dev/null; exit 0;"
                        + " fi; done; exit 3",
                "sh"));
        cmd.addAll(dirs);
        ExecResult r = NodeExec.run(engine, node.containerId(), cmd.toArray(String[]::new));
        if (r.exitCode() == 3) {
            return new NodeMirror(node.name(), null, List.of(), "has no " + ROOTS.get(0) + "/" + host + "/hosts.toml");
        }
        if (!r.ok()) {
            return new NodeMirror(node.name(), null, List.of(), "could not be read (" + r.failureText() + ")");
        }
        String out = r.stdout();
        int nl = out.indexOf('\n');
        String dir = (nl < 0 ? out : out.substring(0, nl)).strip();
        return judge(node.name(), dir, nl < 0 ? "" : out.substring(nl + 1));
    }

    /** containerd's lookup order for {@code host}: per root, {@code host_port_}, {@code host}, {@code _default}. */
    public static List<String> candidates(String host) {
        List<String> out = new ArrayList<>();
        for (String root : ROOTS) {
            int colon = host.lastIndexOf(':');
            if (colon > 0) {
                out.add(root + "/" + host.substring(0, colon) + "_" + host.substring(colon + 1) + "_");
            }
            out.add(root + "/" + host);
            out.add(root + "/_default");
        }
        return out;
    }

    /** Judges the directory containerd would use and its {@code hosts.toml} text (empty: none). */
    static NodeMirror judge(String node, String dir, String hostsToml) {
        String file = dir + "/hosts.toml";
        if (hostsToml.isBlank()) {
            return new NodeMirror(node, dir, List.of(), "has " + dir + " but no hosts.toml in it");
        }
        List<String> endpoints;
        try {
            endpoints = pullEndpoints(hostsToml);
        } catch (JacksonException e) {
            return new NodeMirror(
                    node,
                    dir,
                    List.of(),
                    "has an unreadable " + file + " ("
                            + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
        List<String> reachable =
                endpoints.stream().filter(e -> !isLoopback(hostOf(e))).toList();
        if (reachable.isEmpty()) {
            return new NodeMirror(
                    node,
                    dir,
                    endpoints,
                    endpoints.isEmpty()
                            ? file + " names no [host.\"…\"] mirror"
                            : file + " names only loopback endpoints " + endpoints + ", which are the node itself");
        }
        return new NodeMirror(node, dir, reachable, null);
    }

    /** The endpoints a pull would try, in order: {@code [host."…"]} tables that may pull, then {@code server}. */
    public static List<String> pullEndpoints(String hostsToml) throws JacksonException {
        JsonNode root = TOML.readTree(hostsToml);
        List<String> out = new ArrayList<>();
        JsonNode hosts = root.path("host");
        for (Iterator<Map.Entry<String, JsonNode>> it = hosts.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> h = it.next();
            if (mayPull(h.getValue())) {
                out.add(h.getKey());
            }
        }
        if (root.hasNonNull("server") && mayPull(root)) {
            out.add(root.get("server").asText());
        }
        return out;
    }

    /** containerd: without {@code capabilities} a host may pull and resolve. */
    private static boolean mayPull(JsonNode host) {
        JsonNode caps = host.path("capabilities");
        if (!caps.isArray()) {
            return true;
        }
        for (JsonNode c : caps) {
            if (c.asText().equalsIgnoreCase("pull")) {
                return true;
            }
        }
        return false;
    }

    /** {@code http://kind-registry:5000} → {@code kind-registry:5000}; a bare host (containerd adds https://) as is. */
    public static String hostOf(String endpoint) {
        String e = endpoint.contains("://") ? endpoint : "https://" + endpoint;
        try {
            String authority = URI.create(e).getRawAuthority();
            return authority == null ? endpoint : authority.substring(authority.indexOf('@') + 1);
        } catch (IllegalArgumentException ex) {
            return endpoint;
        }
    }

    /**
     * Whether a registry host (with or without port) is loopback: {@code localhost}, 127.0.0.0/8 or ::1 — containerd
     * {@code core/remotes/docker/resolver.go IsLocalhost}. Names are not resolved.
     */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            h = end < 0 ? h.substring(1) : h.substring(1, end);
        } else if (h.indexOf(':') == h.lastIndexOf(':') && h.contains(":")) {
            h = h.substring(0, h.indexOf(':'));
        }
        if (h.equals("localhost")) {
            return true;
        }
        if (h.matches("127(\\.\\d{1,3}){3}")) {
            return true;
        }
        return h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }
}
