package io.github.e2ekit.e2e.bench;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Image;
import io.github.e2ekit.e2e.deploy.TestManifests;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineDiscovery;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.testbed.TestBed;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark (not a test): the single-service E2E lifecycle — tag, build, load, deploy (a Job that must complete,
 * then a Deployment that must become available), teardown — with the plugin, through real Maven invocations of a
 * generated project, against {@code bench/lifecycle/by-hand.sh}, which does the same by hand (docker build, docker
 * save + ctr import, kubectl apply, polling, kubectl delete namespace). Both on one test bed (one kind-like node
 * with real containerd, fake API server whose kubelet runs the pods' processes).
 *
 * <p>Cold: first run of a source never built before (a per-round nonce is the first layer of the image, so neither
 * side finds any layer in the build cache, and the nodes hold nothing of it); both sides remove everything they
 * created (the plugin with {@code removeImages=all}; the script with ctr images rm and docker rmi). Warm: a second
 * run of an unchanged project after an untimed first run that kept its image (the plugin by default keeps the
 * newest image and its node copy and skips build and load; the script rebuilds from the cache and imports again);
 * neither side removes the image. Rounds alternate script / plugin; medians are reported.
 *
 * <p>Arguments: {@code <workDir> <m2Repository> [rounds]}; {@code workDir} holds {@code repo/}, a local repository
 * with the plugin installed (the rest is read from {@code m2Repository} as its tail). Run with
 * {@code bench/lifecycle/run.sh}.
 */
public final class LifecycleBench {
    static final String REPOSITORY = "localhost/e2e-lifebench/app";
    static final String SERVICE = "lifebench";
    static final double COLD_TARGET = 1.1;
    static final double WARM_TARGET = 0.5;
    private static final Set<String> SYSTEM_NAMESPACES =
            Set.of("default", "kube-system", "kube-public", "kube-node-lease");
    private static final Pattern LOG_LINE = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) \\[\\w+\\] (.*)$");
    private static final Pattern GOAL_LINE = Pattern.compile("^--- e2e:[^:]+:(\\w+) \\(");
    private static final Pattern PHASE_LINE = Pattern.compile("^by-hand: phase (\\w+) ([0-9.]+)$");

    private static final LoadBench.Cleanup CLEANUP = new LoadBench.Cleanup("lifecycle bench");

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: LifecycleBench <workDir> <m2Repository> [rounds]");
            System.exit(2);
        }
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Runtime.getRuntime().addShutdownHook(new Thread(CLEANUP::run, "lifecycle-bench-cleanup"));
        int exit = 0;
        try {
            new LifecycleBench(
                            Path.of(args[0]).toAbsolutePath(), Path.of(args[1]).toAbsolutePath())
                    .bench(rounds);
        } catch (Exception | Error e) {
            System.err.println("lifecycle bench failed: " + e);
            e.printStackTrace();
            exit = 1;
        } finally {
            CLEANUP.run();
        }
        System.exit(exit);
    }

    /** One timed invocation: wall-clock seconds and where they went. */
    record Run(double seconds, Map<String, Double> phases, Map<String, Double> details, Path log) {
        String describe() {
            StringBuilder sb = new StringBuilder(String.format("%.2f s (", seconds));
            phases.forEach((k, v) -> sb.append(String.format("%s %.2f, ", k, v)));
            sb.setLength(sb.length() - 2);
            sb.append(')');
            if (!details.isEmpty()) {
                sb.append(" [of which");
                details.forEach((k, v) -> sb.append(String.format(" %s %.2f", k, v)));
                sb.append(']');
            }
            return sb.toString();
        }
    }

    private final Path work;
    private final Path m2;
    private final Path root = Path.of("").toAbsolutePath();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, String> env = new LinkedHashMap<>(System.getenv());
    private Engine engine;
    private TestBed bed;
    private volatile Process current;
    private int invocations;

    private LifecycleBench(Path work, Path m2) {
        this.work = work;
        this.m2 = m2;
    }

    private void bench(int rounds) throws Exception {
        long benchStart = System.nanoTime();
        String startLoad = loadAverage();
        if (!Files.isRegularFile(work.resolve(
                "repo/io/github/e2ekit/e2e-maven-plugin/0.1.0-SNAPSHOT/" + "e2e-maven-plugin-0.1.0-SNAPSHOT.jar"))) {
            throw new IllegalStateException("the plugin is not installed in " + work.resolve("repo"));
        }
        engine = new EngineDiscovery().discover(null, System.getenv());
        CLEANUP.add("engine connection", engine::close);
        CLEANUP.add("images " + REPOSITORY, this::removeBenchImages);
        if (engine.endpoint().startsWith("unix://") || engine.endpoint().startsWith("tcp://")) {
            env.put("DOCKER_HOST", engine.endpoint()); // docker CLI and plugin talk to the same engine
        }
        String cluster = "lifebench-" + run;
        Path kubeconfig = work.resolve("kubeconfig");
        long t0 = System.nanoTime();
        bed = TestBed.start(engine, cluster, 0, kubeconfig);
        CLEANUP.add("test bed " + cluster, bed::close);
        CLEANUP.add(
                "running invocation",
                () -> { // first: it may still use the test bed
                    Process p = current;
                    if (p != null && p.isAlive()) {
                        p.descendants().forEach(ProcessHandle::destroy);
                        p.destroy(); // Maven's shutdown hook tears down what the interrupted run created
                        p.waitFor(40, TimeUnit.SECONDS);
                    }
                });
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("KUBECACHEDIR", work.resolve("kube-cache").toString()); // kubectl's discovery cache, not ~/.kube
        System.out.printf(
                "engine: %s; processors: %d, java %s; test bed '%s' (1 node) started in %.1f s%n",
                engine.describe(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                cluster,
                secondsSince(t0));
        System.out.printf(
                "maven: %s; kubectl: %s; MAVEN_OPTS=%s%n",
                firstLine(List.of(root.resolve("mvnw").toString(), "-v")),
                firstLine(List.of("kubectl", "version", "--client")),
                env.getOrDefault("MAVEN_OPTS", ""));

        // untimed warm-up of both sides: page cache (Maven, plugin and CLI binaries), kubectl's discovery cache
        script(project("warmup-s"), true);
        plugin(project("warmup-p"), "cold", "-De2e.removeImages=all");
        System.out.println("warm-up done (one run of each side, untimed)");

        List<Run> coldScript = new ArrayList<>();
        List<Run> coldPlugin = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            coldScript.add(script(project("c" + r + "-s"), true));
            coldPlugin.add(plugin(project("c" + r + "-p"), "cold", "-De2e.removeImages=all"));
            System.out.printf(
                    "cold %d: by hand %s%n        plugin  %s%n",
                    r, coldScript.get(r - 1).describe(), coldPlugin.get(r - 1).describe());
        }

        // warm: an untimed first run of each side that keeps its image, then the timed second runs
        Path warmScriptProject = project("w-s");
        Path warmPluginProject = project("w-p");
        System.out.printf(
                "first runs for warm (untimed): by hand %s; plugin %s%n",
                script(warmScriptProject, false).describe(),
                plugin(warmPluginProject, "first").describe());
        List<Run> warmScript = new ArrayList<>();
        List<Run> warmPlugin = new ArrayList<>();
        List<Run> maven = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            warmScript.add(script(warmScriptProject, false));
            warmPlugin.add(plugin(warmPluginProject, "warm"));
            maven.add(maven(warmPluginProject));
            System.out.printf(
                    "warm %d: by hand %s%n        plugin  %s%n        maven alone (validate) %.2f s%n",
                    r,
                    warmScript.get(r - 1).describe(),
                    warmPlugin.get(r - 1).describe(),
                    maven.get(r - 1).seconds());
        }

        double mavenAlone = median(maven);
        System.out.println();
        System.out.printf("medians of %d rounds (%d Maven and script invocations in all)%n", rounds, invocations);
        summary("cold", coldScript, coldPlugin, mavenAlone, COLD_TARGET);
        summary("warm", warmScript, warmPlugin, mavenAlone, WARM_TARGET);
        System.out.printf("maven alone (mvnw -o validate of the same project): %.2f s%n", mavenAlone);
        System.out.printf(
                "(benchmark took %.0f s; load average at the start %s, at the end %s)%n",
                secondsSince(benchStart), startLoad, loadAverage());
    }

    private void summary(String what, List<Run> script, List<Run> plugin, double mavenAlone, double target) {
        double s = median(script);
        double p = median(plugin);
        System.out.printf(
                "%s: by hand %.2f s, plugin %.2f s, ratio %.2f (target <= %.1f: %s); plugin without Maven's"
                        + " own start-up (%.2f s) %.2f s, ratio %.2f%n",
                what,
                s,
                p,
                p / s,
                target,
                p / s <= target ? "met" : "NOT met",
                mavenAlone,
                p - mavenAlone,
                (p - mavenAlone) / s);
        System.out.printf("  by hand: %s%n  plugin:  %s%n", phases(script), phases(plugin));
    }

    // ---- the generated project -----------------------------------------------------------------------------

    /**
     * A one-service project like {@code src/it/single-service} without the failsafe IT: {@code app/} (busybox
     * httpd image; the nonce is its first layer), {@code k8s/backing.yaml} (ConfigMap + migration Job running the
     * image) and {@code k8s/datastorage.yaml} (Deployment + Service), and a pom running the plugin's lifecycle.
     */
    private Path project(String name) throws IOException {
        Path dir = work.resolve("projects").resolve(name);
        Path app = Files.createDirectories(dir.resolve("app"));
        Files.writeString(app.resolve("nonce.txt"), run + "-" + name + "-" + System.nanoTime() + "\n");
        Files.copy(Path.of("/bin/busybox"), app.resolve("busybox"));
        Files.writeString(app.resolve("version.txt"), "v1\n");
        Files.writeString(app.resolve("Dockerfile"), """
                FROM scratch
                COPY nonce.txt /nonce
                COPY busybox /bin/busybox
                ARG E2E_SOURCE_DIGEST
                RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /www && echo $E2E_SOURCE_DIGEST > /www/version && echo ok > /www/readyz"]
                COPY version.txt /www/app-version
                CMD ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]
                """);
        Path k8s = Files.createDirectories(dir.resolve("k8s"));
        Files.writeString(
                k8s.resolve("backing.yaml"),
                """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: postgres-config
                data:
                  POSTGRES_DB: action_history
                ---
                """ + TestManifests.job("migrations", "${e2e.image.app}", "command: [\"/bin/busybox\", \"true\"]"));
        String datastorage = TestManifests.deployment(
                "datastorage", "${e2e.image.app}", "ports: [{containerPort: 8080, name: http}]");
        Files.writeString(k8s.resolve("datastorage.yaml"), datastorage + """
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: data-storage-service
                spec:
                  selector: {app: datastorage}
                  ports: [{port: 8080, targetPort: http}]
                """);
        Files.writeString(dir.resolve("pom.xml"), benchPom("lifecycle", """
                        <configuration>
                          <service>%s</service>
                          <images>
                            <image>
                              <id>app</id>
                              <name>%s</name>
                              <context>${project.basedir}/app</context>
                            </image>
                          </images>
                          <cluster><create>never</create></cluster>
                          <deploy>
                            <stages>
                              <stage><manifests><manifest>k8s/backing.yaml</manifest></manifests></stage>
                              <stage><manifests><manifest>k8s/datastorage.yaml</manifest></manifests></stage>
                            </stages>
                            <timeout>60s</timeout>
                          </deploy>
                        </configuration>
                        <executions>
                          <execution>
                            <id>e2e-up</id>
                            <goals><goal>tag</goal><goal>build</goal><goal>load</goal><goal>deploy</goal></goals>
                          </execution>
                          <execution>
                            <id>e2e-down</id>
                            <goals><goal>teardown</goal></goals>
                          </execution>
                        </executions>\
                """.formatted(SERVICE, REPOSITORY)));
        return dir;
    }

    /** bench/bench-pom.xml (the plugin's coordinates, shared with scenario.sh's heap check), filled in. */
    private String benchPom(String artifactId, String plugin) throws IOException {
        return Files.readString(root.resolve("bench/bench-pom.xml"))
                .replace("@artifactId@", artifactId)
                .replace("@plugin@", plugin);
    }

    // ---- the two sides -------------------------------------------------------------------------------------

    /** {@code by-hand.sh} on {@code project}; {@code remove}: also removes the image (cold), else keeps it. */
    private Run script(Path project, boolean remove) throws Exception {
        String tag = "by-hand-" + run + "-" + project.getFileName();
        String image = REPOSITORY + ":" + tag;
        String namespace = "by-hand-" + run + "-" + project.getFileName() + "-" + (++invocations);
        Snapshot before = snapshot();
        List<String> cmd = List.of(
                "bash",
                root.resolve("bench/lifecycle/by-hand.sh").toString(),
                project.resolve("app").toString(),
                project.resolve("k8s").toString(),
                image,
                namespace,
                bed.clusterName(),
                remove ? "remove" : "keep");
        Path log = work.resolve("logs").resolve(invocations + "-by-hand-" + project.getFileName() + ".log");
        long[] wall = timed(cmd, project, log);
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        Map<String, Double> phases = new LinkedHashMap<>();
        for (String l : lines) {
            Matcher m = PHASE_LINE.matcher(l);
            if (m.matches()) {
                phases.put(m.group(1), Double.parseDouble(m.group(2)));
            }
        }
        double seconds = (wall[1] - wall[0]) / 1e9;
        phases.put(
                "rest",
                seconds
                        - phases.values().stream()
                                .mapToDouble(Double::doubleValue)
                                .sum());
        // untimed checks: the script really did the whole job, cold from nothing or warm from the cache
        boolean cached = lines.stream().anyMatch(l -> l.contains("Using cache"));
        require(phases.keySet().containsAll(List.of("build", "load", "deploy", "teardown")), "by-hand: phases", log);
        if (remove) {
            require(!cached, "by-hand cold build used the cache", log);
        } else if (before.local.contains(image)) {
            require(cached, "by-hand warm rebuild did not use the cache", log);
        }
        checkNamespacesGone(log);
        Snapshot after = snapshot();
        if (remove) {
            require(after.equals(before), "by-hand cold run left images behind: " + after.minus(before), log);
        } else {
            require(after.local.contains(image) && after.node.contains(image), "by-hand kept no image " + image, log);
        }
        return new Run(seconds, phases, Map.of(), log);
    }

    /**
     * {@code mvnw -o verify} of {@code project}. {@code kind}: cold (must build and import, removes everything),
     * first (builds and imports, keeps the newest image) or warm (must skip build and load).
     */
    private Run plugin(Path project, String kind, String... extra) throws Exception {
        Snapshot before = snapshot();
        List<String> cmd = new ArrayList<>(mavenCommand("verify"));
        cmd.addAll(List.of(extra));
        Path log = work.resolve("logs").resolve((++invocations) + "-plugin-" + project.getFileName() + ".log");
        long[] wall = timed(cmd, project, log);
        String text = Files.readString(log, StandardCharsets.UTF_8);
        List<Line> lines = timeline(text, wall[2]);
        Run result = new Run((wall[1] - wall[0]) / 1e9, mavenPhases(lines, wall), mavenDetails(lines), log);
        require(text.contains("BUILD SUCCESS"), "plugin: no BUILD SUCCESS", log);
        require(text.contains("1/1 nodes → 1/1 pods ✔"), "plugin: no freshness proof", log);
        require(text.contains("e2e: removed Namespace/"), "plugin: namespace not removed", log);
        if (kind.equals("warm")) {
            require(text.contains("e2e: app: up to date, build skipped"), "plugin warm run built", log);
            require(text.contains("e2e: app: already present on 1/1 nodes"), "plugin warm run loaded", log);
        } else {
            require(
                    text.contains("e2e: app: built ") && !text.contains("Using cache"),
                    "plugin " + kind + " run did not build from nothing",
                    log);
            require(text.contains("e2e: app: imported into 1/1 nodes"), "plugin " + kind + " run did not import", log);
        }
        checkNamespacesGone(log);
        Snapshot after = snapshot();
        if (kind.equals("cold")) {
            require(
                    text.contains("e2e: removed image ") && text.contains("e2e: removed node image "),
                    "plugin cold run kept its image",
                    log);
            require(after.equals(before), "plugin cold run left images behind: " + after.minus(before), log);
        } else if (kind.equals("first")) {
            require(
                    after.minus(before).local.size() == 1
                            && !after.minus(before).node.isEmpty(),
                    "plugin first run did not keep its image: " + after.minus(before),
                    log);
        } else {
            require(after.equals(before), "plugin warm run changed images: " + after.minus(before), log);
        }
        return result;
    }

    /** Maven alone: {@code mvnw -o validate} of the same project runs no plugin goal. */
    private Run maven(Path project) throws Exception {
        Path log = work.resolve("logs").resolve((++invocations) + "-maven-validate.log");
        long[] wall = timed(mavenCommand("validate"), project, log);
        require(Files.readString(log).contains("BUILD SUCCESS"), "maven validate failed", log);
        return new Run((wall[1] - wall[0]) / 1e9, Map.of(), Map.of(), log);
    }

    private List<String> mavenCommand(String phase) {
        return List.of(
                root.resolve("mvnw").toString(),
                "-o",
                "-B",
                phase,
                "-Dmaven.repo.local=" + work.resolve("repo"),
                "-Dmaven.repo.local.tail=" + m2,
                "-De2e.kubeconfig=" + work.resolve("kubeconfig"),
                "-De2e.cluster.name=" + bed.clusterName(),
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
    }

    /** A line of Maven's log and when it was written (epoch ms). */
    record Line(long at, String text) {}

    /** The timestamped lines of a Maven log ({@code -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS}). */
    static List<Line> timeline(String log, long startMillis) {
        LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(startMillis), ZoneId.systemDefault());
        List<Line> out = new ArrayList<>();
        for (String l : log.split("\n")) {
            Matcher m = LOG_LINE.matcher(l.strip());
            if (m.matches()) {
                long at = LocalTime.parse(m.group(1))
                        .atDate(day)
                        .atZone(ZoneId.systemDefault())
                        .toInstant()
                        .toEpochMilli();
                out.add(new Line(at < startMillis - 3_600_000L ? at + 86_400_000L : at, m.group(2)));
            }
        }
        return out;
    }

    /**
     * Where a plugin run's time went, from the timestamps of Maven's log: {@code maven} is start-up until the first
     * goal starts plus the time from BUILD SUCCESS until the process ended; each goal runs until the next begins.
     */
    static Map<String, Double> mavenPhases(List<Line> lines, long[] wall) {
        List<String> names = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        long success = -1;
        for (Line l : lines) {
            Matcher g = GOAL_LINE.matcher(l.text());
            if (g.find()) {
                names.add(g.group(1));
                starts.add(l.at());
            } else if (l.text().equals("BUILD SUCCESS")) {
                success = l.at();
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        if (names.isEmpty() || success < 0) {
            return out;
        }
        long end = wall[2] + (wall[1] - wall[0]) / 1_000_000L;
        out.put("maven", ((starts.get(0) - wall[2]) + (end - success)) / 1000.0);
        for (int i = 0; i < names.size(); i++) {
            long next = i + 1 < names.size() ? starts.get(i + 1) : success;
            out.merge(names.get(i), (next - starts.get(i)) / 1000.0, Double::sum);
        }
        return out;
    }

    /**
     * Parts of the goals, from the plugin's own log lines: {@code engine} (build goal start until the engine
     * answered), {@code cluster} (load goal start until the nodes were found), {@code kube-client} (deploy goal
     * start until the namespace was created: client start-up and the first requests) and {@code waits} (stage 1
     * applied until every pod of the run was proven fresh: the Job's run, stage 2's apply, the Deployment's
     * readiness, the freshness check).
     */
    static Map<String, Double> mavenDetails(List<Line> lines) {
        Map<String, Double> out = new LinkedHashMap<>();
        String goal = null;
        long goalStart = 0;
        long stage1 = -1;
        for (Line l : lines) {
            Matcher g = GOAL_LINE.matcher(l.text());
            if (g.find()) {
                goal = g.group(1);
                goalStart = l.at();
                continue;
            }
            String t = l.text();
            if ("build".equals(goal) && t.startsWith("e2e: engine ")) {
                out.putIfAbsent("engine", (l.at() - goalStart) / 1000.0);
            } else if ("load".equals(goal) && t.startsWith("e2e: cluster '")) {
                out.putIfAbsent("cluster", (l.at() - goalStart) / 1000.0);
            } else if ("deploy".equals(goal) && t.startsWith("e2e: namespace ") && t.endsWith(" created")) {
                out.putIfAbsent("kube-client", (l.at() - goalStart) / 1000.0);
            } else if ("deploy".equals(goal) && t.startsWith("e2e: stage 1/")) {
                stage1 = l.at();
            } else if ("deploy".equals(goal) && t.endsWith(" pods ✔") && stage1 > 0) {
                out.putIfAbsent("waits", (l.at() - stage1) / 1000.0);
            }
        }
        return out;
    }

    // ---- checks --------------------------------------------------------------------------------------------

    /** Local tags of {@link #REPOSITORY} and references in the node. */
    record Snapshot(Set<String> local, Set<String> node) {
        Snapshot minus(Snapshot other) {
            Set<String> l = new TreeSet<>(local);
            l.removeAll(other.local);
            Set<String> n = new TreeSet<>(node);
            n.removeAll(other.node);
            return new Snapshot(l, n);
        }
    }

    private Snapshot snapshot() {
        Set<String> local = new TreeSet<>();
        for (Image i :
                engine.client().listImagesCmd().withReferenceFilter(REPOSITORY).exec()) {
            if (i.getRepoTags() != null) {
                local.addAll(List.of(i.getRepoTags()));
            }
        }
        Set<String> node = new TreeSet<>();
        for (KindNode n : bed.nodes().nodes()) {
            node.addAll(bed.nodes().imageRefs(n));
        }
        return new Snapshot(local, node);
    }

    private void checkNamespacesGone(Path log) throws Exception {
        List<String> left = new CoreV1Api(bed.kubernetes().client())
                .listNamespace().execute().getItems().stream()
                        .map(n -> n.getMetadata().getName())
                        .filter(n -> !SYSTEM_NAMESPACES.contains(n))
                        .toList();
        require(left.isEmpty(), "namespaces left: " + left, log);
    }

    private static void require(boolean ok, String message, Path log) {
        if (!ok) {
            throw new IllegalStateException(message + " (log: " + log + ")");
        }
    }

    // ---- processes -----------------------------------------------------------------------------------------

    /** Runs {@code cmd} in {@code dir} after an untimed sync; returns {nanoStart, nanoEnd, epochMilliStart}. */
    private long[] timed(List<String> cmd, Path dir, Path log) throws Exception {
        Files.createDirectories(log.getParent());
        new ProcessBuilder("sync").inheritIO().start().waitFor(2, TimeUnit.MINUTES);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(env);
        long epoch = System.currentTimeMillis();
        long start = System.nanoTime();
        Process p = pb.start();
        current = p;
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        long end = System.nanoTime();
        current = null;
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(40, TimeUnit.SECONDS);
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 5 min (log: " + log + ")");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "); last lines"
                    + " of " + log + ":\n" + tail(log, 30));
        }
        return new long[] {start, end, epoch};
    }

    private String firstLine(List<String> cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(1, TimeUnit.MINUTES);
            return out.lines()
                    .findFirst()
                    .orElse("?")
                    .replaceAll("\u001B\\[[;\\d]*m", "")
                    .strip();
        } catch (IOException | InterruptedException e) {
            return "? (" + e.getMessage() + ")";
        }
    }

    private static String tail(Path log, int n) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Every local tag of {@link #REPOSITORY} (the runs' images; node copies go with the test bed). */
    private void removeBenchImages() {
        for (Image i :
                engine.client().listImagesCmd().withReferenceFilter(REPOSITORY).exec()) {
            for (String tag : i.getRepoTags() == null ? new String[0] : i.getRepoTags()) {
                try {
                    engine.client().removeImageCmd(tag).withForce(true).exec();
                } catch (NotFoundException e) {
                    // gone already
                }
            }
        }
        List<Image> left =
                engine.client().listImagesCmd().withReferenceFilter(REPOSITORY).exec();
        if (!left.isEmpty()) {
            System.err.println("lifecycle bench cleanup: images left: "
                    + left.stream().map(Image::getId).toList());
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static double secondsSince(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    static double median(List<Run> runs) {
        return LoadBench.median(runs.stream().mapToDouble(Run::seconds).toArray());
    }

    /** Median of each phase over the runs, e.g. {@code maven 4.81 + tag 2.10 + ...}. */
    static String phases(List<Run> runs) {
        Map<String, List<Double>> by = new LinkedHashMap<>();
        Map<String, List<Double>> details = new LinkedHashMap<>();
        for (Run r : runs) {
            r.phases()
                    .forEach((k, v) ->
                            by.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            r.details()
                    .forEach((k, v) ->
                            details.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        }
        StringBuilder sb = new StringBuilder(String.format("%.2f s = ", median(runs)));
        by.forEach((k, v) -> sb.append(String.format(
                "%s %.2f + ",
                k, LoadBench.median(v.stream().mapToDouble(Double::doubleValue).toArray()))));
        sb.setLength(sb.length() - 3);
        sb.append(" (medians of the phases)");
        if (!details.isEmpty()) {
            sb.append("; of which");
            details.forEach((k, v) -> sb.append(String.format(
                    " %s %.2f",
                    k,
                    LoadBench.median(v.stream().mapToDouble(Double::doubleValue).toArray()))));
        }
        return sb.toString();
    }
}
