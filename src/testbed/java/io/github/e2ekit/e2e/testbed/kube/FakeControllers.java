package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulated control plane and kubelet: one {@link #pass()} reconciles every workload once. State that a
 * real kubelet keeps in the container runtime (when a container started, restarts, events already sent) is
 * kept here per pod uid and dropped when the pod is gone.
 */
final class FakeControllers {

  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final long JOB_RUN_MILLIS = 300;
  private static final long PULL_CYCLE_MILLIS = 3000;
  private static final long PULL_ERROR_MILLIS = 800;
  private static final long CRASH_PERIOD_MILLIS = 1500;

  private final FakeApiDispatcher api;
  private final NodeImages nodes;
  private final PodRuntime runtime;
  private final KubeletProbes probes;
  private final ContainerConfigCheck configCheck;
  private final Set<String> crashImages = ConcurrentHashMap.newKeySet();
  private final Set<String> failingJobs = ConcurrentHashMap.newKeySet();
  private volatile Duration readinessDelay = Duration.ZERO;
  private final Map<String, PodState> podStates = new ConcurrentHashMap<>();
  private final AtomicInteger nextPodIp = new AtomicInteger(2);
  private final AtomicInteger nextNode = new AtomicInteger();
  private final AtomicLong passes = new AtomicLong();

  private final ResourceType pods;
  private final ResourceType services;
  private final ResourceType events;
  private final ResourceType nodeType;
  private final ResourceType deployments;
  private final ResourceType replicaSets;
  private final ResourceType statefulSets;
  private final ResourceType daemonSets;
  private final ResourceType jobs;
  private final DeploymentController deploymentController;
  private final JobController jobController;
  private final PodTermination termination;

  /** What the runtime remembers about one pod. */
  private static final class PodState {
    final Instant firstSeen = Instant.now();
    final String podIp;
    final Map<String, Instant> started = new ConcurrentHashMap<>();
    final Set<String> eventsSent = ConcurrentHashMap.newKeySet();
    final StringBuilder log = new StringBuilder();
    /** Set once the pod runtime was asked to start something for this pod. */
    volatile PodRuntime.PodRef ref;
    /** Containers run by a real pod runtime, by name. */
    final Map<String, RealContainer> containers = new ConcurrentHashMap<>();

    PodState(String podIp) {
      this.podIp = podIp;
    }
  }

  /** One container run by a real {@link PodRuntime}: its process history and readiness. */
  private static final class RealContainer {
    boolean running;
    boolean finished;
    Instant startedAt;
    int restarts;
    Integer lastExit;
    Instant lastStartedAt;
    Instant lastFinishedAt;
    Instant nextStart = Instant.EPOCH;
    String startError;
    String startErrorReason;
    volatile int run;
    boolean pendingRestart;
    Duration backoff = Duration.ZERO;
    final KubeletProbes.State probe = new KubeletProbes.State();
  }

  FakeControllers(FakeApiDispatcher api, NodeImages nodes, PodRuntime runtime) {
    this.api = api;
    this.nodes = nodes;
    this.runtime = runtime;
    this.probes = new KubeletProbes(runtime);
    this.configCheck = new ContainerConfigCheck(api);
    pods = api.typeOf("", "v1", "pods");
    services = api.typeOf("", "v1", "services");
    events = api.typeOf("", "v1", "events");
    nodeType = api.typeOf("", "v1", "nodes");
    deployments = api.typeOf("apps", "v1", "deployments");
    replicaSets = api.typeOf("apps", "v1", "replicasets");
    statefulSets = api.typeOf("apps", "v1", "statefulsets");
    daemonSets = api.typeOf("apps", "v1", "daemonsets");
    jobs = api.typeOf("batch", "v1", "jobs");
    deploymentController = new DeploymentController(api, this);
    jobController = new JobController(api, this);
    termination = new PodTermination(api, runtime);
  }

  void crashLoop(String imageRef) {
    crashImages.add(NodeImages.normalize(imageRef));
  }

  void readinessDelay(Duration d) {
    readinessDelay = d == null ? Duration.ZERO : d;
  }

  void failJobs(String jobNameOrImage) {
    failingJobs.add(jobNameOrImage);
    failingJobs.add(NodeImages.normalize(jobNameOrImage));
  }

  void ignoreSigterm(String imageRef) {
    termination.ignoreSigterm(imageRef);
  }

  void clearFaults() {
    termination.clearFaults();
    crashImages.clear();
    failingJobs.clear();
    readinessDelay = Duration.ZERO;
  }

  long passes() {
    return passes.get();
  }

  String logs(String namespace, String pod, String container) {
    JsonNode p = api.find(pods, namespace, pod);
    PodState rt = p == null ? null : podStates.get(Json.text(p, "metadata", "uid"));
    if (rt == null) {
      return "";
    }
    PodRuntime.PodRef ref = rt.ref;
    if (ref != null && runtime.runsProcesses()) {
      String c = container;
      if (c == null || c.isEmpty()) {
        JsonNode first = p.path("spec").path("containers").path(0);
        c = first.path("name").asText();
      }
      if (rt.containers.containsKey(c)) {
        Optional<String> out = runtime.logs(ref, c);
        if (out.isPresent()) {
          return out.get();
        }
      }
    }
    return rt.log.toString();
  }

  /**
   * A container's current log from byte {@code offset} on, and whether it has ended: the container exited (its
   * last output is in {@code text}) or the pod is gone. Simulated containers never exit. Used to follow a log
   * ({@link PodLogStream}).
   */
  record LogPiece(String text, boolean ended) {
  }

  LogPiece logFrom(String namespace, String pod, String container, long offset) {
    JsonNode p = api.find(pods, namespace, pod);
    PodState rt = p == null ? null : podStates.get(Json.text(p, "metadata", "uid"));
    if (rt == null) {
      return new LogPiece("", true);
    }
    PodRuntime.PodRef ref = rt.ref;
    if (ref != null && runtime.runsProcesses() && rt.containers.containsKey(container)) {
      // the exit is read first, so the text read after it holds everything the container wrote
      boolean exited = runtime.exitCode(ref, container).isPresent();
      Optional<String> out = runtime.logsFrom(ref, container, offset);
      if (out.isPresent()) {
        return new LogPiece(out.get(), exited);
      }
    }
    byte[] all = rt.log.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int from = (int) Math.min(all.length, Math.max(0, offset));
    return new LogPiece(new String(all, from, all.length - from, java.nio.charset.StandardCharsets.UTF_8), false);
  }

  /** Stops the probes and every process the pod runtime still runs. */
  void close() {
    probes.close();
    for (PodState st : podStates.values()) {
      stopPod(st);
    }
    podStates.clear();
  }

  private void stopPod(PodState st) {
    PodRuntime.PodRef ref = st.ref;
    if (ref != null) {
      try {
        runtime.stopPod(ref);
      } catch (RuntimeException e) {
        // the runtime's close() is the fallback
      }
    }
  }

  /** The namespaces and nodes a fresh kind cluster has. */
  void bootstrap() {
    for (String ns : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
      ObjectNode o = Json.obj().put("apiVersion", "v1").put("kind", "Namespace");
      Json.with(o, "metadata").put("name", ns);
      api.internal("POST", "/api/v1/namespaces", o);
    }
    List<String> names = nodes.nodes();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      ObjectNode n = Json.obj().put("apiVersion", "v1").put("kind", "Node");
      ObjectNode labels = Json.with(Json.with(n, "metadata").put("name", name), "labels");
      labels.put("kubernetes.io/hostname", name).put("kubernetes.io/os", "linux").put("kubernetes.io/arch", "amd64");
      if (i == 0) {
        labels.put("node-role.kubernetes.io/control-plane", "");
      }
      Json.with(n, "spec").put("podCIDR", "10.244." + i + ".0/24");
      api.internal("POST", "/api/v1/nodes", n);
      ObjectNode stored = (ObjectNode) api.find(nodeType, null, name);
      ObjectNode st = Json.with(stored, "status");
      String now = Json.now();
      st.putArray("conditions").addObject().put("type", "Ready").put("status", "True")
          .put("reason", "KubeletReady").put("message", "kubelet is posting ready status")
          .put("lastHeartbeatTime", now).put("lastTransitionTime", now);
      ArrayNode addrs = st.putArray("addresses");
      addrs.addObject().put("type", "InternalIP").put("address", nodeIp(name));
      addrs.addObject().put("type", "Hostname").put("address", name);
      st.putObject("nodeInfo").put("architecture", "amd64").put("bootID", uuidLike(name + "boot"))
          .put("containerRuntimeVersion", "containerd://1.7.18").put("kernelVersion", "6.1.0")
          .put("kubeProxyVersion", "v1.31.0").put("kubeletVersion", "v1.31.0")
          .put("machineID", uuidLike(name + "machine").replace("-", "")).put("operatingSystem", "linux")
          .put("osImage", "Debian GNU/Linux 12 (bookworm)").put("systemUUID", uuidLike(name + "system"));
      st.put("phase", "Running");
      api.internal("PUT", "/api/v1/nodes/" + name + "/status", stored);
    }
  }

  private String nodeIp(String node) {
    int idx = Math.max(0, nodes.nodes().indexOf(node));
    return "172.18.0." + (idx + 2);
  }

  /** One reconciliation of everything. */
  void pass() {
    guarded(deploymentController::sync);
    guarded(this::replicaSets);
    guarded(this::statefulSets);
    guarded(this::daemonSets);
    guarded(jobController::sync);
    guarded(this::kubelet);
    guarded(() -> runtime.route(ServiceRoutes.of(api.list(services, null), api.list(pods, null))));
    guarded(this::collectGarbage);
    passes.incrementAndGet();
  }

  static void guarded(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      // one broken object must not stop the others; the next pass retries
    }
  }

  // ================================================================== workload controllers

  /**
   * The ReplicaSet controller (kubernetes pkg/controller/replicaset/replica_set.go manageReplicas): it counts only
   * active pods (controller_utils.go FilterActivePods: not terminating, not Succeeded/Failed), so a pod being
   * deleted is replaced at once; it removes not-ready and newer pods first when scaling down.
   */
  private void replicaSets() {
    List<JsonNode> allPods = api.list(pods, null).stream().filter(FakeControllers::isActive).toList();
    for (JsonNode rs : api.list(replicaSets, null)) {
      String ns = Json.text(rs, "metadata", "namespace");
      String name = Json.text(rs, "metadata", "name");
      String uid = Json.text(rs, "metadata", "uid");
      int desired = rs.path("spec").path("replicas").asInt(1);
      List<JsonNode> owned = new ArrayList<>(ownedBy(allPods, uid));
      for (int i = owned.size(); i < desired; i++) {
        createPod(ns, name + "-" + randomSuffix(5), rs.path("spec").path("template"),
            ownerRef("apps/v1", "ReplicaSet", name, uid), null, Map.of());
      }
      if (owned.size() > desired) {
        owned.sort(Comparator.comparing((JsonNode p) -> isReady(p)).thenComparing(
            p -> Json.text(p, "metadata", "creationTimestamp"), Comparator.reverseOrder()));
        for (int i = 0; i < owned.size() - desired; i++) {
          deletePod(owned.get(i));
        }
      }
      List<JsonNode> now = ownedBy(api.list(pods, ns).stream().filter(FakeControllers::isActive).toList(), uid);
      int ready = (int) now.stream().filter(FakeControllers::isReady).count();
      ObjectNode st = Json.obj().put("replicas", now.size());
      int labelled = now.size();
      st.put("fullyLabeledReplicas", labelled).put("readyReplicas", ready).put("availableReplicas", ready)
          .put("observedGeneration", rs.path("metadata").path("generation").asLong(1));
      if (ready == 0) {
        st.remove("readyReplicas");
        st.remove("availableReplicas");
      }
      writeStatus(replicaSets, rs, st);
    }
    // Deployment status depends on the ReplicaSets' pods: compute it after them.
    deploymentController.updateStatuses();
  }

  private void statefulSets() {
    for (JsonNode s : api.list(statefulSets, null)) {
      String ns = Json.text(s, "metadata", "namespace");
      String name = Json.text(s, "metadata", "name");
      String uid = Json.text(s, "metadata", "uid");
      int desired = s.path("spec").path("replicas").asInt(1);
      String revision = name + "-" + templateHash(s.path("spec").path("template"));
      boolean parallel = "Parallel".equals(Json.text(s, "spec", "podManagementPolicy"));
      boolean onDelete = "OnDelete".equals(Json.text(s, "spec", "updateStrategy", "type"));
      List<JsonNode> owned = ownedBy(api.list(pods, ns), uid);
      Map<Integer, JsonNode> byOrdinal = new java.util.TreeMap<>();
      for (JsonNode p : owned) {
        String pn = Json.text(p, "metadata", "name");
        try {
          byOrdinal.put(Integer.parseInt(pn.substring(name.length() + 1)), p);
        } catch (RuntimeException e) {
          deletePod(p);
        }
      }
      // scale down, highest ordinal first
      List<Integer> extra = byOrdinal.keySet().stream().filter(i -> i >= desired)
          .sorted(Comparator.reverseOrder()).toList();
      if (!extra.isEmpty()) {
        deletePod(byOrdinal.remove(extra.get(0)));
      } else {
        for (int i = 0; i < desired; i++) {
          if (!byOrdinal.containsKey(i)) {
            Map<String, String> extraLabels = Map.of("controller-revision-hash", revision,
                "statefulset.kubernetes.io/pod-name", name + "-" + i, "apps.kubernetes.io/pod-index",
                String.valueOf(i));
            createPod(ns, name + "-" + i, s.path("spec").path("template"),
                ownerRef("apps/v1", "StatefulSet", name, uid), null, extraLabels);
            if (!parallel) {
              break;
            }
          } else if (!parallel && !isReady(byOrdinal.get(i))) {
            break;
          }
        }
        // rolling update: replace the highest outdated pod when all others are ready
        if (!onDelete && byOrdinal.size() == desired) {
          List<Integer> outdated = byOrdinal.entrySet().stream()
              .filter(e -> !revision.equals(Json.text(e.getValue(), "metadata", "labels", "controller-revision-hash")))
              .map(Map.Entry::getKey).sorted(Comparator.reverseOrder()).toList();
          if (!outdated.isEmpty()) {
            int victim = outdated.get(0);
            boolean othersReady = byOrdinal.entrySet().stream()
                .allMatch(e -> e.getKey() == victim || isReady(e.getValue()));
            if (othersReady) {
              deletePod(byOrdinal.get(victim));
            }
          }
        }
      }
      List<JsonNode> now = ownedBy(api.list(pods, ns), uid);
      int ready = (int) now.stream().filter(FakeControllers::isReady).count();
      int updated = (int) now.stream()
          .filter(p -> revision.equals(Json.text(p, "metadata", "labels", "controller-revision-hash"))).count();
      String current = updated == now.size() && now.size() == desired ? revision
          : Optional.ofNullable(Json.text(s, "status", "currentRevision")).orElse(revision);
      ObjectNode st = Json.obj().put("observedGeneration", s.path("metadata").path("generation").asLong(1))
          .put("replicas", now.size()).put("readyReplicas", ready)
          .put("currentReplicas", current.equals(revision) ? updated : now.size() - updated)
          .put("updatedReplicas", updated).put("availableReplicas", ready).put("currentRevision", current)
          .put("updateRevision", revision).put("collisionCount", 0);
      for (String f : List.of("readyReplicas", "currentReplicas", "updatedReplicas")) {
        if (st.get(f).asInt() == 0) {
          st.remove(f);
        }
      }
      writeStatus(statefulSets, s, st);
    }
  }

  private void daemonSets() {
    List<String> nodeNames = nodes.nodes();
    for (JsonNode ds : api.list(daemonSets, null)) {
      String ns = Json.text(ds, "metadata", "namespace");
      String name = Json.text(ds, "metadata", "name");
      String uid = Json.text(ds, "metadata", "uid");
      String hash = templateHash(ds.path("spec").path("template"));
      long generation = ds.path("metadata").path("generation").asLong(1);
      List<JsonNode> owned = ownedBy(api.list(pods, ns), uid);
      boolean allReady = owned.stream().allMatch(FakeControllers::isReady);
      boolean deletedOne = false;
      for (String node : nodeNames) {
        List<JsonNode> onNode = owned.stream().filter(p -> node.equals(Json.text(p, "spec", "nodeName"))).toList();
        if (onNode.isEmpty()) {
          createPod(ns, name + "-" + randomSuffix(5), ds.path("spec").path("template"),
              ownerRef("apps/v1", "DaemonSet", name, uid), node,
              Map.of("controller-revision-hash", hash, "pod-template-generation", String.valueOf(generation)));
        } else if (!deletedOne && allReady
            && !hash.equals(Json.text(onNode.get(0), "metadata", "labels", "controller-revision-hash"))
            && !"OnDelete".equals(Json.text(ds, "spec", "updateStrategy", "type"))) {
          deletePod(onNode.get(0));
          deletedOne = true;
        }
      }
      List<JsonNode> now = ownedBy(api.list(pods, ns), uid);
      int ready = (int) now.stream().filter(FakeControllers::isReady).count();
      int updated = (int) now.stream()
          .filter(p -> hash.equals(Json.text(p, "metadata", "labels", "controller-revision-hash"))).count();
      ObjectNode st = Json.obj().put("currentNumberScheduled", now.size())
          .put("desiredNumberScheduled", nodeNames.size()).put("numberMisscheduled", 0).put("numberReady", ready)
          .put("observedGeneration", generation).put("updatedNumberScheduled", updated)
          .put("numberAvailable", ready);
      if (nodeNames.size() - ready > 0) {
        st.put("numberUnavailable", nodeNames.size() - ready);
      }
      if (ready == 0) {
        st.remove("numberAvailable");
      }
      writeStatus(daemonSets, ds, st);
    }
  }

  // ================================================================== kubelet

  private void kubelet() {
    List<String> nodeNames = nodes.nodes();
    Set<String> live = new HashSet<>();
    List<JsonNode> allPods = api.list(pods, null);
    allPods.forEach(p -> live.add(Json.text(p, "metadata", "uid")));
    // stop the processes of deleted pods first: a pod recreated under the same name reuses their place
    for (Map.Entry<String, PodState> e : podStates.entrySet()) {
      if (!live.contains(e.getKey())) {
        stopPod(e.getValue());
        podStates.remove(e.getKey());
      }
    }
    for (JsonNode p : allPods) {
      String uid = Json.text(p, "metadata", "uid");
      String node = Json.text(p, "spec", "nodeName");
      if (node == null || node.isEmpty()) {
        if (nodeNames.isEmpty()) {
          continue;
        }
        node = nodeNames.get(Math.floorMod(nextNode.getAndIncrement(), nodeNames.size()));
        ObjectNode copy = ((ObjectNode) p).deepCopy();
        Json.with(copy, "spec").put("nodeName", node);
        FakeApiDispatcher.Resp r = api.internal("PUT",
            pods.objectPath(Json.text(p, "metadata", "namespace"), Json.text(p, "metadata", "name")), copy);
        if (!r.ok()) {
          continue;
        }
        p = r.json();
        event(p, "Normal", "Scheduled", "Successfully assigned " + Json.text(p, "metadata", "namespace") + "/"
            + Json.text(p, "metadata", "name") + " to " + node, "default-scheduler", null);
      }
      PodState rt = podStates.computeIfAbsent(uid, u -> new PodState(podIp()));
      if (p.path("metadata").hasNonNull("deletionTimestamp")) {
        // being deleted: stop the containers (PodTermination), never start or restart them
        List<String> running = rt.containers.entrySet().stream().filter(e -> e.getValue().running)
            .map(Map.Entry::getKey).toList();
        termination.step(p, rt.ref, running);
        continue;
      }
      ObjectNode st = podStatus(p, node, rt);
      writeStatus(pods, p, st);
    }
    for (Map.Entry<String, PodState> e : podStates.entrySet()) {
      if (!live.contains(e.getKey())) {
        stopPod(e.getValue());
        podStates.remove(e.getKey());
      }
    }
    termination.retain(live);
  }

  private String podIp() {
    int n = nextPodIp.getAndIncrement();
    return "10.244." + (n / 250) + "." + (n % 250 + 1);
  }

  private ObjectNode podStatus(JsonNode pod, String node, PodState rt) {
    Instant now = Instant.now();
    JsonNode old = pod.path("status");
    String restartPolicy = Optional.ofNullable(Json.text(pod, "spec", "restartPolicy")).orElse("Always");
    String jobName = ownerOfKind(pod, "Job");
    boolean jobFails = jobName != null && failingJobs.contains(jobName);
    ObjectNode st = Json.obj();
    ArrayNode initStatuses = Json.arr();
    boolean initDone = true;
    boolean initFailed = false;
    boolean real = runtime.runsProcesses();
    for (JsonNode c : pod.path("spec").path("initContainers")) {
      // a real runtime runs init containers one after the other; the simulation runs them side by side
      ObjectNode cs = real && !initDone ? waiting(c, "PodInitializing", null)
          : containerStatus(pod, node, rt, c, now, true, false, restartPolicy);
      initStatuses.add(cs);
      JsonNode term = cs.path("state").path("terminated");
      if (term.isMissingNode()) {
        initDone = false;
      } else if (real && term.path("exitCode").asInt() != 0) {
        initDone = false;
        initFailed = true;
      }
    }
    ArrayNode statuses = Json.arr();
    boolean allRunning = true;
    boolean allTerminated = true;
    boolean anyFailed = false;
    for (JsonNode c : pod.path("spec").path("containers")) {
      ObjectNode cs;
      if (!initDone) {
        cs = waiting(c, "PodInitializing", null);
      } else {
        boolean fails = jobFails || failingJobs.contains(NodeImages.normalize(c.path("image").asText()));
        cs = containerStatus(pod, node, rt, c, now, jobName != null, fails && jobName != null, restartPolicy);
      }
      statuses.add(cs);
      JsonNode state = cs.path("state");
      allRunning &= state.has("running") && cs.path("ready").asBoolean();
      allTerminated &= state.has("terminated");
      if (state.has("terminated") && state.path("terminated").path("exitCode").asInt() != 0) {
        anyFailed = true;
      }
    }
    String phase;
    if (initFailed) {
      phase = "Failed";
    } else if (allTerminated && statuses.size() > 0 && !restartPolicy.equals("Always")
        && !(restartPolicy.equals("OnFailure") && anyFailed)) {
      // kubernetes pkg/kubelet/kubelet_pods.go getPhase: containers that will restart keep the pod Running
      phase = anyFailed ? "Failed" : "Succeeded";
    } else if (allTerminated && statuses.size() > 0) {
      phase = "Running";
    } else if (statuses.size() > 0 && initDone && anyStarted(statuses)) {
      phase = "Running";
    } else {
      phase = "Pending";
    }
    JsonNode oldConds = old.path("conditions");
    ArrayNode conds = Json.arr();
    boolean ready = allRunning && !"Succeeded".equals(phase) && !"Failed".equals(phase);
    boolean sandbox = !"Succeeded".equals(phase) && !"Failed".equals(phase);
    conds.add(condition(oldConds, "PodReadyToStartContainers", sandbox ? "True" : "False", null, null, false));
    conds.add(condition(oldConds, "Initialized", initDone ? "True" : "False",
        initDone ? null : "ContainersNotInitialized",
        initDone ? null : "containers with incomplete status: " + names(initStatuses, false), false));
    String notReady = names(statuses, true);
    String terminalReason = "Succeeded".equals(phase) ? "PodCompleted" : "PodFailed";
    boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
    conds.add(condition(oldConds, "Ready", ready ? "True" : "False",
        ready ? null : terminal ? terminalReason : "ContainersNotReady",
        ready || terminal ? null : "containers with unready status: " + notReady, false));
    conds.add(condition(oldConds, "ContainersReady", ready ? "True" : "False",
        ready ? null : terminal ? terminalReason : "ContainersNotReady",
        ready || terminal ? null : "containers with unready status: " + notReady, false));
    conds.add(condition(oldConds, "PodScheduled", "True", null, null, false));
    st.set("conditions", conds);
    st.put("phase", phase);
    String hostIp = nodeIp(node);
    st.put("hostIP", hostIp);
    st.putArray("hostIPs").addObject().put("ip", hostIp);
    st.put("podIP", rt.podIp);
    st.putArray("podIPs").addObject().put("ip", rt.podIp);
    st.put("startTime", rt.firstSeen.truncatedTo(ChronoUnit.SECONDS).toString());
    if (!initStatuses.isEmpty()) {
      st.set("initContainerStatuses", initStatuses);
    }
    st.set("containerStatuses", statuses);
    st.put("qosClass", "BestEffort");
    return st;
  }

  private static boolean anyStarted(ArrayNode statuses) {
    for (JsonNode s : statuses) {
      if (s.path("state").has("running") || s.path("state").has("terminated") || s.has("lastState")
          && s.path("lastState").has("terminated")) {
        return true;
      }
    }
    return false;
  }

  private static String names(ArrayNode statuses, boolean unready) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : statuses) {
      boolean done = unready ? s.path("ready").asBoolean() : s.path("state").has("terminated");
      if (!done) {
        out.add(s.path("name").asText());
      }
    }
    return "[" + String.join(" ", out) + "]";
  }

  private ObjectNode containerStatus(JsonNode pod, String node, PodState rt, JsonNode c, Instant now,
      boolean runsToCompletion, boolean fails, String restartPolicy) {
    String cname = c.path("name").asText();
    String image = c.path("image").asText();
    String policy = Optional.ofNullable(Json.text(c, "imagePullPolicy"))
        .orElse(NodeImages.isLatest(image) ? "Always" : "IfNotPresent");
    Optional<String> imageId = nodes.imageId(node, image);
    long age = Duration.between(rt.firstSeen, now).toMillis();
    String field = "spec.containers{" + cname + "}";
    boolean pulled = false;
    if ((policy.equals("Always") || imageId.isEmpty()) && !policy.equals("Never") && nodes.pull(node, image)) {
      imageId = nodes.imageId(node, image);
      pulled = imageId.isPresent();
      if (pulled && !rt.eventsSent.contains("pulled/" + cname)) {
        event(pod, "Normal", "Pulled", "Successfully pulled image \"" + image + "\"", "kubelet", field);
        rt.eventsSent.add("pulled/" + cname);
      }
    }
    if (!pulled && (policy.equals("Always") || imageId.isEmpty())) {
      if (policy.equals("Never")) {
        String msg = "Container image \"" + image + "\" is not present with pull policy of Never";
        event(pod, "Warning", "ErrImageNeverPull", msg, "kubelet", field);
        event(pod, "Warning", "Failed", "Error: ErrImageNeverPull", "kubelet", field);
        return waiting(c, "ErrImageNeverPull", msg);
      }
      String pullMsg = nodes.pullFailure(node, image).orElseGet(() -> pullFailure(image));
      event(pod, "Normal", "Pulling", "Pulling image \"" + image + "\"", "kubelet", field);
      event(pod, "Warning", "Failed", "Failed to pull image \"" + image + "\": " + pullMsg, "kubelet", field);
      event(pod, "Warning", "Failed", "Error: ErrImagePull", "kubelet", field);
      if (age % PULL_CYCLE_MILLIS < PULL_ERROR_MILLIS) {
        return waiting(c, "ErrImagePull", pullMsg);
      }
      event(pod, "Normal", "BackOff", "Back-off pulling image \"" + image + "\"", "kubelet", field);
      event(pod, "Warning", "Failed", "Error: ImagePullBackOff", "kubelet", field);
      return waiting(c, "ImagePullBackOff", "Back-off pulling image \"" + image + "\"");
    }
    String id = imageId.get();
    Optional<String> configProblem = configCheck.problem(Json.text(pod, "metadata", "namespace"), c);
    if (configProblem.isPresent() && !rt.containers.containsKey(cname) && !rt.started.containsKey(cname)) {
      event(pod, "Warning", "Failed", "Error: " + configProblem.get(), "kubelet", field);
      return waiting(c, "CreateContainerConfigError", configProblem.get());
    }
    boolean crashFault = crashImages.contains(NodeImages.normalize(image));
    if (runtime.runsProcesses() && !crashFault && !fails) {
      return realContainerStatus(pod, node, rt, c, now, id, runsToCompletion && restartPolicy.equals("Always")
          ? "OnFailure" : restartPolicy, field);
    }
    Instant started = rt.started.computeIfAbsent(cname, k -> now);
    if (!rt.eventsSent.contains("started/" + cname)) {
      rt.log.append(started).append(" fake-kubelet: started container ").append(cname).append(" (image ")
          .append(image).append(", ").append(id).append(")\n");
    }
    event(pod, "Normal", "Pulled", "Container image \"" + image + "\" already present on machine", "kubelet", field);
    event(pod, "Normal", "Created", "Created container " + cname, "kubelet", field);
    event(pod, "Normal", "Started", "Started container " + cname, "kubelet", field);
    rt.eventsSent.add("started/" + cname);
    ObjectNode cs = reportedImage(Json.obj().put("name", cname), node, image, id);
    int restarts = 0;
    boolean crash = crashImages.contains(NodeImages.normalize(image));
    String startedAt = started.truncatedTo(ChronoUnit.SECONDS).toString();
    if (crash && !(runsToCompletion && "Never".equals(restartPolicy))) {
      long sinceStart = Duration.between(started, now).toMillis();
      restarts = (int) (sinceStart / CRASH_PERIOD_MILLIS) + 1;
      cs.put("containerID", containerId(pod, cname, restarts));
      cs.put("ready", false).put("restartCount", restarts).put("started", false);
      String msg = "back-off " + Math.min(300, 10 << Math.min(5, restarts - 1)) + "s restarting failed container="
          + cname + " pod=" + Json.text(pod, "metadata", "name") + "_" + Json.text(pod, "metadata", "namespace")
          + "(" + Json.text(pod, "metadata", "uid") + ")";
      cs.putObject("state").putObject("waiting").put("reason", "CrashLoopBackOff").put("message", msg);
      cs.putObject("lastState").putObject("terminated").put("exitCode", 1).put("reason", "Error")
          .put("startedAt", startedAt).put("finishedAt", startedAt)
          .put("containerID", containerId(pod, cname, restarts - 1));
      event(pod, "Warning", "BackOff", "Back-off restarting failed container " + cname + " in pod "
          + Json.text(pod, "metadata", "name") + "_" + Json.text(pod, "metadata", "namespace") + "("
          + Json.text(pod, "metadata", "uid") + ")", "kubelet", field);
      if (!rt.eventsSent.contains("crashlog/" + cname)) {
        rt.log.append("fake-kubelet: container ").append(cname).append(" exited with code 1\n");
        rt.eventsSent.add("crashlog/" + cname);
      }
      return cs;
    }
    cs.put("containerID", containerId(pod, cname, 0)).put("restartCount", 0);
    long running = Duration.between(started, now).toMillis();
    if (runsToCompletion && (running >= JOB_RUN_MILLIS || crash)) {
      int exit = fails || crash ? 1 : 0;
      Instant finished = started.plusMillis(JOB_RUN_MILLIS);
      cs.put("ready", false).put("started", false);
      cs.putObject("state").putObject("terminated").put("exitCode", exit).put("reason", exit == 0 ? "Completed"
          : "Error").put("startedAt", startedAt)
          .put("finishedAt", finished.truncatedTo(ChronoUnit.SECONDS).toString())
          .put("containerID", containerId(pod, cname, 0));
      if (!rt.eventsSent.contains("exit/" + cname)) {
        rt.log.append("fake-kubelet: container ").append(cname).append(" exited with code ").append(exit)
            .append('\n');
        rt.eventsSent.add("exit/" + cname);
      }
      return cs;
    }
    boolean ready = running >= readinessDelay.toMillis() && !runsToCompletion
        || runsToCompletion && running >= readinessDelay.toMillis();
    cs.put("ready", ready).put("started", true);
    cs.putObject("state").putObject("running").put("startedAt", startedAt);
    return cs;
  }

  /**
   * {@code image} and {@code imageID} as the kubelet copies them from the CRI's container status
   * ({@link CriImage}: first repo tag, first repo digest, else the config digest {@code id}).
   */
  private ObjectNode reportedImage(ObjectNode cs, String node, String image, String id) {
    CriImage cri = nodes.criImage(node, image).filter(c -> c.id().equals(id)).orElse(CriImage.of(id, List.of()));
    return cs.put("image", cri.image()).put("imageID", cri.imageRef());
  }

  // ================================================================== real containers

  /**
   * The status of a container whose process the pod runtime really runs: started when it is not running,
   * restarted after a back-off as the pod's restart policy says, ready when its readiness probe passes.
   * {@code restartPolicy} for init containers is never {@code Always} (they restart on failure only).
   */
  private ObjectNode realContainerStatus(JsonNode pod, String node, PodState rt, JsonNode c, Instant now,
      String imageId, String restartPolicy, String field) {
    String cname = c.path("name").asText();
    String image = c.path("image").asText();
    String podName = Json.text(pod, "metadata", "name");
    String ns = Json.text(pod, "metadata", "namespace");
    PodRuntime.PodRef ref = rt.ref;
    if (ref == null) {
      ref = new PodRuntime.PodRef(ns, podName, Json.text(pod, "metadata", "uid"), node);
      rt.ref = ref;
    }
    RealContainer k = rt.containers.computeIfAbsent(cname, n -> new RealContainer());
    startIfDue(pod, rt, c, ref, k, now, imageId, field);
    if (k.running) {
      Optional<Integer> exit;
      try {
        exit = runtime.exitCode(ref, cname);
      } catch (RuntimeException e) {
        exit = Optional.empty();
      }
      if (exit.isPresent()) {
        int code = exit.get();
        k.running = false;
        k.lastExit = code;
        k.lastStartedAt = k.startedAt;
        k.lastFinishedAt = now;
        k.probe.reset();
        rt.log.append("fake-kubelet: container ").append(cname).append(" exited with code ").append(code)
            .append('\n');
        if (code != 0) {
          hintAtPortConflict(pod, ref, cname, code, field);
        }
        boolean restart = restartPolicy.equals("Always") || restartPolicy.equals("OnFailure") && code != 0;
        if (restart) {
          k.pendingRestart = true;
          k.backoff = KubeletProbes.restartBackoff(k.restarts);
          k.nextStart = now.plus(TestBedTime.scaled(k.backoff));
          // the first restart is immediate: no CrashLoopBackOff before it
          startIfDue(pod, rt, c, ref, k, now, imageId, field);
        } else {
          k.finished = true;
        }
      }
    }
    ObjectNode cs = reportedImage(Json.obj().put("name", cname), node, image, imageId);
    cs.put("containerID", containerId(pod, cname, k.restarts)).put("restartCount", k.restarts);
    if (k.lastExit != null && !k.finished) {
      cs.putObject("lastState").set("terminated", terminated(pod, cname, k.lastExit, k.lastStartedAt,
          k.lastFinishedAt, k.pendingRestart ? k.restarts : k.restarts - 1));
    }
    if (k.running && Duration.between(k.startedAt, now).compareTo(KubeletProbes.relistPeriod()) < 0) {
      // not yet seen by the kubelet's PLEG relist: the status still shows what the last relist saw
      cs.put("ready", false).put("started", false);
      if (k.lastExit == null) {
        cs.putObject("state").putObject("waiting").put("reason", "ContainerCreating");
      } else {
        cs.remove("lastState");
        cs.put("restartCount", Math.max(0, k.restarts - 1));
        cs.putObject("state").set("terminated", terminated(pod, cname, k.lastExit, k.lastStartedAt,
            k.lastFinishedAt, k.restarts - 1));
      }
    } else if (k.running) {
      boolean ready = Duration.between(k.startedAt, now).compareTo(readinessDelay) >= 0
          && probes.ready(ref, c, k.probe, k.startedAt, now);
      String failure = k.probe.failure();
      if (!ready && failure != null) {
        // kubernetes pkg/kubelet/prober/prober.go runProbeWithRetries/probe: every failed probe is a Warning
        // "Unhealthy" event "<type> probe failed: <output>" (the API server aggregates repeats; here: once each)
        event(pod, "Warning", "Unhealthy", "Readiness probe failed: " + failure, "kubelet", field);
      }
      cs.put("ready", ready).put("started", true);
      cs.putObject("state").putObject("running").put("startedAt", seconds(k.startedAt));
    } else if (k.finished) {
      cs.put("ready", false).put("started", false);
      cs.putObject("state").set("terminated", terminated(pod, cname, k.lastExit, k.lastStartedAt,
          k.lastFinishedAt, k.restarts));
    } else if (k.startError != null) {
      cs.put("ready", false).put("started", false);
      cs.putObject("state").putObject("waiting").put("reason", k.startErrorReason).put("message", k.startError);
    } else {
      long backoffSeconds = Math.max(1, k.backoff.toSeconds());
      String msg = "back-off " + backoffSeconds + "s restarting failed container=" + cname + " pod=" + podName + "_"
          + ns + "(" + Json.text(pod, "metadata", "uid") + ")";
      cs.put("ready", false).put("started", false);
      cs.putObject("state").putObject("waiting").put("reason", "CrashLoopBackOff").put("message", msg);
      event(pod, "Warning", "BackOff", "Back-off restarting failed container " + cname + " in pod " + podName + "_"
          + ns + "(" + Json.text(pod, "metadata", "uid") + ")", "kubelet", field);
    }
    return cs;
  }

  /** Starts (or restarts) a container whose back-off is over; a restart counts once its container starts. */
  private void startIfDue(JsonNode pod, PodState rt, JsonNode c, PodRuntime.PodRef ref, RealContainer k, Instant now,
      String imageId, String field) {
    if (k.running || k.finished || now.isBefore(k.nextStart)) {
      return;
    }
    String cname = c.path("name").asText();
    String image = c.path("image").asText();
    try {
      runtime.start(ref, containerSpec(pod, c, rt), image);
      k.running = true;
      k.startedAt = now;
      k.startError = null;
      k.run++;
      k.probe.reset();
      if (k.pendingRestart) {
        k.restarts++;
        k.pendingRestart = false;
      }
      rt.log.append(now).append(" fake-kubelet: started container ").append(cname).append(" (image ")
          .append(image).append(", ").append(imageId).append(")\n");
      event(pod, "Normal", "Pulled", "Container image \"" + image + "\" already present on machine", "kubelet",
          field);
      event(pod, "Normal", "Created", "Created container " + cname, "kubelet", field);
      event(pod, "Normal", "Started", "Started container " + cname, "kubelet", field);
    } catch (PodRuntime.StartException e) {
      startFailed(pod, k, now, e.reason(), e.eventReason(), e.getMessage(), field);
    } catch (RuntimeException e) {
      // one pod's broken start must not stop the kubelet's pass over the others
      startFailed(pod, k, now, "RunContainerError", "Failed", "failed to start container " + cname + ": " + e,
          field);
    }
  }

  private void startFailed(JsonNode pod, RealContainer k, Instant now, String reason, String eventReason,
      String message, String field) {
    k.startError = message;
    k.startErrorReason = reason;
    k.nextStart = now.plusSeconds(1);
    event(pod, "Warning", eventReason, message, "kubelet", field);
    event(pod, "Warning", "Failed", "Error: " + message, "kubelet", field);
  }

  /**
   * A container that exits because its address is in use most likely met another container of its pod on the
   * same port (the containers of a pod share its network namespace): says so in a {@code PortConflict} event.
   */
  private void hintAtPortConflict(JsonNode pod, PodRuntime.PodRef ref, String cname, int code, String field) {
    String out;
    try {
      out = runtime.logs(ref, cname).orElse("");
    } catch (RuntimeException e) {
      return;
    }
    String tail = out.length() > 4096 ? out.substring(out.length() - 4096) : out;
    if (tail.toLowerCase(java.util.Locale.ROOT).contains("address in use")
        || tail.toLowerCase(java.util.Locale.ROOT).contains("address already in use")) {
      event(pod, "Warning", "PortConflict", "container " + cname + " exited with code " + code + " and says its "
          + "address is already in use: the containers of a pod share its network namespace, so they cannot "
          + "listen on the same port", "kubelet", field);
    }
  }

  private static ObjectNode terminated(JsonNode pod, String cname, int exitCode, Instant started, Instant finished,
      int restart) {
    return Json.obj().put("exitCode", exitCode).put("reason", exitCode == 0 ? "Completed" : "Error")
        .put("startedAt", seconds(started)).put("finishedAt", seconds(finished))
        .put("containerID", containerId(pod, cname, Math.max(0, restart)));
  }

  private static String seconds(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The container as the pod runtime needs it; env values from simple field references are resolved. */
  private PodRuntime.ContainerSpec containerSpec(JsonNode pod, JsonNode c, PodState rt) {
    List<String> command = new ArrayList<>();
    c.path("command").forEach(x -> command.add(x.asText()));
    List<String> args = new ArrayList<>();
    c.path("args").forEach(x -> args.add(x.asText()));
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (JsonNode e : c.path("env")) {
      String name = e.path("name").asText();
      if (e.has("value")) {
        env.put(name, e.path("value").asText());
      } else if (e.path("valueFrom").has("fieldRef")) {
        String path = e.path("valueFrom").path("fieldRef").path("fieldPath").asText();
        String v = switch (path) {
          case "metadata.name" -> Json.text(pod, "metadata", "name");
          case "metadata.namespace" -> Json.text(pod, "metadata", "namespace");
          case "metadata.uid" -> Json.text(pod, "metadata", "uid");
          case "spec.nodeName" -> Json.text(pod, "spec", "nodeName");
          case "spec.serviceAccountName" -> Json.text(pod, "spec", "serviceAccountName");
          case "status.podIP" -> rt.podIp;
          case "status.hostIP" -> nodeIp(Json.text(pod, "spec", "nodeName"));
          default -> null;
        };
        if (v != null) {
          env.put(name, v);
        }
      } else {
        env.put(name, "");
      }
    }
    List<Integer> ports = new ArrayList<>();
    c.path("ports").forEach(p -> ports.add(p.path("containerPort").asInt()));
    // kubernetes pkg/securitycontext/util.go DetermineEffectiveSecurityContext: the container's fields win over
    // the pod's
    JsonNode podSc = pod.path("spec").path("securityContext");
    JsonNode sc = c.path("securityContext");
    Long uid = longOrNull(sc.has("runAsUser") ? sc.get("runAsUser") : podSc.get("runAsUser"));
    Long gid = longOrNull(sc.has("runAsGroup") ? sc.get("runAsGroup") : podSc.get("runAsGroup"));
    List<Integer> podPorts = new ArrayList<>();
    for (String kind : List.of("initContainers", "containers")) {
      pod.path("spec").path(kind).forEach(x -> x.path("ports").forEach(p -> podPorts.add(p.path("containerPort")
          .asInt())));
    }
    return new PodRuntime.ContainerSpec(c.path("name").asText(), c.path("image").asText(), command, args, env,
        ports, uid, gid, podPorts);
  }

  private static Long longOrNull(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? null : Long.valueOf(n.asLong());
  }

  private static String pullFailure(String image) {
    String full = NodeImages.normalize(image);
    int slash = full.indexOf('/');
    String registry = full.substring(0, slash);
    String host = registry.equals("docker.io") ? "registry-1.docker.io" : registry;
    String repoAndTag = full.substring(slash + 1);
    int colon = repoAndTag.lastIndexOf(':');
    String repo = colon < 0 ? repoAndTag : repoAndTag.substring(0, colon);
    String tag = colon < 0 ? "latest" : repoAndTag.substring(colon + 1);
    return "failed to pull and unpack image \"" + full + "\": failed to resolve reference \"" + full
        + "\": failed to do request: Head \"https://" + host + "/v2/" + repo + "/manifests/" + tag
        + "\": dial tcp: lookup " + host.replaceAll(":\\d+$", "") + ": no such host";
  }

  private static ObjectNode waiting(JsonNode c, String reason, String message) {
    ObjectNode cs = Json.obj().put("name", c.path("name").asText()).put("image", c.path("image").asText())
        .put("imageID", "").put("ready", false).put("restartCount", 0).put("started", false);
    ObjectNode w = cs.putObject("state").putObject("waiting").put("reason", reason);
    if (message != null) {
      w.put("message", message);
    }
    return cs;
  }

  private static String containerId(JsonNode pod, String container, int restart) {
    return "containerd://" + sha256(Json.text(pod, "metadata", "uid") + "/" + container + "/" + restart);
  }

  // ================================================================== helpers

  void createPod(String ns, String name, JsonNode template, ArrayNode owner, String nodeName,
      Map<String, String> extraLabels) {
    ObjectNode pod = Json.obj().put("apiVersion", "v1").put("kind", "Pod");
    ObjectNode meta = Json.with(pod, "metadata").put("name", name).put("namespace", ns);
    ObjectNode labels = template.path("metadata").path("labels").isObject()
        ? ((ObjectNode) template.path("metadata").path("labels")).deepCopy() : Json.obj();
    extraLabels.forEach(labels::put);
    meta.set("labels", labels);
    if (template.path("metadata").path("annotations").isObject()) {
      meta.set("annotations", template.path("metadata").path("annotations").deepCopy());
    }
    meta.set("ownerReferences", owner);
    ObjectNode spec = template.path("spec").isObject() ? ((ObjectNode) template.path("spec")).deepCopy()
        : Json.obj();
    if (nodeName != null) {
      spec.put("nodeName", nodeName);
    }
    if (!spec.has("serviceAccountName")) {
      spec.put("serviceAccountName", "default");
    }
    if (!spec.has("schedulerName")) {
      spec.put("schedulerName", "default-scheduler");
    }
    if (!spec.has("dnsPolicy")) {
      spec.put("dnsPolicy", "ClusterFirst");
    }
    if (!spec.has("terminationGracePeriodSeconds")) {
      spec.put("terminationGracePeriodSeconds", 30);
    }
    pod.set("spec", spec);
    api.internal("POST", pods.collectionPath(ns), pod);
  }

  void deletePod(JsonNode pod) {
    api.internal("DELETE", pods.objectPath(Json.text(pod, "metadata", "namespace"), Json.text(pod, "metadata",
        "name")), (String) null);
  }

  /** Deletes objects whose owners (all of them) are gone, as the garbage collector does. */
  private void collectGarbage() {
    List<JsonNode> candidates = new ArrayList<>();
    candidates.addAll(api.list(pods, null));
    candidates.addAll(api.list(replicaSets, null));
    Set<String> uids = new HashSet<>();
    for (ResourceType t : List.of(replicaSets, deployments, statefulSets, daemonSets, jobs)) {
      api.list(t, null).forEach(o -> uids.add(Json.text(o, "metadata", "uid")));
    }
    workloadEvents.keySet().retainAll(uids);
    deploymentController.retain(uids);
    jobController.retain(uids);
    for (JsonNode o : candidates) {
      JsonNode owners = o.path("metadata").path("ownerReferences");
      if (!owners.isArray() || owners.isEmpty() || o.path("metadata").hasNonNull("deletionTimestamp")) {
        continue;
      }
      boolean anyAlive = false;
      for (JsonNode ref : owners) {
        if (uids.contains(ref.path("uid").asText())) {
          anyAlive = true;
        }
      }
      if (!anyAlive) {
        ResourceType t = "Pod".equals(Json.text(o, "kind")) ? pods : replicaSets;
        api.internal("DELETE", t.objectPath(Json.text(o, "metadata", "namespace"), Json.text(o, "metadata", "name")),
            (String) null);
      }
    }
  }

  /** Writes status through /status when it differs from what is stored. */
  private void writeStatus(ResourceType type, JsonNode obj, ObjectNode status) {
    writeStatus(api, type, obj, status);
  }

  static void writeStatus(FakeApiDispatcher api, ResourceType type, JsonNode obj, ObjectNode status) {
    if (status.equals(obj.path("status"))) {
      return;
    }
    ObjectNode copy = ((ObjectNode) obj).deepCopy();
    copy.set("status", status);
    String ns = Json.text(obj, "metadata", "namespace");
    api.internal("PUT", type.objectPath(ns, Json.text(obj, "metadata", "name")) + "/status", copy);
  }

  /** A condition that keeps its old transition time when its status did not change. */
  static ObjectNode condition(JsonNode oldConds, String type, String status, String reason, String message,
      boolean withUpdateTime) {
    String now = Json.now();
    JsonNode prev = null;
    for (JsonNode c : oldConds) {
      if (type.equals(c.path("type").asText())) {
        prev = c;
      }
    }
    ObjectNode c = Json.obj().put("type", type).put("status", status);
    boolean same = prev != null && status.equals(prev.path("status").asText());
    if (withUpdateTime) {
      boolean unchanged = same && java.util.Objects.equals(reason, Json.text(prev, "reason"))
          && java.util.Objects.equals(message, Json.text(prev, "message"));
      c.put("lastUpdateTime", unchanged ? Json.text(prev, "lastUpdateTime") : now);
    } else {
      c.putNull("lastProbeTime");
    }
    c.put("lastTransitionTime", same ? Json.text(prev, "lastTransitionTime") : now);
    if (reason != null) {
      c.put("reason", reason);
    }
    if (message != null) {
      c.put("message", message);
    }
    return c;
  }

  /** Records a v1 Event once per (object, reason, message). */
  void event(JsonNode obj, String type, String reason, String message, String component, String field) {
    String uid = Json.text(obj, "metadata", "uid");
    if (uid == null) {
      return;
    }
    String key = "event/" + reason + "/" + message;
    PodState rt = "Pod".equals(Json.text(obj, "kind")) ? podStates.computeIfAbsent(uid, u -> new PodState(podIp()))
        : null;
    Set<String> sent = rt != null ? rt.eventsSent : workloadEvents.computeIfAbsent(uid, u -> ConcurrentHashMap.newKeySet());
    if (!sent.add(key)) {
      return;
    }
    String ns = Json.text(obj, "metadata", "namespace");
    String name = Json.text(obj, "metadata", "name");
    String now = Json.now();
    ObjectNode ev = Json.obj().put("apiVersion", "v1").put("kind", "Event");
    Json.with(ev, "metadata").put("name", name + "." + Long.toHexString(System.nanoTime()))
        .put("namespace", ns);
    ObjectNode inv = ev.putObject("involvedObject").put("apiVersion", Json.text(obj, "apiVersion"))
        .put("kind", Json.text(obj, "kind")).put("name", name).put("namespace", ns).put("uid", uid);
    if (field != null) {
      inv.put("fieldPath", field);
    }
    ev.put("type", type).put("reason", reason).put("message", message).put("count", 1)
        .put("firstTimestamp", now).put("lastTimestamp", now).put("reportingComponent", component)
        .put("reportingInstance", "");
    ObjectNode src = ev.putObject("source").put("component", component);
    String node = Json.text(obj, "spec", "nodeName");
    if (component.equals("kubelet") && node != null) {
      src.put("host", node);
      ev.put("reportingInstance", node);
    }
    api.internal("POST", events.collectionPath(ns), ev);
  }

  private final Map<String, Set<String>> workloadEvents = new ConcurrentHashMap<>();

  static List<JsonNode> ownedBy(List<JsonNode> objects, String ownerUid) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode o : objects) {
      for (JsonNode ref : o.path("metadata").path("ownerReferences")) {
        if (ownerUid.equals(ref.path("uid").asText())) {
          out.add(o);
          break;
        }
      }
    }
    return out;
  }

  private static String ownerOfKind(JsonNode obj, String kind) {
    for (JsonNode ref : obj.path("metadata").path("ownerReferences")) {
      if (kind.equals(ref.path("kind").asText())) {
        return ref.path("name").asText();
      }
    }
    return null;
  }

  static ArrayNode ownerRef(String apiVersion, String kind, String name, String uid) {
    ArrayNode a = Json.arr();
    a.addObject().put("apiVersion", apiVersion).put("kind", kind).put("name", name).put("uid", uid)
        .put("controller", true).put("blockOwnerDeletion", true);
    return a;
  }

  /** kubernetes pkg/controller/controller_utils.go IsPodActive. */
  static boolean isActive(JsonNode pod) {
    String phase = Json.text(pod, "status", "phase");
    return !"Succeeded".equals(phase) && !"Failed".equals(phase) && !pod.path("metadata").has("deletionTimestamp");
  }

  static boolean isReady(JsonNode pod) {
    for (JsonNode c : pod.path("status").path("conditions")) {
      if ("Ready".equals(c.path("type").asText())) {
        return "True".equals(c.path("status").asText());
      }
    }
    return false;
  }

  /** A pod-template-hash like the deployment controller's: FNV-1a of the template, in its safe alphabet. */
  static String templateHash(JsonNode template) {
    ObjectNode t = template.isObject() ? ((ObjectNode) template).deepCopy() : Json.obj();
    JsonNode labels = t.path("metadata").path("labels");
    if (labels instanceof ObjectNode l) {
      l.remove("pod-template-hash");
    }
    int h = 0x811c9dc5;
    for (byte b : canonical(t).getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x01000193;
    }
    String digits = Long.toString(Integer.toUnsignedLong(h));
    StringBuilder sb = new StringBuilder();
    for (char ch : digits.toCharArray()) {
      sb.append(ALPHABET.charAt(ch % ALPHABET.length()));
    }
    return sb.toString();
  }

  private static String canonical(JsonNode n) {
    if (n.isObject()) {
      List<String> keys = new ArrayList<>();
      n.fieldNames().forEachRemaining(keys::add);
      keys.sort(null);
      StringBuilder sb = new StringBuilder("{");
      for (Iterator<String> it = keys.iterator(); it.hasNext();) {
        String k = it.next();
        sb.append('"').append(k).append("\":").append(canonical(n.get(k)));
        if (it.hasNext()) {
          sb.append(',');
        }
      }
      return sb.append('}').toString();
    }
    if (n.isArray()) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < n.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(canonical(n.get(i)));
      }
      return sb.append(']').toString();
    }
    return n.toString();
  }

  private static String randomSuffix(int n) {
    return FakeApiDispatcher.randomSuffix(n);
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String uuidLike(String seed) {
    String h = sha256(seed);
    return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20) + "-"
        + h.substring(20, 32);
  }
}
