package io.github.e2ekit.e2e.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.kind.ExecResult;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.NodeExec;
import io.github.e2ekit.e2e.testbed.kube.ByteQueue;
import io.github.e2ekit.e2e.testbed.kube.NodeImages;
import io.github.e2ekit.e2e.testbed.kube.PodRuntime;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs pods' containers as real processes inside the kind-like node containers: each container's root file
 * system is the image from the node's containerd, mounted with {@code ctr images mount} at
 * {@code /run/e2e-pods/<namespace>_<pod>_<container>/rootfs}, and its process runs there under
 * {@code nsenter -r} (a chroot that also sets the working directory), started by a detached exec in the node.
 * Next to the root file system: {@code pid} (the process's pid in the node, the handle to stop it) and
 * {@code log} (its stdout and stderr).
 *
 * <p>Every pod has its own network namespace in its node, like the sandbox a real kubelet creates: on the
 * pod's first container start, {@code busybox unshare --net=<file>} creates it, kept alive by a bind mount at
 * {@code /run/e2e-pods/<namespace>_<pod>@<uid>/netns} (no holder process), and brings its {@code lo} up. All
 * the pod's containers run in it ({@code nsenter -n<file>}), so they reach each other on {@code localhost},
 * and so do the readiness probes and the port-forward's {@code nc 127.0.0.1 <port>}; different pods of one node
 * may listen on the same port. It has loopback only: pods reach each other only through Services, which
 * {@link ServiceProxies} imitates (cluster IPs on every pod's {@code lo}, a proxy per Service port, Service names in
 * the container's {@code /etc/hosts}); there are no pod IPs.
 * {@link #stopPod} stops the containers, kills whatever else is left in the namespace, unmounts it and removes
 * the directory. Two containers of one pod cannot listen on the same port: {@link #start} refuses a container
 * whose declared {@code containerPort} another running container of its pod declared or something in the pod
 * listens on, with the waiting reason {@code CreateContainerError} and a {@code PortConflict} event (retried
 * every second), and the kubelet adds a {@code PortConflict} event when a container exits saying its address
 * is in use. Not isolated: PIDs (a container's child that outlives its parent, for example when the container
 * is stopped, is reparented to the node's containerd, which does not reap it: it stays a zombie), hostname,
 * System V IPC, resources (no limits). A container runs as the security context's runAsUser/runAsGroup, else the
 * image's USER, else root (uid and gid resolved in the image's /etc/passwd and /etc/group, as containerd does);
 * it gets {@code /proc}, a {@code /dev} with the usual device nodes and a 64 MB {@code /dev/shm};
 * {@code hostNetwork} is ignored; volumes are not mounted; liveness and startup probes are ignored.
 */
public final class NodeProcessRuntime implements PodRuntime {
    /** Where containers are set up inside each node. */
    public static final String ROOT = "/run/e2e-pods";

    private static final String BUSYBOX = "/bin/busybox";
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final long INSPECT_EVERY_NANOS = 100_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Starts a container's process: records its pid, sends its output to the log, runs it with only its env. */
    private static final String LAUNCH =
            "echo $$ > \"$1/pid\"; exec >>\"$1/log\" 2>&1 </dev/null; shift; " + "exec /bin/busybox env -i \"$@\"";

    /**
     * Mounts the image as a container's root file system, with what runc mounts into every container (containerd
     * pkg/oci/mounts.go defaultMounts: {@code /proc}, a {@code /dev} tmpfs with the standard device nodes,
     * {@code /dev/shm}, the latter 64 MB as the CRI sandbox's: containerd internal/cri/server/podsandbox
     * {@code defaultShmSize}). {@code /dev/shm} is the container's own here, not shared by the pod's containers.
     */
    private static final String MOUNT = """
      B=/bin/busybox; r=$1/rootfs
      $B mkdir -p "$r" && ctr --namespace=k8s.io images mount --rw "$2" "$r" >/dev/null || exit 1
      $B mkdir -p "$r/proc" "$r/dev" || exit 1
      $B mount -t proc proc "$r/proc" 2>/dev/null || $B mount --rbind /proc "$r/proc" || exit 1
      $B mount -t tmpfs -o mode=755,size=65536k tmpfs "$r/dev" || exit 1
      for n in null zero full random urandom tty; do
        $B touch "$r/dev/$n" && $B mount --bind "/dev/$n" "$r/dev/$n" || exit 1
      done
      $B mkdir -p "$r/dev/shm" "$r/dev/pts" && $B mount -t tmpfs -o mode=1777,size=65536k shm "$r/dev/shm" || exit 1
      $B ln -s /proc/self/fd "$r/dev/fd"; $B ln -s fd/0 "$r/dev/stdin"; $B ln -s fd/1 "$r/dev/stdout"
      $B ln -s fd/2 "$r/dev/stderr"
      exit 0
      """;

    /**
     * The uid and gid a container runs as, from {@code $2} ({@code user[:group]}, names or numbers, as the CRI
     * hands it to containerd: the security context's runAsUser[:runAsGroup], else the image's USER) and the image's
     * {@code /etc/passwd} and {@code /etc/group} under {@code $1}: containerd pkg/oci/spec_opts.go WithUser and
     * WithUserID (a uid without a passwd entry runs with gid 0; a user name without one is an error).
     */
    private static final String USER_OF = """
      B=/bin/busybox; r=$1; u=${2%%:*}; g=; case $2 in *:*) g=${2#*:} ;; esac
      num() { case $1 in ''|*[!0-9]*) return 1 ;; esac; }
      if num "$u"; then uid=$u; else
        uid=$($B awk -F: -v n="$u" '$1 == n {print $3; exit}' "$r/etc/passwd" 2>/dev/null)
        [ -n "$uid" ] || { echo "unable to find user $u: no matching entries in passwd file"; exit 1; }
      fi
      if [ -z "$g" ]; then
        g=$($B awk -F: -v n="$uid" '$3 == n {print $4; exit}' "$r/etc/passwd" 2>/dev/null); [ -n "$g" ] || g=0
      elif ! num "$g"; then
        n=$g; g=$($B awk -F: -v n="$n" '$1 == n {print $3; exit}' "$r/etc/group" 2>/dev/null)
        [ -n "$g" ] || { echo "unable to find group $n: no matching entries in group file"; exit 1; }
      fi
      echo "$uid $g"
      """;

    /**
     * Stops everything running in a container's root file system (TERM, then KILL after 3 s), unmounts it,
     * removes its snapshot and its directory.
     */
    private static final String STOP = """
      B=/bin/busybox; d=$1; r=$d/rootfs
      [ -d "$d" ] || exit 0
      unmount_inner() {
        for m in $($B awk -v r="$r/" 'index($2, r) == 1 {print $2}' /proc/mounts | $B sort -r); do
          $B umount -l "$m" 2>/dev/null
        done
      }
      pids() { for p in /proc/[0-9]*; do [ "$($B readlink "$p/root" 2>/dev/null)" = "$r" ] && echo "${p#/proc/}"; done; }
      l=$(pids); [ -n "$l" ] && $B kill -TERM $l 2>/dev/null
      i=0; while [ $i -lt 30 ]; do l=$(pids); [ -z "$l" ] && break; $B sleep 0.1; i=$((i+1)); done
      l=$(pids); [ -n "$l" ] && $B kill -KILL $l 2>/dev/null
      unmount_inner
      i=0
      while $B grep -q " $r " /proc/mounts; do
        ctr --namespace=k8s.io images unmount --rm "$r" >/dev/null 2>&1 && break
        i=$((i+1)); [ $i -ge 30 ] && { echo "cannot unmount $r" >&2; exit 1; }
        $B sleep 0.1
      done
      ctr --namespace=k8s.io snapshots rm "$r" >/dev/null 2>&1
      $B rm -f "$d/pid" "$d/log"
      $B rmdir "$r" 2>/dev/null
      $B rmdir "$d"
      """;

    /**
     * Sends signal {@code $2} to a container: TERM to its main process only (the one in {@code $1/pid}: runc
     * signals the container's init process), KILL to every process whose root is the container's root file system,
     * the main process last so that it can still reap its children (an orphan would be reparented to the node's
     * containerd, which leaves it a zombie).
     */
    private static final String SIGNAL = """
      B=/bin/busybox; d=$1; r=$d/rootfs
      [ -d "$d" ] || exit 0
      main=$($B cat "$d/pid" 2>/dev/null)
      if [ "$2" = TERM ]; then
        [ -n "$main" ] && $B kill -TERM "$main" 2>/dev/null
        exit 0
      fi
      for p in /proc/[0-9]*; do
        q=${p#/proc/}; [ "$q" = "$main" ] && continue
        [ "$($B readlink "$p/root" 2>/dev/null)" = "$r" ] && $B kill -KILL "$q" 2>/dev/null
      done
      $B sleep 0.2
      [ -n "$main" ] && $B kill -KILL "$main" 2>/dev/null
      exit 0
      """;

    /**
     * Creates a pod's network namespace, kept by a bind mount on {@code $1/netns} (already there: kept), with
     * {@code lo} up.
     */
    private static final String SANDBOX = """
      B=/bin/busybox; d=$1; n=$d/netns
      if ! $B grep -q " $n " /proc/mounts; then
        $B mkdir -p "$d" && $B touch "$n" && $B unshare --net="$n" $B true || exit 1
      fi
      exec $B nsenter -F -n"$n" $B ip link set lo up
      """;

    /**
     * Removes a pod's network namespace: kills what still runs in it (port-forward connections, probes), unmounts
     * it and removes its directory.
     */
    private static final String SANDBOX_REMOVE = """
      B=/bin/busybox; d=$1; n=$d/netns
      [ -d "$d" ] || exit 0
      if $B grep -q " $n " /proc/mounts; then
        ns="net:[$($B stat -L -c %i "$n")]"
        for p in /proc/[0-9]*; do
          [ "$($B readlink "$p/ns/net" 2>/dev/null)" = "$ns" ] && $B kill -KILL "${p#/proc/}" 2>/dev/null
        done
      fi
      i=0
      while $B grep -q " $n " /proc/mounts; do
        $B umount "$n" 2>/dev/null && continue
        i=$((i+1)); [ $i -ge 30 ] && { echo "cannot unmount $n" >&2; exit 1; }
        $B sleep 0.1
      done
      $B rm -f "$n"
      $B rmdir "$d"
      """;

    private final KindLikeCluster cluster;
    private final Engine engine;
    private final Map<String, Proc> procs = new ConcurrentHashMap<>();
    private final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();
    private final Map<String, ImageConfig> configs = new ConcurrentHashMap<>();
    private final Set<NcConnection> connections = ConcurrentHashMap.newKeySet();
    private final Map<String, String> probeFailures = new ConcurrentHashMap<>();
    private final ServiceProxies proxies;
    private final Object lifecycle = new Object();
    private volatile boolean closed;

    /** What the image says about how to run it. */
    record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user) {}

    /** A pod's network namespace in its node: {@code netns} is the bind-mounted namespace file. */
    private record Sandbox(PodRef pod, KindNode node, String dir, Set<Integer> declaredPorts) {
        String netns() {
            return dir + "/netns";
        }

        /** {@code busybox nsenter} into the namespace, without forking; more options and the command follow. */
        List<String> enter() {
            return List.of(BUSYBOX, "nsenter", "-F", "-n" + netns());
        }
    }

    /** One container's process in a node. */
    private static final class Proc {
        final PodRef pod;
        final KindNode node;
        final Sandbox sandbox;
        final String container;
        final String dir;
        final List<Integer> ports;
        final List<String> argv;
        final List<String> env;
        final String workingDir;
        /** "uid gid" to run as; null: as root, the default user of a container without one. */
        final String user;

        volatile String execId;
        volatile Integer exit;
        volatile long lastInspect;

        Proc(
                PodRef pod,
                Sandbox sandbox,
                String container,
                String dir,
                List<Integer> ports,
                List<String> argv,
                List<String> env,
                String workingDir,
                String user) {
            this.pod = pod;
            this.node = sandbox.node();
            this.sandbox = sandbox;
            this.container = container;
            this.dir = dir;
            this.ports = ports;
            this.argv = argv;
            this.env = env;
            this.workingDir = workingDir;
            this.user = user;
        }

        /** nsenter's options to run as the container's user (after the chroot). */
        List<String> userOptions() {
            if (user == null) {
                return List.of();
            }
            String[] ug = user.split(" ");
            return List.of("-S", ug[0], "-G", ug[1]);
        }

        boolean running() {
            return execId != null && exit == null;
        }
    }

    public NodeProcessRuntime(KindLikeCluster cluster) {
        this.cluster = cluster;
        this.engine = cluster.engine();
        this.proxies = new ServiceProxies(engine);
    }

    @Override
    public boolean runsProcesses() {
        return true;
    }

    /** The directory of a pod's network namespace inside its node. */
    public static String sandboxDir(PodRef pod) {
        return ROOT + "/" + pod.namespace() + "_" + pod.name() + "@" + pod.uid();
    }

    /** The directory of a container inside its node. */
    public static String containerDir(PodRef pod, String container) {
        return ROOT + "/" + pod.namespace() + "_" + pod.name() + "_" + container;
    }

    @Override
    public void start(PodRef pod, ContainerSpec container, String imageRef) throws StartException {
        synchronized (lifecycle) {
            if (closed) {
                throw new StartException("RunContainerError", "Failed", "the test bed is shutting down");
            }
            String key = key(pod, container.name());
            Proc p = procs.get(key);
            if (p == null) {
                KindNode node = node(pod.node())
                        .orElseThrow(() -> new StartException(
                                "CreateContainerError",
                                "Failed",
                                "node " + pod.node() + " is not a node container of test bed " + cluster.name()));
                Sandbox sandbox = sandbox(pod, node);
                checkPorts(pod, sandbox, container.name(), container.ports());
                sandbox.declaredPorts().addAll(container.podPorts());
                // kube-proxy's rules exist before a pod starts: the namespace's Services first, then the process
                proxies.prepare(
                        new ServiceProxies.PodNet(pod, node, sandbox.netns(), Set.copyOf(sandbox.declaredPorts())));
                ImageConfig cfg = imageConfig(node, imageRef);
                List<String> argv = new ArrayList<>();
                if (!container.command().isEmpty()) {
                    argv.addAll(container.command());
                    argv.addAll(container.args());
                } else {
                    argv.addAll(cfg.entrypoint());
                    argv.addAll(container.args().isEmpty() ? cfg.cmd() : container.args());
                }
                if (argv.isEmpty()) {
                    throw new StartException(
                            "CreateContainerError",
                            "Failed",
                            "failed to generate container spec: no "
                                    + "command specified (neither in the pod spec nor in image " + imageRef + ")");
                }
                Map<String, String> env = new LinkedHashMap<>();
                for (String e : cfg.env()) {
                    int eq = e.indexOf('=');
                    if (eq > 0) {
                        env.put(e.substring(0, eq), e.substring(eq + 1));
                    }
                }
                env.putIfAbsent("PATH", DEFAULT_PATH);
                env.put("HOSTNAME", pod.name());
                env.putAll(container.env());
                List<String> envList = new ArrayList<>();
                env.forEach((k, v) -> envList.add(k + "=" + v));
                String wd = cfg.workingDir() == null || cfg.workingDir().isBlank() ? "/" : cfg.workingDir();
                String dir = containerDir(pod, container.name());
                // a pod recreated under the same name: whatever is left of the old one goes first
                run(node, "sh", "-c", STOP, "stop", dir);
                ExecResult mounted = NodeExec.run(
                        engine,
                        node.containerId(),
                        BUSYBOX,
                        "sh",
                        "-c",
                        MOUNT,
                        "mount",
                        dir,
                        NodeImages.normalize(imageRef));
                if (!mounted.ok()) {
                    run(node, "sh", "-c", STOP, "stop", dir);
                    throw new StartException(
                            "CreateContainerError",
                            "Failed",
                            "failed to mount image " + imageRef + " in node " + node.name() + ": "
                                    + mounted.failureText());
                }
                // kubernetes pkg/kubelet/kuberuntime/security_context.go + containerd's CRI: runAsUser[:runAsGroup]
                // from
                // the security context, else the image's USER
                String userSpec = container.runAsUser() != null
                        ? container.runAsUser() + (container.runAsGroup() != null ? ":" + container.runAsGroup() : "")
                        : cfg.user();
                String user = null;
                if (userSpec != null && !userSpec.isBlank()) {
                    ExecResult u = run(node, "sh", "-c", USER_OF, "user", dir + "/rootfs", userSpec);
                    if (!u.ok()) {
                        run(node, "sh", "-c", STOP, "stop", dir);
                        throw new StartException(
                                "CreateContainerError",
                                "Failed",
                                "failed to create containerd container: "
                                        + u.stdout().strip() + (u.stdout().isBlank() ? u.failureText() : ""));
                    }
                    user = u.stdout().strip();
                }
                proxies.writeHosts(node, dir + "/rootfs", proxies.hostsFile(pod.namespace()));
                p = new Proc(
                        pod,
                        sandbox,
                        container.name(),
                        dir,
                        container.ports(),
                        List.copyOf(argv),
                        List.copyOf(envList),
                        wd,
                        user);
                procs.put(key, p);
            } else {
                checkPorts(pod, p.sandbox, container.name(), p.ports);
            }
            launch(p);
        }
    }

    private void launch(Proc p) throws StartException {
        List<String> cmd = new ArrayList<>(List.of(BUSYBOX, "sh", "-c", LAUNCH, "launch", p.dir));
        cmd.addAll(p.env);
        String root = p.dir + "/rootfs";
        cmd.addAll(p.sandbox.enter());
        cmd.addAll(List.of("-r" + root, "-w" + root + p.workingDir));
        cmd.addAll(p.userOptions());
        cmd.addAll(p.argv);
        if (!p.workingDir.equals("/")) {
            run(p.node, "mkdir", "-p", root + p.workingDir);
        }
        DockerClient docker = engine.client();
        try {
            String id = docker.execCreateCmd(p.node.containerId())
                    .withCmd(cmd.toArray(String[]::new))
                    .withAttachStdout(false)
                    .withAttachStderr(false)
                    .exec()
                    .getId();
            docker.execStartCmd(id)
                    .withDetach(true)
                    .exec(new ResultCallback.Adapter<>())
                    .awaitCompletion(30, TimeUnit.SECONDS);
            p.exit = null;
            p.lastInspect = 0;
            p.execId = id;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartException("RunContainerError", "Failed", "interrupted while starting " + p.container);
        } catch (RuntimeException e) {
            throw new StartException(
                    "RunContainerError", "Failed", "failed to start container " + p.container + ": " + e.getMessage());
        }
    }

    /** The pod's network namespace, created on its first container start. */
    private Sandbox sandbox(PodRef pod, KindNode node) throws StartException {
        Sandbox sb = sandboxes.get(pod.uid());
        if (sb != null) {
            return sb;
        }
        sb = new Sandbox(pod, node, sandboxDir(pod), ConcurrentHashMap.newKeySet());
        ExecResult r = run(node, "sh", "-c", SANDBOX, "sandbox", sb.dir());
        if (!r.ok()) {
            run(node, "sh", "-c", SANDBOX_REMOVE, "remove", sb.dir());
            throw new StartException(
                    "CreateContainerError",
                    "FailedCreatePodSandBox",
                    "failed to create the network " + "namespace of pod " + pod + " in node " + node.name() + ": "
                            + r.failureText());
        }
        sandboxes.put(pod.uid(), sb);
        return sb;
    }

    /**
     * Refuses ports another running container of the pod has declared, or something in the pod's network
     * namespace listens on. Other pods do not matter: each has its own network namespace.
     */
    private void checkPorts(PodRef pod, Sandbox sandbox, String container, List<Integer> ports) throws StartException {
        if (ports.isEmpty()) {
            return;
        }
        for (Proc other : procs.values()) {
            if (other.pod.uid().equals(pod.uid()) && other.running() && !other.container.equals(container)) {
                for (int port : ports) {
                    if (other.ports.contains(port)) {
                        throw portConflict(port, container, pod, "by its container " + other.container);
                    }
                }
            }
        }
        List<String> cat = new ArrayList<>(sandbox.enter());
        cat.addAll(List.of(BUSYBOX, "cat", "/proc/net/tcp", "/proc/net/tcp6"));
        ExecResult r = NodeExec.run(engine, sandbox.node().containerId(), cat.toArray(String[]::new));
        if (r.ok()) {
            Set<Integer> listening = listeningPorts(r.stdout());
            for (int port : ports) {
                if (listening.contains(port)) {
                    throw portConflict(port, container, pod, "(something in the pod already listens on it)");
                }
            }
        }
    }

    private static StartException portConflict(int port, String container, PodRef pod, String by) {
        return new StartException(
                "CreateContainerError",
                "PortConflict",
                "port " + port + " of container "
                        + container + " is already in use in pod " + pod + " " + by
                        + ": the containers of a pod share its "
                        + "network namespace, so they cannot listen on the same port");
    }

    /** Ports in state LISTEN (0A) in {@code /proc/net/tcp} format. */
    static Set<Integer> listeningPorts(String procNetTcp) {
        Set<Integer> out = new java.util.HashSet<>();
        for (String line : procNetTcp.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && f[3].equals("0A") && f[1].contains(":")) {
                try {
                    out.add(Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16));
                } catch (NumberFormatException e) {
                    // header line
                }
            }
        }
        return out;
    }

    @Override
    public Optional<Integer> exitCode(PodRef pod, String container) {
        Proc p = procs.get(key(pod, container));
        if (p == null || p.execId == null) {
            return Optional.empty();
        }
        if (p.exit == null && System.nanoTime() - p.lastInspect >= INSPECT_EVERY_NANOS) {
            p.lastInspect = System.nanoTime();
            try {
                InspectExecResponse r = engine.client().inspectExecCmd(p.execId).exec();
                if (!Boolean.TRUE.equals(r.isRunning()) && r.getExitCodeLong() != null) {
                    p.exit = r.getExitCodeLong().intValue();
                }
            } catch (RuntimeException e) {
                // the node is going away; ask again later
            }
        }
        return Optional.ofNullable(p.exit);
    }

    @Override
    public boolean probe(PodRef pod, String container, Probe probe) {
        Proc p = procs.get(key(pod, container));
        if (p == null || !p.running()) {
            return false;
        }
        // probes run in the pod's network namespace: its 127.0.0.1 stands in for the pod IP
        List<String> cmd = new ArrayList<>(p.sandbox.enter());
        ExecResult r;
        if (probe instanceof Probe.HttpGet h) {
            // no "wget -T" nor "timeout": both crash (SIGSEGV) in the static busybox 1.35 of Debian 12
            cmd.addAll(List.of(BUSYBOX, "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:" + h.port() + h.path()));
            r = NodeExec.run(engine, p.node.containerId(), null, 1, cmd.toArray(String[]::new));
        } else if (probe instanceof Probe.TcpSocket t) {
            cmd.addAll(List.of(BUSYBOX, "nc", "-w", "1", "127.0.0.1", String.valueOf(t.port()), "-e", BUSYBOX, "true"));
            r = NodeExec.run(engine, p.node.containerId(), cmd.toArray(String[]::new));
        } else if (probe instanceof Probe.Exec e) {
            if (e.command().isEmpty()) {
                return false;
            }
            String root = p.dir + "/rootfs";
            cmd = new ArrayList<>(List.of(BUSYBOX, "env", "-i"));
            cmd.addAll(p.env);
            cmd.addAll(p.sandbox.enter());
            cmd.addAll(List.of("-r" + root, "-w" + root + p.workingDir));
            cmd.addAll(p.userOptions());
            cmd.addAll(e.command());
            r = NodeExec.run(engine, p.node.containerId(), null, 1, cmd.toArray(String[]::new));
        } else {
            return false;
        }
        if (r.ok()) {
            probeFailures.remove(key(pod, container));
        } else {
            probeFailures.put(key(pod, container), probeFailureText(probe, r.stdout() + r.stderr()));
        }
        return r.ok();
    }

    @Override
    public Optional<String> probeFailure(PodRef pod, String container) {
        return Optional.ofNullable(probeFailures.get(key(pod, container)));
    }

    /**
     * The kubelet's wording of a failed probe: kubernetes pkg/probe/http/http.go DoHTTPProbe ("HTTP probe failed
     * with statuscode: %d", or the client's error), pkg/probe/tcp/tcp.go (the dial error), pkg/probe/exec/exec.go
     * (the command's output).
     */
    static String probeFailureText(Probe probe, String output) {
        String out = output.strip();
        if (probe instanceof Probe.HttpGet h) {
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("HTTP/1\\.[01] (\\d{3})").matcher(out);
            if (m.find()) {
                return "HTTP probe failed with statuscode: " + m.group(1);
            }
            return "Get \"http://127.0.0.1:" + h.port() + h.path() + "\": dial tcp 127.0.0.1:" + h.port()
                    + ": connect: connection refused";
        }
        if (probe instanceof Probe.TcpSocket t) {
            return "dial tcp 127.0.0.1:" + t.port() + ": connect: connection refused";
        }
        return out;
    }

    @Override
    public Optional<String> logs(PodRef pod, String container) {
        Proc p = procs.get(key(pod, container));
        if (p == null) {
            return Optional.empty();
        }
        ExecResult r = NodeExec.run(engine, p.node.containerId(), BUSYBOX, "tail", "-c", "1048576", p.dir + "/log");
        return Optional.of(r.ok() ? r.stdout() : "");
    }

    @Override
    public Optional<String> logsFrom(PodRef pod, String container, long offset) {
        Proc p = procs.get(key(pod, container));
        if (p == null) {
            return Optional.empty();
        }
        ExecResult r = NodeExec.run(
                engine, p.node.containerId(), BUSYBOX, "tail", "-c", "+" + (Math.max(0, offset) + 1), p.dir + "/log");
        return Optional.of(r.ok() ? r.stdout() : "");
    }

    @Override
    public void stopPod(PodRef pod) {
        synchronized (lifecycle) {
            for (Map.Entry<String, Proc> e : procs.entrySet()) {
                if (e.getValue().pod.uid().equals(pod.uid())) {
                    stop(e.getValue());
                    procs.remove(e.getKey());
                }
            }
            Sandbox sb = sandboxes.remove(pod.uid());
            if (sb != null) {
                removeSandbox(sb);
            }
            proxies.forget(pod.uid());
        }
    }

    @Override
    public void terminate(PodRef pod) {
        signal(pod, "TERM");
    }

    @Override
    public void kill(PodRef pod) {
        signal(pod, "KILL");
        stopPod(pod);
    }

    private void signal(PodRef pod, String signal) {
        synchronized (lifecycle) {
            for (Proc p : procs.values()) {
                if (p.pod.uid().equals(pod.uid())) {
                    try {
                        ExecResult r = run(p.node, "sh", "-c", SIGNAL, "signal", p.dir, signal);
                        if (!r.ok()) {
                            System.err.println("test bed: could not send SIG" + signal + " to container " + p.container
                                    + " of pod " + p.pod + ": " + r.failureText());
                        }
                    } catch (RuntimeException e) {
                        System.err.println("test bed: could not send SIG" + signal + " to container " + p.container
                                + " of pod " + p.pod + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    private void removeSandbox(Sandbox sb) {
        try {
            ExecResult r = run(sb.node(), "sh", "-c", SANDBOX_REMOVE, "remove", sb.dir());
            if (!r.ok()) {
                System.err.println(
                        "test bed: could not remove the network namespace of pod " + sb.pod() + ": " + r.failureText());
            }
        } catch (RuntimeException e) {
            System.err.println(
                    "test bed: could not remove the network namespace of pod " + sb.pod() + ": " + e.getMessage());
        }
    }

    private void stop(Proc p) {
        try {
            ExecResult r = run(p.node, "sh", "-c", STOP, "stop", p.dir);
            if (!r.ok()) {
                System.err.println("test bed: could not stop container " + p.container + " of pod " + p.pod + ": "
                        + r.failureText());
            }
        } catch (RuntimeException e) {
            System.err.println(
                    "test bed: could not stop container " + p.container + " of pod " + p.pod + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ services

    @Override
    public void route(List<ServiceRoute> routes) {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            List<ServiceProxies.PodNet> pods = new ArrayList<>();
            for (Sandbox sb : sandboxes.values()) {
                pods.add(new ServiceProxies.PodNet(sb.pod(), sb.node(), sb.netns(), Set.copyOf(sb.declaredPorts())));
            }
            Map<String, List<Map.Entry<KindNode, String>>> rootfs = new LinkedHashMap<>();
            for (Proc p : procs.values()) {
                rootfs.computeIfAbsent(p.pod.namespace(), n -> new ArrayList<>())
                        .add(Map.entry(p.node, p.dir + "/rootfs"));
            }
            proxies.update(routes, pods, rootfs);
        }
    }

    // ------------------------------------------------------------------ port forwarding

    @Override
    public Connection connect(PodRef pod, int port) throws IOException {
        if (closed) {
            throw new IOException("the test bed is shutting down");
        }
        Sandbox sb = sandboxes.get(pod.uid());
        if (sb == null) {
            throw new IOException("pod " + pod + " has no network namespace: none of its containers was started");
        }
        KindNode node = sb.node();
        NcConnection c = new NcConnection(sb, port);
        connections.add(c);
        try {
            c.open();
        } catch (RuntimeException e) {
            c.close();
            throw new IOException(
                    "cannot connect to port " + port + " in node " + node.name() + ": " + e.getMessage(), e);
        }
        return c;
    }

    /**
     * {@code busybox nc 127.0.0.1 <port>} in the pod's network namespace, attached to stdin and stdout. The engine does not
     * half-close an exec's stdin, so closing the connection kills the nc by its pid file.
     */
    private final class NcConnection implements Connection {
        private final KindNode node;
        private final Sandbox sandbox;
        private final int port;
        private final String pidFile = "/tmp/e2e-port-forward-" + UUID.randomUUID() + ".pid";
        private final ByteQueue toPod = new ByteQueue();
        private final ByteQueue fromPod = new ByteQueue();
        private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        private volatile String failure;
        private volatile String execId;
        private volatile ResultCallback.Adapter<Frame> callback;
        private volatile boolean closed;

        NcConnection(Sandbox sandbox, int port) {
            this.node = sandbox.node();
            this.sandbox = sandbox;
            this.port = port;
        }

        void open() {
            DockerClient docker = engine.client();
            execId = docker.execCreateCmd(node.containerId())
                    .withCmd(
                            BUSYBOX,
                            "sh",
                            "-c",
                            "echo $$ > \"$1\"; exec /bin/busybox nsenter -F -n\"$2\" /bin/busybox nc "
                                    + "127.0.0.1 \"$3\"",
                            "nc",
                            pidFile,
                            sandbox.netns(),
                            String.valueOf(port))
                    .withAttachStdin(true)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .exec()
                    .getId();
            callback = docker.execStartCmd(execId).withStdIn(toPod.input()).exec(new ResultCallback.Adapter<>() {
                @Override
                public void onNext(Frame frame) {
                    if (frame.getStreamType() == StreamType.STDERR) {
                        synchronized (stderr) {
                            stderr.writeBytes(frame.getPayload());
                        }
                    } else {
                        fromPod.write(frame.getPayload());
                    }
                }

                @Override
                public void onError(Throwable t) {
                    if (!NcConnection.this.closed) {
                        failure = "connection to the node failed: " + t.getMessage();
                    }
                    finish();
                    super.onError(t);
                }

                @Override
                public void onComplete() {
                    finish();
                    super.onComplete();
                }
            });
        }

        private void finish() {
            if (failure == null) {
                try {
                    Long code = engine.client().inspectExecCmd(execId).exec().getExitCodeLong();
                    if (code != null && code != 0) {
                        String err;
                        synchronized (stderr) {
                            err = stderr.toString(StandardCharsets.UTF_8).strip();
                        }
                        failure = err.isEmpty() ? "nc exited with code " + code : err;
                    }
                } catch (RuntimeException e) {
                    // gone with its node
                }
            }
            fromPod.close();
            toPod.close();
        }

        @Override
        public InputStream input() {
            return fromPod.input();
        }

        @Override
        public OutputStream output() {
            return toPod.output();
        }

        @Override
        public Optional<String> failure() {
            return Optional.ofNullable(failure);
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            connections.remove(this);
            toPod.close();
            try {
                NodeExec.run(
                        engine,
                        node.containerId(),
                        BUSYBOX,
                        "sh",
                        "-c",
                        "[ -f \"$1\" ] && /bin/busybox kill $(/bin/busybox cat \"$1\") 2>/dev/null; /bin/busybox rm -f \"$1\"",
                        "kill",
                        pidFile);
            } catch (RuntimeException e) {
                // the node is gone, and nc with it
            }
            ResultCallback.Adapter<Frame> cb = callback;
            if (cb != null) {
                try {
                    cb.close();
                } catch (IOException e) {
                    // closing
                }
            }
            fromPod.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    @Override
    public void close() {
        synchronized (lifecycle) {
            closed = true;
            for (NcConnection c : List.copyOf(connections)) {
                c.close();
            }
            for (Proc p : procs.values()) {
                stop(p);
            }
            procs.clear();
            for (Sandbox sb : sandboxes.values()) {
                removeSandbox(sb);
            }
            sandboxes.clear();
            for (KindNode n : cluster.nodes()) {
                try {
                    run(n, "rm", "-rf", ServiceProxies.ROUTES);
                } catch (RuntimeException e) {
                    // the node is gone, and its routes with it
                }
            }
        }
    }

    /** The image's entrypoint, cmd, env and working directory, read from the node's containerd content store. */
    private ImageConfig imageConfig(KindNode node, String imageRef) throws StartException {
        String ref = NodeImages.normalize(imageRef);
        ExecResult ls = NodeExec.run(engine, node.containerId(), "ctr", "--namespace=k8s.io", "images", "ls");
        String target = null;
        for (String line : ls.stdout().lines().skip(1).toList()) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 3 && cols[0].equals(ref)) {
                target = cols[2];
            }
        }
        if (target == null) {
            throw new StartException(
                    "CreateContainerError",
                    "Failed",
                    "image " + ref + " is not in the containerd of " + "node " + node.name());
        }
        String cacheKey = node.name() + "/" + target;
        ImageConfig cached = configs.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        try {
            JsonNode manifest = content(node, target);
            if (manifest.has("manifests")) {
                String chosen = null;
                for (JsonNode m : manifest.get("manifests")) {
                    JsonNode pl = m.path("platform");
                    if (chosen == null
                            || "linux".equals(pl.path("os").asText())
                                    && "amd64".equals(pl.path("architecture").asText())) {
                        chosen = m.path("digest").asText();
                    }
                }
                manifest = content(node, chosen);
            }
            JsonNode config = content(
                            node, manifest.path("config").path("digest").asText())
                    .path("config");
            ImageConfig cfg = new ImageConfig(
                    strings(config.path("Entrypoint")),
                    strings(config.path("Cmd")),
                    strings(config.path("Env")),
                    config.path("WorkingDir").asText(""),
                    config.path("User").asText(""));
            configs.put(cacheKey, cfg);
            return cfg;
        } catch (IOException | RuntimeException e) {
            throw new StartException(
                    "CreateContainerError",
                    "Failed",
                    "cannot read the config of image " + ref + " in node " + node.name() + ": " + e.getMessage());
        }
    }

    private JsonNode content(KindNode node, String digest) throws IOException {
        ExecResult r = NodeExec.run(engine, node.containerId(), "ctr", "--namespace=k8s.io", "content", "get", digest);
        if (!r.ok()) {
            throw new IOException("ctr content get " + digest + ": " + r.failureText());
        }
        return JSON.readTree(r.stdout());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private Optional<KindNode> node(String name) {
        return cluster.nodes().stream().filter(n -> n.name().equals(name)).findFirst();
    }

    private ExecResult run(KindNode node, String... busyboxArgs) {
        String[] cmd = new String[busyboxArgs.length + 1];
        cmd[0] = BUSYBOX;
        System.arraycopy(busyboxArgs, 0, cmd, 1, busyboxArgs.length);
        return NodeExec.run(engine, node.containerId(), cmd);
    }

    private static String key(PodRef pod, String container) {
        return pod.uid() + "/" + container;
    }
}
