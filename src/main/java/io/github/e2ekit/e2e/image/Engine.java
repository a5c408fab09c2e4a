package io.github.e2ekit.e2e.image;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.api.model.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A connected container engine: Docker or Podman behind the Docker-compatible API.
 * Engine-specific behaviour lives here, so callers never ask "is this Podman?".
 *
 * <p>What differs on Podman (4.3, compat API), and is answered here:
 * <ul>
 * <li>Names. Through the compat API Podman stores a short name ({@code app:1}) as
 * {@code docker.io/library/app:1} (containers.conf {@code compat_api_enforce_docker_hub}, on by default) or
 * as {@code localhost/app:1} (off; and what {@code podman build} does), and resolves a short name in
 * lookups by its own search order, not the way its build stored it: with both present, inspecting
 * {@code app:1} finds {@code localhost/app:1}. So on Podman every name the plugin sends is fully
 * qualified: it builds as {@code localhost/app:1} ({@link #buildName}) and finds an existing image under
 * {@code localhost/} first, then {@code docker.io/} ({@link #storedName}). The export carries that full
 * name, so a node's containerd imports it under it ({@link #nodeName}), and manifests name it so.</li>
 * <li>Build output. Podman (buildah) prints {@code STEP 2/3: COPY ...} and {@code --> Using cache}, and a
 * failed {@code RUN} as {@code ... while running runtime: exit status 3}; Docker prints
 * {@code Step 2/3 : COPY ...}, {@code  ---> Using cache} and {@code ... returned a non-zero code: 3}.
 * {@link #buildStep}, {@link #isCacheHit} and {@link #buildError} give one form for both.</li>
 * <li>Image list filters. Podman answers a filter of two or more labels with an empty list (one label, or
 * a label key alone, works): {@link #imagesLabelled} filters on one and checks the rest. Its
 * {@code reference} filter also matches on the last path component ({@code x:t} finds
 * {@code docker.io/e2e/x:t}): look images up by their full name with inspect instead.</li>
 * </ul>
 * The same on both (verified): image IDs are {@code sha256:<hex>}, the SHA-256 of the image config, so
 * a node's containerd reports the same ID; the export is the legacy layout ({@code manifest.json},
 * {@code <id>.json}, {@code <layer>.tar}) whose {@code RepoTags} is the name asked for; labels and label
 * filters; removal by reference untags; {@code forcerm} leaves no container after a failed build.
 *
 * <p>Only this package sees docker-java: everything else uses the verbs here (inspect, list, tag, remove, export,
 * push, exec, containers) and their engine-neutral records ({@link ImageInfo}, {@link ImageSummary},
 * {@link ContainerSummary}, {@link ExecOutput}, {@link PushOutcome}, {@link RegistryAuth}).
 */
public final class Engine implements AutoCloseable {
    private static final Pattern DOCKER_STEP = Pattern.compile("^Step (\\d+/\\d+) : (.*)$");
    private static final Pattern PODMAN_STEP = Pattern.compile("^STEP (\\d+/\\d+): (.*)$");
    private static final Pattern PODMAN_RUN_FAILED =
            Pattern.compile("(?s)building at STEP \"(.*)\": while running runtime: exit status (\\d+)\\s*$");
    private static final String PODMAN_LOCAL = "localhost/";

    private final DockerClient client;
    private final EngineKind kind;
    private final String version;
    private final String apiVersion;
    private final EngineEndpoint endpoint;

    Engine(DockerClient client, EngineKind kind, String version, String apiVersion, EngineEndpoint endpoint) {
        this.client = client;
        this.kind = kind;
        this.version = version;
        this.apiVersion = apiVersion;
        this.endpoint = endpoint;
    }

    /**
     * The docker-java client, for this package and the test bed; production code outside {@code image/} uses the
     * verbs below.
     */
    public DockerClient client() {
        return client;
    }

    public EngineKind kind() {
        return kind;
    }

    public String version() {
        return version;
    }

    public String apiVersion() {
        return apiVersion;
    }

    public String endpoint() {
        return endpoint.host();
    }

    /** Why this engine: {@code DOCKER_HOST}, {@code Docker context 'ci' (DOCKER_CONTEXT)}, {@code Colima's socket …}. */
    public String origin() {
        return endpoint.source();
    }

    /** The directory of the TLS client material the engine is reached with, or {@code null}. */
    public java.nio.file.Path tlsCertPath() {
        return endpoint.tlsCertPath();
    }

    /** One line for the log: {@code Docker 20.10.24 (API 1.41) at unix:///var/run/docker.sock}. */
    public String describe() {
        return kind.displayName() + " " + version + " (API " + apiVersion + ") at " + endpoint.host();
    }

    /**
     * The environment a command-line tool that talks to Docker ({@code kind}'s docker provider, the {@code docker}
     * CLI) needs to reach this very engine: {@code DOCKER_HOST}, with {@code DOCKER_TLS_VERIFY}/{@code DOCKER_CERT_PATH}
     * over TLS, and an empty {@code DOCKER_CONTEXT} (so no context of the user's overrides it). Empty on Podman:
     * kind's podman provider runs {@code podman}, which reaches its own storage directly.
     */
    public Map<String, String> cliEnvironment() {
        if (kind != EngineKind.DOCKER) {
            return Map.of();
        }
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("DOCKER_HOST", endpoint.host());
        env.put("DOCKER_CONTEXT", "");
        if (endpoint.tls()) {
            env.put("DOCKER_TLS_VERIFY", "1");
            env.put("DOCKER_CERT_PATH", endpoint.tlsCertPath().toString());
        }
        return env;
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * The name to build (and tag) {@code reference} under: as given on Docker; on Podman fully
     * qualified, a name without a registry under {@code localhost/} as Podman's own tools do.
     */
    public String buildName(ImageReference reference) {
        if (kind == EngineKind.PODMAN && !hasRegistry(reference)) {
            return PODMAN_LOCAL + reference;
        }
        return reference.toString();
    }

    /**
     * The name under which this engine holds {@code reference}: inspect, export and remove by it. On
     * Docker the reference itself. On Podman a fully qualified name, so no lookup depends on Podman's
     * short-name resolution: a name with a registry as it is, else {@code localhost/<name>} (what
     * {@link #buildName} builds) when present, else {@code docker.io/[library/]<name>} when present (pulled
     * or built through the compat API's Docker Hub normalisation), else {@code localhost/<name>}.
     */
    public String storedName(ImageReference reference) {
        if (kind != EngineKind.PODMAN || hasRegistry(reference)) {
            return reference.toString();
        }
        String local = PODMAN_LOCAL + reference;
        for (String candidate : List.of(local, reference.normalized())) {
            if (exists(candidate)) {
                return candidate;
            }
        }
        return local;
    }

    /**
     * The name a kind node's containerd gives the same image after importing this engine's export
     * (the export's {@code RepoTags} is {@link #storedName}, which containerd normalises).
     */
    public String nodeName(ImageReference reference) {
        return ImageReference.parse(storedName(reference)).normalized();
    }

    /**
     * The step a build output line starts, in Docker's form ({@code Step 2/3 : COPY a /a}), or
     * {@code null} when the line starts no step.
     */
    public String buildStep(String line) {
        Matcher m = DOCKER_STEP.matcher(line);
        if (m.matches()) {
            return line;
        }
        m = PODMAN_STEP.matcher(line);
        return m.matches() ? "Step " + m.group(1) + " : " + m.group(2) : null;
    }

    /** Whether a build output line says the current step came from the build cache. */
    public boolean isCacheHit(String line) {
        String s = line.strip();
        return s.startsWith("---> Using cache") || s.startsWith("--> Using cache");
    }

    /**
     * A build error in one form for both engines: a failed {@code RUN} reads
     * {@code The command '<cmd>' returned a non-zero code: N} (Docker's words); others stay as they are.
     */
    public String buildError(String message) {
        if (message == null) {
            return null;
        }
        Matcher m = PODMAN_RUN_FAILED.matcher(message.strip());
        if (m.find()) {
            String step = m.group(1);
            String cmd = step.startsWith("RUN ") ? step.substring(4) : step;
            return "The command '" + cmd + "' returned a non-zero code: " + m.group(2);
        }
        return message;
    }

    /**
     * Images carrying every one of {@code labels}. The engine filters on one label and the rest is
     * checked here: Podman 4.3's compat API answers a filter of two or more labels with no image at all.
     */
    public List<ImageSummary> imagesLabelled(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return summaries(client.listImagesCmd().exec());
        }
        Map.Entry<String, String> first = new TreeMap<>(labels).firstEntry();
        return summaries(client.listImagesCmd()
                        .withLabelFilter(Map.of(first.getKey(), first.getValue()))
                        .exec())
                .stream()
                .filter(i -> labels.entrySet().stream()
                        .allMatch(l -> l.getValue().equals(i.labels().get(l.getKey()))))
                .toList();
    }

    /** Images carrying the label {@code key}, whatever its value. */
    public List<ImageSummary> imagesWithLabel(String key) {
        return summaries(client.listImagesCmd().withLabelFilter(key).exec());
    }

    /** The image {@code nameOrId} names (inspect), or empty when the engine holds no such image. */
    public Optional<ImageInfo> inspectImage(String nameOrId) {
        InspectImageResponse r = EngineCalls.idempotent("inspecting image " + nameOrId + " in the engine", () -> {
            try {
                return client.inspectImageCmd(nameOrId).exec();
            } catch (NotFoundException e) {
                return null;
            }
        });
        if (r == null) {
            return Optional.empty();
        }
        List<String> layers = r.getRootFS() == null || r.getRootFS().getLayers() == null
                ? List.of()
                : r.getRootFS().getLayers();
        Map<String, String> labels = r.getConfig() == null || r.getConfig().getLabels() == null
                ? Map.of()
                : r.getConfig().getLabels();
        return Optional.of(new ImageInfo(r.getId(), r.getSize() == null ? 0 : r.getSize(), layers, labels));
    }

    /**
     * Removes the name {@code reference} (by name: untags; the image goes with its last name), or the image
     * {@code reference} is the ID of. False when the engine holds no such name; any other refusal (in use, has
     * children) is thrown as the engine words it.
     */
    public boolean removeImage(String reference) {
        try {
            client.removeImageCmd(reference).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /**
     * Removes the untagged image {@code imageId} alone: its untagged parents stay (the engines' default removal
     * also removes those, which may be another build's cache). Throws as {@link #removeImage} does.
     */
    public boolean removeImageAlone(String imageId) {
        try {
            client.removeImageCmd(imageId).withNoPrune(true).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** Gives the image {@code imageId} the name {@code repository:tag}. */
    public void tag(String imageId, String repository, String tag) {
        client.tagImageCmd(imageId, repository, tag).exec();
    }

    /**
     * The engine's export of one image ({@code docker save}), streamed: the legacy layout on Docker 20.10 and
     * Podman 4.3 ({@code manifest.json}, {@code <id>.json}, layer tars), the OCI layout on newer engines. The
     * caller closes it. Asked again when the engine answers 5xx or the connection fails before the answer
     * ({@link EngineCalls}); a stream cut later is the caller's to handle.
     */
    public InputStream export(String nameOrId) {
        return EngineCalls.idempotent(null, () -> client.saveImageCmd(nameOrId).exec());
    }

    /**
     * Pushes {@code repository:tag} with {@code auth} ({@code null}: anonymous) and reports the engine's answer.
     * Throws {@link TimeoutException} when the push does not end within {@code timeout} (it is stopped).
     */
    public PushOutcome push(String repository, String tag, RegistryAuth auth, Duration timeout)
            throws TimeoutException, InterruptedException {
        return ImagePush.run(client, repository, tag, auth, timeout);
    }

    /**
     * Runs {@code command} in {@code container}; {@code stdin}, when given, is streamed to the command. The engine
     * API does not half-close the exec's stdin when the stream ends, so the command must know where its input ends
     * by itself (a tar archive does: {@code ctr images import -}). Throws {@link TimeoutException} when it does not
     * end within {@code timeout}. (docker-java writes stdin in 1 KiB pieces; a faster path would need hand-written
     * HTTP on the socket, which this project avoids.)
     */
    public ExecOutput exec(String container, InputStream stdin, Duration timeout, String... command)
            throws TimeoutException, InterruptedException {
        return ContainerExec.run(client, container, stdin, timeout, command);
    }

    /** Containers labelled {@code key=value}; running ones only unless {@code all}. */
    public List<ContainerSummary> containersLabelled(String key, String value, boolean all) {
        return containers(client.listContainersCmd()
                .withShowAll(all)
                .withLabelFilter(Map.of(key, value))
                .exec());
    }

    /** Containers carrying the label {@code key}, whatever its value, running or not. */
    public List<ContainerSummary> containersWithLabel(String key) {
        return containers(client.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(List.of(key))
                .exec());
    }

    /** The host port {@code container} publishes for {@code containerPort}/tcp, or empty. */
    public Optional<Integer> publishedPort(String container, int containerPort) {
        return hostPort(client.inspectContainerCmd(container).exec(), containerPort);
    }

    /** The host port an inspected container binds to {@code containerPort}/tcp, or empty. */
    static Optional<Integer> hostPort(InspectContainerResponse inspect, int containerPort) {
        Ports ports = inspect.getNetworkSettings() == null
                ? null
                : inspect.getNetworkSettings().getPorts();
        Ports.Binding[] b = ports == null ? null : ports.getBindings().get(ExposedPort.tcp(containerPort));
        if (b == null || b.length == 0 || b[0].getHostPortSpec() == null) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(b[0].getHostPortSpec()));
    }

    private static List<ImageSummary> summaries(List<Image> images) {
        return images.stream()
                .map(i -> new ImageSummary(
                        i.getId(),
                        i.getRepoTags() == null
                                ? List.of()
                                : Arrays.stream(i.getRepoTags())
                                        .filter(t -> !t.equals("<none>:<none>"))
                                        .toList(),
                        i.getLabels() == null ? Map.of() : i.getLabels(),
                        i.getCreated() == null ? 0 : i.getCreated()))
                .toList();
    }

    private static List<ContainerSummary> containers(List<Container> containers) {
        return containers.stream()
                .map(c ->
                        new ContainerSummary(c.getId(), nameOf(c), Objects.requireNonNullElse(c.getLabels(), Map.of())))
                .toList();
    }

    private static String nameOf(Container c) {
        String[] names = c.getNames();
        if (names == null || names.length == 0) {
            return c.getId().substring(0, 12);
        }
        String n = names[0];
        return n.startsWith("/") ? n.substring(1) : n;
    }

    /** Whether two image IDs are the same image ({@code sha256:} prefix or not, full or short). */
    public static boolean sameImageId(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        String x = a.startsWith("sha256:") ? a.substring(7) : a;
        String y = b.startsWith("sha256:") ? b.substring(7) : b;
        if (x.isEmpty() || y.isEmpty()) {
            return false;
        }
        return x.startsWith(y) || y.startsWith(x);
    }

    private static boolean hasRegistry(ImageReference reference) {
        String repo = reference.repository();
        int slash = repo.indexOf('/');
        return slash > 0 && !ImageReference.normalizeRepository(repo).equals("docker.io/" + repo);
    }

    private boolean exists(String name) {
        try {
            client.inspectImageCmd(name).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            // closing a connection pool: nothing to report
        }
    }
}
