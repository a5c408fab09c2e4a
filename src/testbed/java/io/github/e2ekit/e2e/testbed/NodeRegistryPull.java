package io.github.e2ekit.e2e.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.ExecResult;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.NodeExec;
import io.github.e2ekit.e2e.kind.NodeImageStore;
import io.github.e2ekit.e2e.testbed.kube.NodeImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A pull onto one node as containerd's CRI does it (kubelet → CRI PullImage), for references whose registry is on
 * loopback — the only ones this test bed can serve, since it sends no traffic off this machine.
 *
 * <p><b>Which endpoints, in which order</b> — read from the node itself, as its containerd would:
 * {@code config_path} roots {@code /etc/containerd/certs.d:/etc/docker/certs.d} (the containerd 2 default on Linux,
 * {@code plugins/cri/images/plugin.go}; kind node images ≥ v0.27.0 use it); per root the first existing directory
 * among {@code host_port_}, {@code host:port}, {@code _default} ({@code core/remotes/docker/config/config_unix.go
 * hostPaths}, {@code hosts.go HostDirFromRoot}, CRI {@code internal/cri/server/images/image_pull.go
 * hostDirFromRoots}); its {@code hosts.toml}'s {@code [host."…"]} tables in file order, then {@code server} or, when
 * absent, the registry itself — for a loopback registry with a port, https with HTTP fallback ({@code hosts.go
 * ConfigureHosts}, {@code parseHostsFile}). Hosts are tried in order; the first connection error is the one
 * reported, a "not found" or HTTP error from a later host outranks it ({@code core/remotes/docker/resolver.go
 * Resolve}, {@code firstErrPriority}).
 *
 * <p><b>How each endpoint is dialled</b> — from inside the node's network namespace, which on kind is the node's
 * own: a loopback address is the node itself, where no registry listens, so it is refused
 * ({@code dial tcp 127.0.0.1:5001: connect: connection refused}, Go's net error as containerd wraps it); any other
 * name must resolve on the {@code kind} network, which in this test bed (nodes run with {@code --network none}) is
 * the name file {@link KindLocalRegistry#connect} writes into the node. Only then does the test bed fetch the image
 * on the node's behalf from the host address that name stands for, and import it with the node's own
 * {@code ctr}. That is faithful because everything that decides success — the hosts.toml, the endpoint it names,
 * whether that name exists on the node's network — is read from the node, and the bytes come from the endpoint the
 * hosts.toml names (never through the host's engine, which could pull what a node never could).
 *
 * <p><b>What the node then holds</b>: the image named as CRI names a pulled image — {@code <repo>@<manifest digest>}
 * (and {@code <repo>:<tag>} when pulled by tag; a reference with tag and digest loses the tag, docker
 * {@code ParseDockerRef}) ({@code internal/cri/server/images/image_pull.go PullImage}) — plus the pod spec's
 * reference as written, so the test bed's kubelet finds it by that.
 *
 * @param node the node whose containerd pulls
 * @param credentials {@code user:password} the kubelet passes to CRI PullImage (an image pull secret), or null
 */
record NodeRegistryPull(Engine engine, KindNode node, String credentials) {
    private static final TomlMapper TOML = new TomlMapper();
    private static final List<String> ROOTS = List.of("/etc/containerd/certs.d", "/etc/docker/certs.d");

    /** Success, or the message the kubelet shows with ErrImagePull. */
    record Result(boolean pulled, String error) {}

    /** One registry host to try: {@code scheme://address/v2}; {@code mirror} when it is not the registry itself. */
    record Endpoint(String scheme, String address, String path, boolean mirror) {
        String url() {
            return scheme + "://" + address + path;
        }
    }

    /** Names the node, never the credentials. */
    @Override
    public String toString() {
        return "NodeRegistryPull[" + node.name() + "]";
    }

    Result pull(String imageRef) {
        int at = imageRef.indexOf('@');
        ImageReference named = ImageReference.parse(at < 0 ? imageRef : imageRef.substring(0, at));
        String host = named.registryHost();
        String digest = at < 0 ? null : imageRef.substring(at + 1);
        String reference = digest != null ? digest : named.tag() == null ? "latest" : named.tag();
        String criRef = named.repository() + (digest != null ? "@" + digest : ":" + reference);
        String firstError = null;
        int priority = 0;
        for (Endpoint e : endpoints(host)) {
            String request = "Head \"" + e.url() + "/" + named.path() + "/manifests/" + reference
                    + (e.mirror() ? "?ns=" + host : "") + "\"";
            Dialled dialled = dial(e.address());
            if (dialled.error() != null) {
                if (priority < 1) {
                    firstError = "failed to do request: " + request + ": " + dialled.error();
                    priority = 1;
                }
                continue;
            }
            String hostAddress = dialled.hostAddress();
            if (e.scheme().equals("https")) {
                // reached names are never loopback, so no HTTP fallback (hosts.go ConfigureHosts); the test bed's
                // registries speak plain HTTP only, and Go's TLS client reports just this
                if (priority < 1) {
                    firstError =
                            "failed to do request: " + request + ": http: server gave HTTP response to HTTPS client";
                    priority = 1;
                }
                continue;
            }
            try {
                RegistryFetch.Fetched f = new RegistryFetch(
                                "http://" + hostAddress + e.path(), e.mirror() ? host : null, credentials)
                        .fetch(named.path(), reference, d -> named.repository() + "@" + d);
                store(named, digest, f, imageRef);
                return new Result(true, null);
            } catch (RegistryFetch.StatusException s) {
                int p = s.status == 404 ? 2 : 3;
                if (priority < p) {
                    firstError = s.status == 404
                            ? criRef + ": not found"
                            : s.status == 401
                                    ? "pull access denied, repository does not exist or may require"
                                            + " authorization: " + s.getMessage()
                                    : s.getMessage();
                    priority = p;
                }
            } catch (ConnectException c) {
                if (priority < 1) {
                    firstError = "failed to do request: " + request + ": dial tcp " + e.address()
                            + ": connect: connection refused";
                    priority = 1;
                }
            } catch (IOException io) {
                return new Result(false, "failed to pull and unpack image \"" + criRef + "\": " + io.getMessage());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return new Result(false, "interrupted");
            }
        }
        return new Result(
                false,
                "failed to pull and unpack image \"" + criRef + "\": failed to resolve reference \"" + criRef + "\": "
                        + firstError);
    }

    /** The hosts containerd tries for {@code host}, read from the node's certs.d. */
    List<Endpoint> endpoints(String host) {
        List<String> cmd = new ArrayList<>(List.of(
                "sh",
                "-c",
                "for d in \"$@\"; do if [ -d \"$d\" ]; then"
                        + " cat \"$d/hosts.toml\" 2>/dev/null; exit 0; fi; done; exit 3",
                "sh"));
        for (String root : ROOTS) {
            int colon = host.lastIndexOf(':');
            if (colon > 0) {
                cmd.add(root + "/" + host.substring(0, colon) + "_" + host.substring(colon + 1) + "_");
            }
            cmd.add(root + "/" + host);
            cmd.add(root + "/_default");
        }
        ExecResult r = NodeExec.run(engine, node.containerId(), cmd.toArray(String[]::new));
        List<Endpoint> out = new ArrayList<>();
        String server = null;
        if (r.ok() && !r.stdout().isBlank()) {
            try {
                JsonNode toml = TOML.readTree(r.stdout());
                for (Iterator<Map.Entry<String, JsonNode>> it =
                                toml.path("host").fields();
                        it.hasNext(); ) {
                    Map.Entry<String, JsonNode> h = it.next();
                    if (pulls(h.getValue())) {
                        out.add(parse(h.getKey(), true));
                    }
                }
                server = toml.hasNonNull("server") ? toml.get("server").asText() : null;
            } catch (IOException e) {
                out.clear(); // containerd logs the decode error and falls back to the registry itself
            }
        }
        if (server != null) {
            out.add(parse(server, false));
        } else {
            int colon = host.lastIndexOf(':');
            String port = colon < 0 ? "" : host.substring(colon + 1);
            out.add(new Endpoint(
                    port.isEmpty() || port.equals("443") ? "https" : port.equals("80") ? "http" : "https",
                    host,
                    "/v2",
                    false));
        }
        return out;
    }

    private static boolean pulls(JsonNode host) {
        JsonNode caps = host.path("capabilities");
        if (!caps.isArray()) {
            return true;
        }
        for (JsonNode c : caps) {
            if (c.asText().equals("pull")) {
                return true;
            }
        }
        return false;
    }

    private static Endpoint parse(String server, boolean mirror) {
        URI u = URI.create(server.startsWith("http") ? server : "https://" + server);
        String path = u.getPath() == null || u.getPath().isEmpty()
                ? "/v2"
                : u.getPath().endsWith("/v2") ? u.getPath() : u.getPath() + "/v2";
        return new Endpoint(u.getScheme(), u.getRawAuthority(), path, mirror);
    }

    /** Where a dial from the node ends: the host address the test bed fetches from, or Go's dial error. */
    record Dialled(String hostAddress, String error) {}

    /**
     * Dials {@code address} from the node. Loopback is the node itself, where nothing listens; other names resolve
     * only on the test bed's kind network (the names {@link KindLocalRegistry#connect} put into the node).
     */
    Dialled dial(String address) {
        int colon = address.lastIndexOf(':');
        String name = address.startsWith("[")
                ? address.substring(0, address.indexOf(']') + 1)
                : colon < 0 ? address : address.substring(0, colon);
        if (isLoopback(address)) {
            return new Dialled(null, "dial tcp " + address + ": connect: connection refused");
        }
        ExecResult r = NodeExec.run(engine, node.containerId(), "cat", KindLocalRegistry.NETWORK_DIR + "/" + address);
        if (!r.ok() || r.stdout().isBlank()) {
            return new Dialled(null, "dial tcp: lookup " + name + ": no such host");
        }
        return new Dialled(r.stdout().strip(), null);
    }

    /** Imports the fetched image with the node's ctr and names it as CRI does (plus the pod spec's name). */
    private void store(ImageReference named, String digest, RegistryFetch.Fetched f, String imageRef)
            throws IOException {
        NodeImageStore store = new NodeImageStore(engine, node);
        String repoDigest = named.repository() + "@" + f.digest();
        ExecResult r = NodeExec.run(
                engine,
                node.containerId(),
                new ByteArrayInputStream(f.archive()),
                5,
                "ctr",
                NodeImageStore.NAMESPACE,
                "images",
                "import",
                "--snapshotter=" + store.snapshotter(),
                "-");
        if (!r.ok()) {
            throw new IOException("ctr images import failed in " + node.name() + ": " + r.failureText());
        }
        if (digest == null) {
            store.tag(repoDigest, named.repository() + ":" + (named.tag() == null ? "latest" : named.tag()));
        }
        String asWritten = NodeImages.normalize(imageRef);
        if (!asWritten.equals(repoDigest)) {
            store.tag(repoDigest, asWritten);
        }
    }

    /** containerd {@code core/remotes/docker/resolver.go IsLocalhost}: localhost, 127.0.0.0/8, ::1 (port allowed). */
    static boolean isLoopback(String hostPort) {
        if (hostPort == null) {
            return false;
        }
        String h = hostPort;
        if (h.startsWith("[")) {
            h = h.substring(1, Math.max(1, h.indexOf(']')));
        } else if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
            h = h.substring(0, h.indexOf(':'));
        }
        return h.equals("localhost") || h.equals("::1") || h.matches("127\\.\\d+\\.\\d+\\.\\d+");
    }
}
