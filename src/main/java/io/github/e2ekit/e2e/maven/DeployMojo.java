package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.deploy.DeployException;
import io.github.e2ekit.e2e.deploy.DeployPlan;
import io.github.e2ekit.e2e.deploy.HealPolicy;
import io.github.e2ekit.e2e.deploy.Deployer;
import io.github.e2ekit.e2e.deploy.Diagnostics;
import io.github.e2ekit.e2e.deploy.Endpoint;
import io.github.e2ekit.e2e.deploy.EndpointSpec;
import io.github.e2ekit.e2e.deploy.Endpoints;
import io.github.e2ekit.e2e.deploy.FreshnessCheck;
import io.github.e2ekit.e2e.deploy.NodeDigests;
import io.github.e2ekit.e2e.deploy.ImageBinding;
import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.deploy.ManifestRenderer;
import io.github.e2ekit.e2e.deploy.ManifestSources;
import io.github.e2ekit.e2e.deploy.Namespaces;
import io.github.e2ekit.e2e.deploy.PodLogFollower;
import io.github.e2ekit.e2e.deploy.PortForwarder;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.KindNode;
import io.github.e2ekit.e2e.kind.KindNodes;
import io.github.e2ekit.e2e.kind.NodeImageStore;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.PortForwardEntry;
import io.github.e2ekit.e2e.ledger.PushEntry;
import io.github.e2ekit.e2e.tag.TagDecision;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Applies the manifests with this run's images, waits until ready (failing fast), proves that the
 * pods run the images this run built, and exports endpoints for the integration tests.
 */
@Mojo(name = "deploy", defaultPhase = LifecyclePhase.PRE_INTEGRATION_TEST, threadSafe = true)
public class DeployMojo extends AbstractE2eMojo {
    /** Namespace; default {@code e2e-<service>-<run>}, created and labelled by this run. */
    @Parameter(property = "e2e.namespace")
    String namespace;

    /**
     * Stages of manifests and the overall timeout:
     * {@code <stages><stage><manifests><manifest>PATH</manifest></manifests>[<valuesFiles><valuesFile>PATH
     * </valuesFile></valuesFiles>][<values><KEY>VALUE</KEY></values>]</stage>…</stages>[<timeout>5m</timeout>]}.
     * A {@code <manifest>} is a file, a directory of {@code .yaml/.yml/.json} (sorted), a kustomize overlay
     * (directory with {@code kustomization.yaml}; rendered by {@code <kubectl>}) or a Helm chart (directory with
     * {@code Chart.yaml}; release name = the service, namespace = the run's). {@code <valuesFiles>} and
     * {@code <values>} (like {@code helm --set}) apply to the stage's charts; none by default. {@code <timeout>}:
     * all stages together, default {@code 5m}. Files and overlays get {@code ${property}} and
     * {@code ${env.X}} expanded ({@code $${…}} stays literal); Helm output is not interpolated.
     */
    @Parameter
    DeployConfig deploy;

    /**
     * Follow the logs of every container of every pod in the namespace into
     * {@code target/e2e/logs/<namespace>/<pod>.<container>.log} from the end of deploy until teardown (pods created
     * later included).
     */
    @Parameter(property = "e2e.podLogs", defaultValue = "true")
    boolean podLogs;

    /** Service ports exported to the tests as {@code e2e.endpoint.<name>.url|host|port}. */
    @Parameter
    List<EndpointConfig> endpoints;

    /** Kubeconfig; default: the one {@code load} derived or was given ({@code e2e.kubeconfig}). */
    @Parameter(property = "e2e.kubeconfig")
    File kubeconfig;

    /** The kubectl executable that renders kustomize overlays ({@code kubectl kustomize}); only run for them. */
    @Parameter(property = "e2e.kubectl", defaultValue = "kubectl")
    String kubectl;

    /** Skips this goal. */
    @Parameter(property = "e2e.skip.deploy", defaultValue = "false")
    boolean skipDeploy;

    @Override
    protected String goal() {
        return "deploy";
    }

    @Override
    protected boolean skipGoal() {
        return skipDeploy;
    }

    @Override
    protected void run() throws ConfigException {
        List<TagDecision> decided = decisions();
        RunState state = runState();
        String ns = namespace == null || namespace.isBlank() ? Namespaces.defaultName(service, state.run) : namespace.trim();
        List<EndpointSpec> endpointSpecs = endpointSpecs(ns);
        DeployPlan plan = plan(ns);
        Path kube = kubeconfigPath();
        String expires = expiry().toString();
        List<ImageBinding> bindings = new ArrayList<>();
        for (TagDecision t : decided) {
            String imageId = state.ledger.read(d -> d.image(t.id()).map(e -> e.imageId).orElse(null));
            if (imageId == null) {
                throw new ConfigException("images", "image '" + t.id() + "' was not built in this run: run 'build' and"
                        + " 'load' before 'deploy'");
            }
            PushEntry pushed = state.ledger.read(d -> d.push(t.id()).orElse(null));
            if (pushed != null && !Engine.sameImageId(pushed.imageId, imageId)) {
                throw new ConfigException("load/registry", "image '" + t.id() + "' was pushed as " + pushed.imageId
                        + ", but this run built " + imageId + " since: run 'load' again after 'build'");
            }
            bindings.add(pushed != null
                    ? new ImageBinding(t.id(), t.reference().repository(), pushed.pinned(), t.digest(), imageId,
                            pushed.digest)
                    : new ImageBinding(t.id(), t.reference().repository(), engine().storedName(t.reference()),
                            t.digest(), imageId));
        }
        ManifestRenderer renderer = new ManifestRenderer(properties(), bindings, state.run, service, expires);
        renderer.withSources(manifestSources(renderer, ns));
        KubeApi api = KubeApi.connect(kube);
        Map<String, String> labels = ManifestRenderer.runLabels(state.run, service);
        project.getProperties().setProperty("e2e.namespace", ns);
        String cluster = state.ledger.read(d -> d.cluster == null ? null : d.cluster.name);
        List<KindNode> nodes = cluster == null ? List.of()
                : KindNodes.list(engine(), cluster);
        Deployer.Result result = new Deployer(api, state.ledger, line -> getLog().info("e2e: " + line))
                .resolvingOn(cluster == null ? NodeDigests.NONE : new KindNodeDigests(engine(), cluster, nodes))
                .deploy(plan, renderer, bindings, labels, Map.of(ManifestRenderer.EXPIRES, expires),
                        workDirectory.toPath().resolve("diagnostics"));
        // each node's image list is read once, whatever the number of images
        List<Map<String, String>> nodeImages = nodes.stream()
                .map(n -> new NodeImageStore(engine(), n).imageIds()).toList();
        for (FreshnessCheck.Fresh f : result.fresh()) {
            if (f.image().pulled()) {
                getLog().info("e2e: " + f.image().id() + ": sources sha256:" + f.image().digest().substring(0, 12)
                        + "… → image " + BuildMojo.shortId(f.image().imageId()) + "… → pushed "
                        + f.image().reference() + " → " + f.pods() + "/" + f.pods() + " pods ✔");
                continue;
            }
            String nodeRef = engine().nodeName(ImageReference.parse(f.image().reference()));
            long holding = nodeImages.stream()
                    .filter(ids -> Engine.sameImageId(ids.get(nodeRef), f.image().imageId())).count();
            getLog().info("e2e: " + f.image().id() + ": sources sha256:" + f.image().digest().substring(0, 12)
                    + "… → image " + BuildMojo.shortId(f.image().imageId()) + "… → " + holding + "/" + nodes.size()
                    + " nodes → " + f.pods() + "/" + f.pods() + " pods ✔");
        }
        if (podLogs) {
            followPodLogs(kube, ns);
        }
        try {
            openEndpoints(api, endpointSpecs, state);
        } catch (DeployException e) {
            Path where = new Diagnostics(api).collect(
                    workDirectory.toPath().resolve("diagnostics"), ns, result.applied());
            throw new DeployException(e.parameter(), e.getMessage() + " — diagnostics: " + where);
        }
    }

    /** Follows every pod's logs into {@code target/e2e/logs/<namespace>/} until teardown. */
    private void followPodLogs(Path kube, String ns) {
        Path dir = workDirectory.toPath().resolve("logs").resolve(ns);
        PodLogFollower follower = PodLogFollower.start(KubeApi.streamingClient(kube), ns, dir, Duration.ofSeconds(1));
        PodLogs.keep(project.getBasedir().getAbsolutePath(), follower);
        getLog().info("e2e: pod logs of namespace " + ns + " → " + dir + File.separator
                + "<pod>.<container>.log (followed until teardown)");
    }

    private void openEndpoints(KubeApi api, List<EndpointSpec> specs, RunState state) {
        Properties out = new Properties();
        Endpoints endpointsApi = new Endpoints(api);
        String module = project.getBasedir().getAbsolutePath();
        for (EndpointSpec spec : specs) {
            Endpoint e;
            if (spec.nodePort()) {
                String cluster = state.ledger.read(d -> d.cluster == null ? null : d.cluster.name);
                var nodes = cluster == null ? List.<KindNode>of()
                        : KindNodes.list(engine(), cluster);
                e = endpointsApi.viaNodePort(spec, p -> KindNodes.hostPort(engine(), nodes, p));
            } else {
                PortForwarder f = endpointsApi.open(spec);
                PortForwards.keep(module, f);
                e = new Endpoint(spec.name(), "127.0.0.1", f.localPort(), f.pod());
                PortForwardEntry entry = new PortForwardEntry();
                entry.endpoint = spec.name();
                entry.namespace = spec.namespace();
                entry.pod = f.pod();
                entry.localPort = f.localPort();
                entry.remotePort = spec.port();
                entry.state = EntryState.CREATED;
                state.ledger.update(d -> d.portForwards.add(entry));
            }
            if (spec.readyPath() != null && !spec.readyPath().isBlank()) {
                Endpoints.awaitHttp(e, spec.readyPath(), Duration.ofSeconds(60));
            }
            String p = "e2e.endpoint." + spec.name() + ".";
            project.getProperties().setProperty(p + "url", e.url());
            project.getProperties().setProperty(p + "host", e.host());
            project.getProperties().setProperty(p + "port", String.valueOf(e.port()));
            out.setProperty(p + "url", e.url());
            out.setProperty(p + "host", e.host());
            out.setProperty(p + "port", String.valueOf(e.port()));
            getLog().info("e2e: endpoint " + spec.name() + " → " + e.url() + " (Service " + spec.service() + ":"
                    + spec.port() + (e.pod() == null ? ", NodePort" : ", pod " + e.pod()) + ")");
        }
        try {
            Files.createDirectories(workDirectory.toPath());
            try (OutputStream o = Files.newOutputStream(workDirectory.toPath().resolve("endpoints.properties"))) {
                out.store(o, "e2e endpoints of run " + state.run);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private Path kubeconfigPath() throws ConfigException {
        if (kubeconfig != null) {
            return kubeconfig.toPath();
        }
        String fromLedger = runState().ledger.read(d -> d.cluster == null ? null : d.cluster.kubeconfig);
        if (fromLedger != null) {
            return Path.of(fromLedger);
        }
        Path derived = workDirectory.toPath().resolve("kubeconfig");
        if (Files.exists(derived)) {
            return derived;
        }
        throw new ConfigException("kubeconfig", "no kubeconfig: run 'load' first (it derives one for a kind cluster),"
                + " or set <kubeconfig> (needed with <load><mode>registry</mode>; the file is only read)");
    }

    DeployPlan plan(String ns) throws ConfigException {
        try {
            if (namespace != null && !namespace.isBlank()) {
                Namespaces.validate(ns);
            }
        } catch (DeployException e) {
            throw new ConfigException("namespace", e.getMessage().replaceFirst("^<namespace> ", ""));
        }
        if (deploy == null || deploy.stages == null || deploy.stages.isEmpty()) {
            throw new ConfigException("deploy/stages", "is empty: give at least one <stage><manifests><manifest>");
        }
        List<List<Path>> stages = new ArrayList<>();
        for (int i = 0; i < deploy.stages.size(); i++) {
            DeployConfig.StageConfig s = deploy.stages.get(i);
            if (s == null || s.manifests == null || s.manifests.isEmpty()) {
                throw new ConfigException("deploy/stages/stage[" + (i + 1) + "]/manifests", "is empty");
            }
            List<Path> paths = new ArrayList<>();
            for (String m : s.manifests) {
                Path p = project.getBasedir().toPath().resolve(m.trim()).normalize();
                if (!Files.exists(p)) {
                    throw new ConfigException("deploy/stages/stage[" + (i + 1) + "]/manifests", "manifest '" + p
                            + "' does not exist");
                }
                paths.add(p);
            }
            stages.add(paths);
        }
        return new DeployPlan(ns, stages, duration("deploy/timeout", deploy.timeout), healPolicy());
    }

    /** {@code <deploy><healGrace>}/{@code <healRestarts>}, overridden by {@code -De2e.deploy.healGrace/healRestarts}. */
    private HealPolicy healPolicy() throws ConfigException {
        Map<String, String> props = properties();
        String grace = props.getOrDefault("e2e.deploy.healGrace", deploy.healGrace);
        String restarts = props.get("e2e.deploy.healRestarts");
        Duration g = grace == null || grace.isBlank() ? HealPolicy.DEFAULT.grace() : duration("deploy/healGrace", grace);
        int r = HealPolicy.DEFAULT.restarts();
        if (restarts != null && !restarts.isBlank()) {
            try {
                r = Integer.parseInt(restarts.trim());
            } catch (NumberFormatException e) {
                r = -1;
            }
        } else if (deploy.healRestarts != null) {
            r = deploy.healRestarts;
        }
        if (r < 0) {
            throw new ConfigException("deploy/healRestarts", "must be a whole number of restarts, 0 or more (was '"
                    + (restarts != null ? restarts : deploy.healRestarts) + "')");
        }
        return new HealPolicy(g, r);
    }

    private List<EndpointSpec> endpointSpecs(String ns) throws ConfigException {
        List<EndpointSpec> out = new ArrayList<>();
        if (endpoints == null) {
            return out;
        }
        for (int i = 0; i < endpoints.size(); i++) {
            EndpointConfig e = endpoints.get(i);
            String where = "endpoints/endpoint[" + (i + 1) + "]";
            if (e.name == null || !e.name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
                throw new ConfigException(where + "/name", "is missing or not a simple name (letters, digits, '.', '_', '-')");
            }
            if (e.service == null || e.service.isBlank()) {
                throw new ConfigException(where + "/service", "is missing: name the Service to reach");
            }
            if (e.port == null || e.port < 1 || e.port > 65535) {
                throw new ConfigException(where + "/port", "is missing or not a port number");
            }
            String mode = e.mode == null || e.mode.isBlank() ? "portForward" : e.mode.trim();
            if (!mode.equals("portForward") && !mode.equals("nodePort")) {
                throw new ConfigException(where + "/mode", "'" + mode + "' is not one of portForward, nodePort");
            }
            out.add(new EndpointSpec(e.name, e.service.trim(), e.port, e.readyPath, ns, mode.equals("nodePort")));
        }
        return out;
    }

    Map<String, String> properties() {
        Map<String, String> p = new HashMap<>();
        System.getProperties().forEach((k, v) -> p.put(k.toString(), v.toString()));
        project.getProperties().forEach((k, v) -> p.put(k.toString(), v.toString()));
        session.getUserProperties().forEach((k, v) -> p.put(k.toString(), v.toString()));
        p.put("project.version", project.getVersion());
        p.put("project.artifactId", project.getArtifactId());
        p.put("project.groupId", project.getGroupId());
        p.put("project.basedir", project.getBasedir().getAbsolutePath());
        p.put("project.build.directory", project.getBuild().getDirectory());
        return p;
    }

    /**
     * Kustomize overlays and Helm charts of the stages: charts get their stage's values files and values
     * (interpolated), the service as release name and the run's namespace.
     */
    ManifestSources manifestSources(ManifestRenderer renderer, String ns) throws ConfigException {
        Map<Path, ManifestSources.ChartValues> charts = new HashMap<>();
        for (int i = 0; deploy != null && deploy.stages != null && i < deploy.stages.size(); i++) {
            DeployConfig.StageConfig s = deploy.stages.get(i);
            if (s == null || s.manifests == null) {
                continue;
            }
            List<Path> files = new ArrayList<>();
            for (String f : s.valuesFiles == null ? List.<String>of() : s.valuesFiles) {
                Path p = project.getBasedir().toPath().resolve(f.trim()).normalize();
                if (!Files.isRegularFile(p)) {
                    throw new ConfigException("deploy/stages/stage[" + (i + 1) + "]/valuesFiles", "values file '" + p
                            + "' does not exist: fix the path (relative to " + project.getBasedir() + ") or remove it");
                }
                files.add(p);
            }
            Map<String, String> values = new java.util.LinkedHashMap<>();
            if (s.values != null) {
                for (Map.Entry<String, String> e : s.values.entrySet()) {
                    values.put(e.getKey(), renderer.interpolate(e.getValue() == null ? "" : e.getValue(),
                            "<deploy><stages><stage>[" + (i + 1) + "]<values><" + e.getKey() + ">"));
                }
            }
            for (String m : s.manifests) {
                Path p = project.getBasedir().toPath().resolve(m.trim()).normalize();
                if (ManifestSources.kind(p) == ManifestSources.Kind.HELM) {
                    charts.put(p, new ManifestSources.ChartValues(files, values));
                } else if (!files.isEmpty() || !values.isEmpty()) {
                    getLog().debug("e2e: " + p + " is not a Helm chart: the stage's values do not apply to it");
                }
            }
        }
        return new ManifestSources(kubectl, helmRelease(), ns, charts);
    }

    /** Helm's release name: the service, as a DNS-1123 label of at most 53 characters (Helm's limit). */
    String helmRelease() {
        String r = service.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
        return r.length() > 53 ? r.substring(0, 53).replaceAll("-+$", "") : r.isEmpty() ? "e2e" : r;
    }
}
