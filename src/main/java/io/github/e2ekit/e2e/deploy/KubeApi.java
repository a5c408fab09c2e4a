package io.github.e2ekit.e2e.deploy;

import io.kubernetes.client.Discovery;
import io.kubernetes.client.common.KubernetesType;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The cluster's API through client-java: discovery maps kinds to resources (so CRDs work), and
 * every call is retried with backoff on transient answers (429, 5xx, connection failures).
 */
public final class KubeApi {
    private static final int ATTEMPTS = 6;
    private final ApiClient client;
    private volatile Set<Discovery.APIResource> resources;
    private final Map<String, DynamicKubernetesApi> apis = new ConcurrentHashMap<>();

    public KubeApi(ApiClient client) {
        this.client = client;
    }

    /** Connects with a kubeconfig file (never the user's default one unless that is what was given). */
    public static KubeApi connect(Path kubeconfig) {
        return new KubeApi(client(kubeconfig, 60_000));
    }

    /**
     * A client of its own for long-lived streams (followed logs): no read timeout, since a quiet stream sends nothing
     * for a long time. Whoever takes it shuts its connections down.
     */
    public static ApiClient streamingClient(Path kubeconfig) {
        return client(kubeconfig, 0);
    }

    private static ApiClient client(Path kubeconfig, int readTimeoutMillis) {
        if (kubeconfig == null || !Files.isRegularFile(kubeconfig)) {
            throw new DeployException("kubeconfig", "kubeconfig '" + kubeconfig + "' does not exist; run 'load' first"
                    + " or set <kubeconfig>");
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

    public ApiClient client() {
        return client;
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
            throw new DeployException("deploy/stages/stage/manifests", "the cluster does not know kind " + kind + " in "
                    + apiVersion + " (is its CRD applied in an earlier stage or earlier in this one?)");
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
            return spec != null && spec.has("group") && group.equals(spec.get("group").getAsString())
                    && spec.has("names") && kind.equals(spec.getAsJsonObject("names").get("kind").getAsString());
        });
    }

    private Discovery.APIResource find(String apiVersion, String kind) {
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
        for (Discovery.APIResource r : resources()) {
            if (r.getKind().equals(kind) && r.getGroup().equals(group) && r.getVersions().contains(version)) {
                return r;
            }
        }
        return null;
    }

    private Set<Discovery.APIResource> resources() {
        Set<Discovery.APIResource> r = resources;
        if (r == null) {
            r = retry("discovery", () -> {
                try {
                    return new Discovery(client).findAll();
                } catch (ApiException e) {
                    throw new TransientOrNot(e.getCode(), e.getMessage());
                }
            });
            resources = r;
        }
        return r;
    }

    /** The generic API for one resource in one version. */
    public DynamicKubernetesApi api(Discovery.APIResource r, String version) {
        return apis.computeIfAbsent(r.getGroup() + "/" + version + "/" + r.getResourcePlural(),
                k -> new DynamicKubernetesApi(r.getGroup(), version, r.getResourcePlural(), client));
    }

    /** Runs a generic-API call, retrying transient failures; returns the final answer (success or not). */
    public <T extends KubernetesType> KubernetesApiResponse<T> call(String what, Supplier<KubernetesApiResponse<T>> call) {
        return retry(what, () -> {
            KubernetesApiResponse<T> r;
            try {
                r = call.get();
            } catch (RuntimeException e) {
                throw new TransientOrNot(0, rootMessage(e));
            }
            if (transientCode(r.getHttpStatusCode())) {
                throw new TransientOrNot(r.getHttpStatusCode(), r.getStatus() == null ? "" : r.getStatus().getMessage());
            }
            return r;
        });
    }

    static boolean transientCode(int code) {
        return code == 0 || code == 429 || code >= 500;
    }

    private static <T> T retry(String what, Supplier<T> call) {
        long delay = 100;
        TransientOrNot last = null;
        for (int i = 0; i < ATTEMPTS; i++) {
            try {
                return call.get();
            } catch (TransientOrNot e) {
                last = e;
                if (!transientCode(e.code)) {
                    break;
                }
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
                delay = Math.min(delay * 2, 2000);
            }
        }
        throw new DeployException(what + " failed" + (last.code > 0 ? " (HTTP " + last.code + ")" : "") + ": "
                + last.getMessage());
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** A failed call with its HTTP code (0: no answer). */
    static final class TransientOrNot extends RuntimeException {
        final int code;

        TransientOrNot(int code, String message) {
            super(message);
            this.code = code;
        }
    }
}
