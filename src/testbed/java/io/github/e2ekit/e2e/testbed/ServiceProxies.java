package io.github.e2ekit.e2e.testbed;

import com.github.dockerjava.api.async.ResultCallback;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.kind.ExecResult;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.NodeExec;
import io.github.e2ekit.e2e.testbed.kube.PodRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Services for pods whose network namespaces have loopback only, in the manner of kube-proxy's former userspace
 * mode (kubernetes pkg/proxy/userspace, removed in 1.26: a proxy process accepts connections for a Service and
 * opens one to an endpoint per connection): every pod gets its namespace's cluster IPs on its {@code lo}, and for
 * every Service port a {@code busybox nc -ll} listener; each accepted connection finds its destination (cluster
 * IP and port, read from {@code /proc/net/tcp} or, as the listener's socket is IPv6 accepting IPv4-mapped
 * addresses, {@code /proc/net/tcp6}, by the socket's inode) in the node's route files
 * ({@code /run/e2e-pods/routes/<hex address>:<hex port>}, one line per ready endpoint: its network namespace and
 * target port), picks one endpoint at random and joins the connection to {@code nc 127.0.0.1 <port>} in that
 * endpoint's network namespace. Without ready endpoints the connection is closed at once.
 *
 * <p>Names: there is no cluster DNS; the container's {@code /etc/hosts} (which the kubelet manages for every
 * container: kubernetes pkg/kubelet/kubelet_pods.go makeHostsMount) lists the namespace's Services under the
 * names DNS would answer ({@code svc}, {@code svc.ns}, {@code svc.ns.svc}, {@code svc.ns.svc.cluster.local}),
 * rewritten when Services change. Not imitated: Services of other namespaces; endpoints on other nodes; a pod
 * reaching a Service on a port one of its own containers declares (the listener binds every address, so it is
 * left out there); two Services of one namespace on one port reach the same listener, which still routes by the
 * destination address.
 */
final class ServiceProxies {
    static final String ROUTES = NodeProcessRuntime.ROOT + "/routes";
    private static final String BUSYBOX = "/bin/busybox";

    /** Runs for each accepted connection, its socket on stdin and stdout, in the client pod's network namespace. */
    static final String PROXY = """
      B=/bin/busybox
      i=$($B readlink /proc/self/fd/0); i=${i#socket:[}; i=${i%]}
      a=$($B awk -v i="$i" '$10 == i {split($2, x, ":"); h = x[1]; if (length(h) == 32) h = substr(h, 25)
        print h ":" x[2]; exit}' /proc/net/tcp /proc/net/tcp6)
      f=ROUTES/$a
      [ -n "$a" ] && [ -s "$f" ] || exit 1
      set -- $($B shuf -n 1 "$f")
      exec $B nsenter -F -n"$1" $B nc 127.0.0.1 "$2"
      """.replace("ROUTES", ROUTES);

    /** Writes the node's route files: {@code $1} the directory, then name/content pairs; others are removed. */
    private static final String WRITE_ROUTES = """
      B=/bin/busybox; d=$1; shift
      $B mkdir -p "$d" && $B rm -f "$d"/* || exit 1
      while [ $# -gt 1 ]; do printf '%s' "$2" > "$d/$1" || exit 1; shift 2; done
      """;

    /** In a pod's network namespace ({@code $1}): adds the cluster IPs ({@code $2...}) to {@code lo}. */
    private static final String ADD_IPS = """
      B=/bin/busybox; n=$1; shift
      for ip; do $B nsenter -F -n"$n" $B ip addr add "$ip/32" dev lo 2>/dev/null; done
      exit 0
      """;

    /** Writes a container's /etc/hosts: {@code $1} the root file system, {@code $2} the content. */
    static final String WRITE_HOSTS = """
      B=/bin/busybox; [ -d "$1" ] || exit 0
      $B mkdir -p "$1/etc" && $B rm -f "$1/etc/hosts" && printf '%s' "$2" > "$1/etc/hosts"
      """;

    /** What the proxy needs to know about one pod's sandbox. */
    record PodNet(PodRuntime.PodRef pod, KindNode node, String netns, Set<Integer> declaredPorts) {}

    private final Engine engine;
    private volatile List<PodRuntime.ServiceRoute> routes = List.of();
    private final Map<String, Map<String, String>> nodeFiles = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> installed = new ConcurrentHashMap<>();
    private final Map<String, String> hostsByNamespace = new ConcurrentHashMap<>();

    ServiceProxies(Engine engine) {
        this.engine = engine;
    }

    /** The {@code /proc/net/tcp} form of an IPv4 address and port: {@code 10.96.0.7:5432} → {@code 0700600A:1538}. */
    static String procNetAddress(String ipv4, int port) {
        String[] b = ipv4.split("\\.");
        StringBuilder s = new StringBuilder();
        for (int i = 3; i >= 0; i--) {
            s.append(String.format("%02X", Integer.parseInt(b[i])));
        }
        return s + ":" + String.format("%04X", port);
    }

    /** The /etc/hosts of a container in {@code namespace}. */
    static String hostsFile(String namespace, List<PodRuntime.ServiceRoute> routes) {
        StringBuilder s = new StringBuilder("# Kubernetes-managed hosts file (test bed: with the namespace's Services, "
                + "standing in for cluster DNS).\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        Map<String, String> byName = new TreeMap<>();
        for (PodRuntime.ServiceRoute r : routes) {
            if (r.namespace().equals(namespace)) {
                byName.put(r.service(), r.clusterIp());
            }
        }
        byName.forEach((name, ip) -> s.append(ip)
                .append('\t')
                .append(name)
                .append(' ')
                .append(name)
                .append('.')
                .append(namespace)
                .append(' ')
                .append(name)
                .append('.')
                .append(namespace)
                .append(".svc ")
                .append(name)
                .append('.')
                .append(namespace)
                .append(".svc.cluster.local\n"));
        return s.toString();
    }

    String hostsFile(String namespace) {
        return hostsFile(namespace, routes);
    }

    /**
     * Brings routes, cluster IPs, listeners and hosts files in line with {@code newRoutes}. {@code rootfsByNamespace}
     * lists the mounted root file systems of running containers, by namespace and node.
     */
    void update(
            List<PodRuntime.ServiceRoute> newRoutes,
            List<PodNet> pods,
            Map<String, List<Map.Entry<KindNode, String>>> rootfsByNamespace) {
        routes = List.copyOf(newRoutes);
        Map<String, PodNet> byUid = new HashMap<>();
        pods.forEach(p -> byUid.put(p.pod().uid(), p));
        // route files, per node: only endpoints whose network namespace is in that node
        Map<String, KindNode> nodes = new HashMap<>();
        Map<String, Map<String, String>> files = new HashMap<>();
        for (PodNet p : pods) {
            nodes.put(p.node().name(), p.node());
            files.computeIfAbsent(p.node().name(), n -> new TreeMap<>());
        }
        for (PodRuntime.ServiceRoute r : newRoutes) {
            for (PodRuntime.Endpoint e : r.endpoints()) {
                PodNet target = byUid.get(e.pod().uid());
                if (target != null) {
                    files.get(target.node().name())
                            .merge(
                                    procNetAddress(r.clusterIp(), r.port()),
                                    target.netns() + " " + e.port() + "\n",
                                    String::concat);
                }
            }
        }
        for (Map.Entry<String, Map<String, String>> f : files.entrySet()) {
            if (!f.getValue().equals(nodeFiles.get(f.getKey()))) {
                List<String> cmd = new ArrayList<>(List.of(BUSYBOX, "sh", "-c", WRITE_ROUTES, "routes", ROUTES));
                f.getValue().forEach((k, v) -> {
                    cmd.add(k);
                    cmd.add(v);
                });
                ExecResult w = NodeExec.run(engine, nodes.get(f.getKey()).containerId(), cmd.toArray(String[]::new));
                if (w.ok()) {
                    nodeFiles.put(f.getKey(), f.getValue());
                }
            }
        }
        // cluster IPs and listeners, per pod
        installed.keySet().retainAll(byUid.keySet());
        for (PodNet p : pods) {
            install(p, newRoutes, false);
        }
        // hosts files of running containers, when their namespace's Services changed
        for (Map.Entry<String, List<Map.Entry<KindNode, String>>> e : rootfsByNamespace.entrySet()) {
            String hosts = hostsFile(e.getKey(), newRoutes);
            if (!hosts.equals(hostsByNamespace.get(e.getKey()))) {
                for (Map.Entry<KindNode, String> c : e.getValue()) {
                    writeHosts(c.getKey(), c.getValue(), hosts);
                }
                hostsByNamespace.put(e.getKey(), hosts);
            }
        }
    }

    /** Before a pod's first container starts: its namespace's cluster IPs and listeners, listening already. */
    void prepare(PodNet p) {
        install(p, routes, true);
    }

    private void install(PodNet p, List<PodRuntime.ServiceRoute> newRoutes, boolean await) {
        {
            Set<String> done = installed.computeIfAbsent(p.pod().uid(), u -> ConcurrentHashMap.newKeySet());
            Set<String> ips = new java.util.LinkedHashSet<>();
            Set<Integer> ports = new HashSet<>();
            for (PodRuntime.ServiceRoute r : newRoutes) {
                if (r.namespace().equals(p.pod().namespace())) {
                    if (!done.contains(r.clusterIp())) {
                        ips.add(r.clusterIp());
                    }
                    if (!p.declaredPorts().contains(r.port()) && !done.contains("port:" + r.port())) {
                        ports.add(r.port());
                    }
                }
            }
            if (!ips.isEmpty()) {
                List<String> cmd = new ArrayList<>(List.of(BUSYBOX, "sh", "-c", ADD_IPS, "ips", p.netns()));
                cmd.addAll(ips);
                if (NodeExec.run(engine, p.node().containerId(), cmd.toArray(String[]::new))
                        .ok()) {
                    done.addAll(ips);
                }
            }
            for (int port : ports) {
                if (listen(p, port)) {
                    done.add("port:" + port);
                }
            }
            if (await && !ports.isEmpty()) {
                awaitListening(p, ports);
            }
        }
    }

    /** Up to 2 s for the listeners to bind: the pod's process may connect at once. */
    private void awaitListening(PodNet p, Set<Integer> ports) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            ExecResult r = NodeExec.run(
                    engine,
                    p.node().containerId(),
                    BUSYBOX,
                    "nsenter",
                    "-F",
                    "-n" + p.netns(),
                    BUSYBOX,
                    "cat",
                    "/proc/net/tcp",
                    "/proc/net/tcp6");
            if (r.ok() && NodeProcessRuntime.listeningPorts(r.stdout()).containsAll(ports)) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    void writeHosts(KindNode node, String rootfs, String hosts) {
        NodeExec.run(engine, node.containerId(), BUSYBOX, "sh", "-c", WRITE_HOSTS, "hosts", rootfs, hosts);
    }

    void forget(String podUid) {
        installed.remove(podUid);
    }

    /** Starts the listener for {@code port} in the pod's network namespace, detached (it ends with the namespace). */
    private boolean listen(PodNet p, int port) {
        try {
            String id = engine.client()
                    .execCreateCmd(p.node().containerId())
                    .withCmd(
                            BUSYBOX,
                            "nsenter",
                            "-F",
                            "-n" + p.netns(),
                            BUSYBOX,
                            "nc",
                            "-ll",
                            "-p",
                            String.valueOf(port),
                            "-e",
                            BUSYBOX,
                            "sh",
                            "-c",
                            PROXY)
                    .withAttachStdout(false)
                    .withAttachStderr(false)
                    .exec()
                    .getId();
            engine.client()
                    .execStartCmd(id)
                    .withDetach(true)
                    .exec(new ResultCallback.Adapter<>())
                    .awaitCompletion(30, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            System.err.println("test bed: cannot start the Service listener for port " + port + " in pod " + p.pod()
                    + ": " + e.getMessage());
            return false;
        }
    }
}
