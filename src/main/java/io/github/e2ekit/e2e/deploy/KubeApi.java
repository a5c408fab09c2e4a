package io.github.e2ekit.e2e.deploy;

import io.kubernetes.client.Discovery;
import io.kubernetes.client.PortForward;
import io.kubernetes.client.common.KubernetesType;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.StorageV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.openapi.models.V1StorageClass;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The only way to the cluster's API server. Typed verbs for what the plugin reads and writes (namespaces, pods,
 * services, events, logs, storage classes, port-forwards), the generic API for manifests' kinds (discovery maps
 * kinds to resources, so CRDs work), and one retry policy for every call ({@link KubeRetry}: 429, 5xx and lost
 * connections, honouring {@code Retry-After}, bounded). A call that still fails throws {@link KubeApiException}:
 * one line naming the verb, the object, the server and the answer.
 */
public final class KubeApi {
    private final ApiClient client;
    private final CoreV1Api core;
    private final StorageV1Api storage;
    /** The kubeconfig the client was made from, named when the server does not answer; null when unknown. */
    private final Path kubeconfig;

    private volatile Set<Discovery.APIResource> resources;
    private final Map<String, DynamicKubernetesApi> apis = new ConcurrentHashMap<>();

    /** Takes {@code client} over: its HTTP client gets the retry policy (once, however often it is wrapped). */
    public KubeApi(ApiClient client) {
        this(client, null);
    }

    private KubeApi(ApiClient client, Path kubeconfig) {
        this.kubeconfig = kubeconfig;
        if (client.getHttpClient().interceptors().stream().noneMatch(i -> i instanceof KubeRetry)) {
            client.setHttpClient(client.getHttpClient()
                    .newBuilder()
                    .addInterceptor(new KubeRetry())
                    .build());
        }
        this.client = client;
        this.core = new CoreV1Api(client);
        this.storage = new StorageV1Api(client);
    }

    /** Connects with a kubeconfig file (never the user's default one unless that is what was given). */
    public static KubeApi connect(Path kubeconfig) {
        return connect(kubeconfig, java.time.Duration.ofSeconds(60));
    }

    /** As {@link #connect(Path)}, with {@code readTimeout} per attempt (an answer slower than that is retried). */
    public static KubeApi connect(Path kubeconfig, java.time.Duration readTimeout) {
        return new KubeApi(client(kubeconfig, (int) readTimeout.toMillis()), kubeconfig);
    }

    /**
     * An API of its own for long-lived streams (followed logs): no read timeout, since a quiet stream sends nothing
     * for a long time. Whoever takes it calls {@link #shutdown()}.
     */
    public static KubeApi streaming(Path kubeconfig) {
        return new KubeApi(client(kubeconfig, 0), kubeconfig);
    }

    private static ApiClient client(Path kubeconfig, int readTimeoutMillis) {
        if (kubeconfig == null || !Files.isRegularFile(kubeconfig)) {
            throw new DeployException(
                    "kubeconfig",
                    "kubeconfig '" + kubeconfig + "' does not exist; run 'load' first" + " or set <kubeconfig>");
        }
        try (Reader r = Files.newBufferedReader(kubeconfig)) {
            KubeConfig config = KubeConfig.loadKubeConfig(r);
            config.setFile(kubeconfig.toFile());
            ApiClient c = ClientBuilder.kubeconfig(config).build();
            c.setReadTimeout(readTimeoutMillis);
            return c;
        } catch (IOException | RuntimeException e) {
            throw new DeployException("kubeconfig", "cannot use kubeconfig " + kubeconfig + ": " + e.getMessage());
        }
    }

    /** Where the API server is, as the kubeconfig says ({@code https://127.0.0.1:port}). */
    public String server() {
        return client.getBasePath();
    }

    /** Drops this API's idle connections and its dispatcher's threads (an API of its own, e.g. for streams). */
    public void shutdown() {
        client.getHttpClient().dispatcher().executorService().shutdown();
        client.getHttpClient().connectionPool().evictAll();
    }

    // ------------------------------------------------------------------ typed verbs (core/v1, storage/v1)

    /** Creates a namespace; a refusal (409 when it exists) throws {@link KubeApiException} with its code. */
    public V1Namespace createNamespace(String name, Map<String, String> labels, Map<String, String> annotations) {
        return typed(
                "create",
                "Namespace/" + name,
                () -> core.createNamespace(new V1Namespace()
                                .metadata(new V1ObjectMeta()
                                        .name(name)
                                        .labels(labels)
                                        .annotations(annotations)))
                        .execute());
    }

    public Optional<V1Namespace> readNamespace(String name) {
        return orAbsent(
                "read", "Namespace/" + name, () -> core.readNamespace(name).execute(), 404);
    }

    public List<V1Namespace> listNamespaces(String labelSelector) {
        return typed(
                "list",
                "Namespaces " + labelSelector,
                () -> core.listNamespace()
                        .labelSelector(labelSelector)
                        .execute()
                        .getItems());
    }

    /** Pods in {@code namespace}, those matching {@code labelSelector} when not null. */
    public List<V1Pod> listPods(String namespace, String labelSelector) {
        return typed(
                "list",
                "Pods in " + namespace + (labelSelector == null ? "" : " (" + labelSelector + ")"),
                () -> core.listNamespacedPod(namespace)
                        .labelSelector(labelSelector)
                        .execute()
                        .getItems());
    }

    public Optional<V1Service> readService(String namespace, String name) {
        return orAbsent(
                "read",
                "Service/" + name + " in " + namespace,
                () -> core.readNamespacedService(name, namespace).execute(),
                404);
    }

    public List<CoreV1Event> listEvents(String namespace) {
        return typed(
                "list",
                "Events in " + namespace,
                () -> core.listNamespacedEvent(namespace).execute().getItems());
    }

    /**
     * The last {@code tailLines} of a container's log ({@code previous}: of its previous instance); empty when there
     * is none (400: not started or no previous instance; 404: pod gone).
     */
    public Optional<String> podLog(String namespace, String pod, String container, boolean previous, int tailLines) {
        return orAbsent(
                "read",
                logOf(namespace, pod, container),
                () -> log(namespace, pod, container)
                        .previous(previous)
                        .tailLines(tailLines)
                        .execute(),
                400,
                404);
    }

    /** A not yet executed call following a container's log ({@code follow=true}); the caller streams its body. */
    public okhttp3.Call followPodLog(String namespace, String pod, String container) {
        return typed(
                "follow",
                logOf(namespace, pod, container),
                () -> log(namespace, pod, container).follow(true).buildCall(null));
    }

    private CoreV1Api.APIreadNamespacedPodLogRequest log(String namespace, String pod, String container) {
        return core.readNamespacedPodLog(pod, namespace).container(container);
    }

    private static String logOf(String namespace, String pod, String container) {
        return "log of Pod/" + pod + " container " + container + " in " + namespace;
    }

    public Optional<V1StorageClass> readStorageClass(String name) {
        return orAbsent(
                "read",
                "StorageClass/" + name,
                () -> storage.readStorageClass(name).execute(),
                404);
    }

    public List<V1StorageClass> listStorageClasses() {
        return typed(
                "list",
                "StorageClasses",
                () -> storage.listStorageClass().execute().getItems());
    }

    /**
     * Opens one port-forward stream to {@code port} of a pod (client-java's WebSocket {@code v4.channel.k8s.io}). An
     * upgrade the server refused fails with its HTTP status (okhttp words it
     * {@code Expected HTTP 101 response but was '503 Service Unavailable'}).
     */
    public PortForward.PortForwardResult portForward(String namespace, String pod, int port) {
        String object = "Pod/" + pod + " port " + port + " in " + namespace;
        try {
            return new PortForward(client).forward(namespace, pod, List.of(port));
        } catch (IOException | ApiException e) {
            Matcher refused = UPGRADE_REFUSED.matcher(String.valueOf(e.getMessage()));
            if (refused.find()) {
                throw failure("port-forward", object, Integer.parseInt(refused.group(1)), "upgrade refused");
            }
            throw failure("port-forward", object, e instanceof ApiException a ? a.getCode() : 0, rootMessage(e));
        }
    }

    private static final Pattern UPGRADE_REFUSED = Pattern.compile("Expected HTTP 101 response but was '(\\d{3})");

    /** Every resource the server serves, read now (not the cached discovery). */
    public Set<Discovery.APIResource> discoverAll() {
        return typed("discover", "API resources", () -> new Discovery(client).findAll());
    }

    /** One client-java call that may throw {@link ApiException}. */
    @FunctionalInterface
    interface Typed<T> {
        T call() throws ApiException;
    }

    private <T> T typed(String verb, String object, Typed<T> call) {
        try {
            return call.call();
        } catch (ApiException e) {
            throw failure(verb, object, e.getCode(), statusMessage(e)).unsentIf(neverConnected(e));
        }
    }

    private <T> Optional<T> orAbsent(String verb, String object, Typed<T> call, int... absentCodes) {
        try {
            return Optional.ofNullable(call.call());
        } catch (ApiException e) {
            for (int c : absentCodes) {
                if (e.getCode() == c) {
                    return Optional.empty();
                }
            }
            throw failure(verb, object, e.getCode(), statusMessage(e)).unsentIf(neverConnected(e));
        }
    }

    /** Whether the request never reached the server (no connection was made: it cannot have been done). */
    static boolean neverConnected(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    private String statusMessage(ApiException e) {
        if (e.getCode() == 0) {
            return rootMessage(e);
        }
        String body = e.getResponseBody();
        if (body != null && !body.isBlank()) {
            try {
                V1Status status = client.getJSON().deserialize(body, V1Status.class);
                if (status != null && status.getMessage() != null) {
                    return status.getMessage();
                }
            } catch (RuntimeException notJson) {
                return body.strip(); // e.g. the text of a 429 from the API server's max-in-flight filter
            }
        }
        return "";
    }

    /** The one line for a call that failed after the retry policy: verb, object, server, answer. */
    KubeApiException failure(String verb, String object, int code, String message) {
        String answer = code == 0
                ? "no answer (" + message + ")"
                        + (kubeconfig == null ? "" : "; the server is the one kubeconfig " + kubeconfig + " names")
                : "HTTP " + code + (message == null || message.isBlank() ? "" : " (" + message + ")");
        String retried = transientCode(code) ? ", still after " + KubeRetry.ATTEMPTS + " attempts" : "";
        return new KubeApiException(
                code,
                verb + (object.isEmpty() ? "" : " " + object) + " on " + server() + " failed: " + answer + retried);
    }

    /** How long a kind unknown to discovery is waited for (a new CRD's resources are discovered a little later). */
    private static final long DISCOVERY_WAIT_NANOS = 30_000_000_000L;

    /**
     * The resource serving {@code apiVersion}/{@code kind}. When it is unknown, discovery is read again until it
     * appears or {@link #DISCOVERY_WAIT_NANOS} passed: an API server lists a new CRD's resources only some time
     * after the CRD is Established (its discovery controller works asynchronously).
     */
    public Discovery.APIResource resource(String apiVersion, String kind) {
        Discovery.APIResource r = find(apiVersion, kind);
        long deadline = System.nanoTime() + DISCOVERY_WAIT_NANOS;
        while (r == null) {
            resources = null;
            r = find(apiVersion, kind);
            if (r != null || System.nanoTime() > deadline || !anyCrdServes(apiVersion, kind)) {
                break;
            }
            Applier.sleep(250);
        }
        if (r == null) {
            throw new DeployException(
                    "deploy/stages/stage/manifests",
                    "the cluster does not know kind " + kind + " in " + apiVersion
                            + " (is its CRD applied in an earlier stage or earlier in this one?)");
        }
        return r;
    }

    /** Whether a stored CRD defines {@code kind} in {@code apiVersion} (then discovery will list it soon). */
    private boolean anyCrdServes(String apiVersion, String kind) {
        if (!apiVersion.contains("/")) {
            return false;
        }
        Discovery.APIResource crds = find("apiextensions.k8s.io/v1", "CustomResourceDefinition");
        if (crds == null) {
            return false;
        }
        String group = apiVersion.substring(0, apiVersion.indexOf('/'));
        var list = call("list CustomResourceDefinitions", () -> api(crds, "v1").list());
        if (!list.isSuccess() || list.getObject() == null) {
            return false;
        }
        return list.getObject().getItems().stream().anyMatch(o -> {
            var spec = o.getRaw().getAsJsonObject("spec");
            return spec != null
                    && spec.has("group")
                    && group.equals(spec.get("group").getAsString())
                    && spec.has("names")
                    && kind.equals(spec.getAsJsonObject("names").get("kind").getAsString());
        });
    }

    private Discovery.APIResource find(String apiVersion, String kind) {
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
        for (Discovery.APIResource r : resources()) {
            if (r.getKind().equals(kind)
                    && r.getGroup().equals(group)
                    && r.getVersions().contains(version)) {
                return r;
            }
        }
        return null;
    }

    private Set<Discovery.APIResource> resources() {
        Set<Discovery.APIResource> r = resources;
        if (r == null) {
            r = discoverAll();
            resources = r;
        }
        return r;
    }

    /** The generic API for one resource in one version. */
    public DynamicKubernetesApi api(Discovery.APIResource r, String version) {
        return apis.computeIfAbsent(
                r.getGroup() + "/" + version + "/" + r.getResourcePlural(),
                k -> new DynamicKubernetesApi(r.getGroup(), version, r.getResourcePlural(), client));
    }

    /**
     * Runs a generic-API call (retried by the policy); returns the final answer, success or not, except that an
     * answer still transient after the retries, or none, throws {@link KubeApiException}. {@code what} is
     * {@code "<verb> <object>"}.
     */
    public <T extends KubernetesType> KubernetesApiResponse<T> call(
            String what, Supplier<KubernetesApiResponse<T>> call) {
        KubernetesApiResponse<T> r;
        try {
            r = call.get();
        } catch (RuntimeException e) {
            throw failure(what, "", 0, rootMessage(e)).unsentIf(neverConnected(e));
        }
        if (transientCode(r.getHttpStatusCode())) {
            throw failure(
                    what,
                    "",
                    r.getHttpStatusCode(),
                    r.getStatus() == null ? "" : r.getStatus().getMessage());
        }
        return r;
    }

    static boolean transientCode(int code) {
        return code == 0 || code == 429 || code >= 500;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
