package io.github.e2ekit.e2e.deploy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.models.V1Preconditions;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.DeleteOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Deleting on a real API server is asynchronous: an object with finalizers only gets a
 * {@code deletionTimestamp}, a pod stays {@code Terminating} until its kubelet stopped its containers (up to its
 * {@code terminationGracePeriodSeconds}, default 30), and a namespace stays {@code Terminating} until the namespace
 * controller emptied it (its pods included).
 * This deletes and waits until the object is really gone, and when it is not, says what holds it (its
 * finalizers, and for a namespace the controller's conditions naming the remaining content and finalizers).
 */
public final class Deletions {
    private final KubeApi api;

    public Deletions(KubeApi api) {
        this.api = api;
    }

    /** The outcome of one DELETE. */
    public enum Sent {
        ACCEPTED,
        ALREADY_GONE,
        NOT_OURS
    }

    /**
     * Sends a DELETE (UID precondition when known, Background propagation); {@link Sent#NOT_OURS} when the UID
     * differs (409). Throws {@link DeployException} on any other refusal.
     */
    public Sent delete(String apiVersion, String kind, String namespace, String name, String uid, String propagation) {
        DynamicKubernetesApi dyn = dyn(apiVersion, kind);
        DeleteOptions opts = new DeleteOptions();
        if (uid != null) {
            opts.setPreconditions(new V1Preconditions().uid(uid));
        }
        opts.setPropagationPolicy(propagation);
        String what = describe(kind, namespace, name);
        KubernetesApiResponse<DynamicKubernetesObject> resp = api.call(
                "delete " + what, () -> namespace == null ? dyn.delete(name, opts) : dyn.delete(namespace, name, opts));
        int code = resp.getHttpStatusCode();
        if (resp.isSuccess()) {
            return Sent.ACCEPTED;
        }
        if (code == 404) {
            return Sent.ALREADY_GONE;
        }
        if (code == 409) {
            return Sent.NOT_OURS;
        }
        throw new DeployException("delete " + what + ": HTTP " + code + ": " + Applier.statusMessage(resp));
    }

    /** The object as it is now, or null when there is none (404). */
    public DynamicKubernetesObject read(String apiVersion, String kind, String namespace, String name) {
        DynamicKubernetesApi dyn = dyn(apiVersion, kind);
        String what = describe(kind, namespace, name);
        KubernetesApiResponse<DynamicKubernetesObject> got =
                api.call("read " + what, () -> namespace == null ? dyn.get(name) : dyn.get(namespace, name));
        if (got.getHttpStatusCode() == 404) {
            return null;
        }
        if (!got.isSuccess()) {
            throw new DeployException(
                    "read " + what + ": HTTP " + got.getHttpStatusCode() + ": " + Applier.statusMessage(got));
        }
        return got.getObject();
    }

    /**
     * Waits until the object is gone (404, or its name now carries another UID); null when gone, else one
     * line saying what still holds it.
     */
    public String awaitGone(String apiVersion, String kind, String namespace, String name, String uid, Duration wait) {
        return awaitGone(apiVersion, kind, namespace, name, uid, wait, wait);
    }

    /** As above; {@code waited} is how long the message says was waited (a share of a longer wait). */
    public String awaitGone(
            String apiVersion, String kind, String namespace, String name, String uid, Duration wait, Duration waited) {
        DynamicKubernetesApi dyn = dyn(apiVersion, kind);
        long deadline = System.nanoTime() + wait.toNanos();
        JsonObject last = null;
        while (true) {
            KubernetesApiResponse<DynamicKubernetesObject> got = api.call(
                    "read " + describe(kind, namespace, name),
                    () -> namespace == null ? dyn.get(name) : dyn.get(namespace, name));
            if (got.getHttpStatusCode() == 404) {
                return null;
            }
            if (got.isSuccess()) {
                last = got.getObject().getRaw();
                if (uid != null && !uid.equals(got.getObject().getMetadata().getUid())) {
                    return null; // a new object of the same name: ours is gone
                }
            }
            if (System.nanoTime() > deadline) {
                return stuck(kind, namespace, name, last, waited);
            }
            Applier.sleep(200);
        }
    }

    /** "namespace x is still Terminating after 60 s: finalizers [...]; Some resources are remaining: …". */
    static String stuck(String kind, String namespace, String name, JsonObject o, Duration wait) {
        StringBuilder sb = new StringBuilder(
                describe(kind, namespace, name) + " still exists " + wait.toSeconds() + " s after its deletion");
        if (o == null) {
            return sb.toString();
        }
        List<String> finalizers = new ArrayList<>(strings(path(o, "metadata", "finalizers")));
        finalizers.addAll(strings(path(o, "spec", "finalizers")));
        if ("Namespace".equals(kind)) {
            sb.append(" (Terminating)");
        }
        if (!finalizers.isEmpty()) {
            sb.append("; finalizers ").append(finalizers);
        }
        JsonElement conds = path(o, "status", "conditions");
        if (conds instanceof JsonArray a) {
            for (JsonElement c : a) {
                JsonObject co = c.getAsJsonObject();
                String type = co.has("type") ? co.get("type").getAsString() : "";
                if ((type.equals("NamespaceContentRemaining")
                                || type.equals("NamespaceFinalizersRemaining")
                                || type.equals("NamespaceDeletionContentFailure"))
                        && co.has("status")
                        && "True".equals(co.get("status").getAsString())
                        && co.has("message")) {
                    sb.append("; ").append(co.get("message").getAsString());
                }
            }
        }
        return sb.append(" — remove the finalizers or fix the controller that owns them")
                .toString();
    }

    private DynamicKubernetesApi dyn(String apiVersion, String kind) {
        var r = api.resource(apiVersion, kind);
        String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
        return api.api(r, version);
    }

    static String describe(String kind, String namespace, String name) {
        return kind + "/" + name + (namespace == null ? "" : " in " + namespace);
    }

    private static JsonElement path(JsonObject o, String... keys) {
        JsonElement cur = o;
        for (String k : keys) {
            if (!(cur instanceof JsonObject co) || !co.has(k)) {
                return null;
            }
            cur = co.get(k);
        }
        return cur;
    }

    private static List<String> strings(JsonElement e) {
        List<String> out = new ArrayList<>();
        if (e instanceof JsonArray a) {
            a.forEach(x -> out.add(x.getAsString()));
        }
        return out;
    }
}
