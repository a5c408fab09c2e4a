package io.github.e2ekit.e2e.deploy;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.ObjectEntry;
import io.github.e2ekit.e2e.ledger.ObjectRecords;
import io.github.e2ekit.e2e.ledger.Recorded;
import io.kubernetes.client.Discovery;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Applies rendered objects: create, or when the object exists a 3-way JSON merge patch against the
 * last-applied record ({@link ThreeWayMerge}: works on every API server and on custom resources, and removes
 * fields the manifest dropped); a Job whose pod template changed is replaced. A Namespace or cluster-scoped
 * object that exists and is not the plugin's is left as found. Inside a stage, kinds go in dependency order; a CRD is
 * Established before objects of its kind follow. Every object is recorded in the ledger before it
 * is sent.
 */
public final class Applier {
    private static final List<String> ORDER = List.of(
            "Namespace",
            "CustomResourceDefinition",
            "ServiceAccount",
            "ClusterRole",
            "Role",
            "ClusterRoleBinding",
            "RoleBinding",
            "ConfigMap",
            "Secret",
            "PersistentVolumeClaim",
            "Service");
    private static final Gson GSON = new Gson();
    private static final Gson WITH_NULLS =
            new com.google.gson.GsonBuilder().serializeNulls().create();

    private static final int MAX_RECORD = 128 * 1024;
    private static final java.time.Duration JOB_REPLACE_WAIT = java.time.Duration.ofSeconds(60);

    private final KubeApi api;
    private final Ledger ledger;
    private final Consumer<String> log;

    public Applier(KubeApi api, Ledger ledger) {
        this(api, ledger, line -> {});
    }

    public Applier(KubeApi api, Ledger ledger, Consumer<String> log) {
        this.api = api;
        this.ledger = ledger;
        this.log = log;
    }

    /** Sorts a stage's objects into apply order, keeping file order within one kind. */
    public static List<Manifest> inApplyOrder(List<Manifest> stage) {
        List<Manifest> sorted = new ArrayList<>(stage);
        sorted.sort(Comparator.comparingInt(m -> {
            int i = ORDER.indexOf(m.kind());
            return i < 0 ? ORDER.size() : i;
        }));
        return sorted;
    }

    public List<AppliedObject> applyStage(List<Manifest> stage, String namespace) {
        List<AppliedObject> out = new ArrayList<>();
        for (Manifest m : inApplyOrder(stage)) {
            AppliedObject a = apply(m, namespace);
            out.add(a);
            if ("CustomResourceDefinition".equals(m.kind())) {
                awaitEstablished(a);
            }
        }
        return out;
    }

    public AppliedObject apply(Manifest m, String namespace) {
        Discovery.APIResource r = api.resource(m.apiVersion(), m.kind());
        boolean namespaced = Boolean.TRUE.equals(r.getNamespaced());
        String ns = null;
        if (namespaced) {
            ns = m.namespace() == null ? namespace : m.namespace();
            m.namespace(ns);
        } else {
            m.metadata().remove("namespace");
        }
        DynamicKubernetesApi dyn = api.api(r, m.version());
        String finalNs = ns;
        Recorded<ObjectEntry> entry = ledger.objects().intend(m.apiVersion(), m.kind(), ns, m.name());
        JsonObject json = GSON.toJsonTree(m.object()).getAsJsonObject();
        recordLastApplied(json);
        KubernetesApiResponse<DynamicKubernetesObject> created;
        try {
            created = create(dyn, m, json);
        } catch (KubeApiException e) {
            if (!e.mayHaveBeenDone()) {
                ledger.update(d -> d.objects.remove(entry)); // never reached the server: it does not exist
            } // else it stays INTENDED: teardown removes it if it exists with this run's label
            throw e;
        }
        if (created.isSuccess()) {
            String uid = created.getObject().getMetadata().getUid();
            ObjectRecords.created(entry, uid);
            return new AppliedObject(m.apiVersion(), m.kind(), ns, m.name(), uid, true, m);
        }
        if (created.getHttpStatusCode() != 409) {
            entry.forget();
            throw new DeployException(m.source() + ": " + m.describe() + " was refused (HTTP "
                    + created.getHttpStatusCode() + "): " + statusMessage(created));
        }
        KubernetesApiResponse<DynamicKubernetesObject> existing = api.call(
                "read " + m.describe(), () -> finalNs == null ? dyn.get(m.name()) : dyn.get(finalNs, m.name()));
        if (!existing.isSuccess()) {
            entry.forget();
            throw new DeployException(m.source() + ": " + m.describe() + " exists but cannot be read (HTTP "
                    + existing.getHttpStatusCode() + "): " + statusMessage(existing));
        }
        Map<String, String> liveLabels = labels(existing.getObject());
        boolean plugins = ManifestRenderer.MANAGER.equals(liveLabels.get(ManifestRenderer.MANAGED_BY));
        boolean ours =
                plugins && Objects.equals(liveLabels.get(ManifestRenderer.RUN), labelOf(m, ManifestRenderer.RUN));
        String liveUid = existing.getObject().getMetadata().getUid();
        if (!plugins && ns == null) {
            // a Namespace or cluster-scoped object someone else made: left exactly as found (never labelled as
            // ours, never given an expiry, so never reaped)
            ObjectRecords.existed(entry, liveUid);
            log.accept(m.describe() + " exists, not ours: left as found");
            return new AppliedObject(m.apiVersion(), m.kind(), ns, m.name(), liveUid, false, m);
        }
        JsonObject live = existing.getObject().getRaw();
        JsonObject desired = plugins ? json : withoutRunMarks(json);
        JsonObject lastApplied = ThreeWayMerge.lastApplied(live);
        if (plugins && "Job".equals(m.kind()) && templateChanged(lastApplied, desired)) {
            return replaceJob(m, dyn, entry, liveUid, json);
        }
        JsonObject patchBody = ThreeWayMerge.patch(lastApplied, desired, live);
        String uid = liveUid;
        if (patchBody.size() > 0) {
            V1Patch patch = new V1Patch(WITH_NULLS.toJson(patchBody)); // RFC 7386: null removes
            KubernetesApiResponse<DynamicKubernetesObject> patched = api.call(
                    "patch " + m.describe(),
                    () -> finalNs == null
                            ? dyn.patch(m.name(), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, patch)
                            : dyn.patch(finalNs, m.name(), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, patch));
            if (!patched.isSuccess()) {
                entry.forget();
                throw new DeployException(m.source() + ": " + m.describe() + " exists and could not be patched (HTTP "
                        + patched.getHttpStatusCode() + "): " + statusMessage(patched));
            }
            uid = patched.getObject().getMetadata().getUid();
        }
        if (!plugins) {
            log.accept(m.describe() + " exists, not ours: updated without the run's labels, never removed");
        }
        String finalUid = uid;
        if (ours) {
            ObjectRecords.created(entry, finalUid);
        } else {
            ObjectRecords.existed(entry, finalUid);
        }
        return new AppliedObject(m.apiVersion(), m.kind(), ns, m.name(), uid, ours, m);
    }

    private KubernetesApiResponse<DynamicKubernetesObject> create(
            DynamicKubernetesApi dyn, Manifest m, JsonObject json) {
        return api.call("create " + m.describe(), () -> dyn.create(new DynamicKubernetesObject(json.deepCopy())));
    }

    /**
     * A Job's pod template is immutable (kubernetes pkg/apis/batch/validation/validation.go ValidateJobSpecUpdate:
     * 422 "field is immutable"), so a changed one is applied as kubectl replace --force does: delete
     * (Background: its pods go with it), wait until it is gone, create.
     */
    private AppliedObject replaceJob(
            Manifest m, DynamicKubernetesApi dyn, Recorded<ObjectEntry> entry, String liveUid, JsonObject json) {
        Deletions deletions = new Deletions(api);
        String ns = m.namespace();
        deletions.delete(m.apiVersion(), m.kind(), ns, m.name(), liveUid, "Background");
        String stuck = deletions.awaitGone(m.apiVersion(), m.kind(), ns, m.name(), liveUid, JOB_REPLACE_WAIT);
        if (stuck != null) {
            entry.forget();
            throw new DeployException(m.source() + ": " + m.describe() + " has a new pod template and must be"
                    + " replaced, but the old one did not go: " + stuck);
        }
        KubernetesApiResponse<DynamicKubernetesObject> created = create(dyn, m, json);
        if (created.getHttpStatusCode() == 409) {
            // a create whose answer was lost and that was sent again: ours when it carries this run's label
            KubernetesApiResponse<DynamicKubernetesObject> again =
                    api.call("read " + m.describe(), () -> dyn.get(ns, m.name()));
            if (again.isSuccess()
                    && !again.getObject().getMetadata().getUid().equals(liveUid)
                    && Objects.equals(
                            labels(again.getObject()).get(ManifestRenderer.RUN), labelOf(m, ManifestRenderer.RUN))) {
                created = again;
            }
        }
        if (!created.isSuccess()) {
            entry.forget();
            throw new DeployException(m.source() + ": " + m.describe() + " was refused after replacing the old one"
                    + " (HTTP " + created.getHttpStatusCode() + "): " + statusMessage(created));
        }
        String uid = created.getObject().getMetadata().getUid();
        ObjectRecords.created(entry, uid);
        log.accept(m.describe() + " replaced (its pod template changed; a Job's template is immutable)");
        return new AppliedObject(m.apiVersion(), m.kind(), ns, m.name(), uid, true, m);
    }

    private static boolean templateChanged(JsonObject lastApplied, JsonObject desired) {
        if (lastApplied == null) {
            return true;
        }
        return !Objects.equals(path(lastApplied, "spec", "template"), path(desired, "spec", "template"));
    }

    private static com.google.gson.JsonElement path(JsonObject o, String... keys) {
        com.google.gson.JsonElement cur = o;
        for (String k : keys) {
            if (cur == null || !cur.isJsonObject()) {
                return null;
            }
            cur = cur.getAsJsonObject().get(k);
        }
        return cur;
    }

    /**
     * Stores the manifest as applied in kubectl's last-applied annotation (see {@link ThreeWayMerge}), unless
     * it would make the annotations too large for the API server (256 KiB in total: apimachinery
     * pkg/api/validation/objectmeta.go TotalAnnotationSizeLimitB); such an object is then merged 2-way.
     */
    static void recordLastApplied(JsonObject json) {
        JsonObject meta = json.getAsJsonObject("metadata");
        JsonObject ann = meta.has("annotations") && meta.get("annotations").isJsonObject()
                ? meta.getAsJsonObject("annotations")
                : new JsonObject();
        ann.remove(ThreeWayMerge.LAST_APPLIED);
        String record = GSON.toJson(json);
        if (record.length() < MAX_RECORD) {
            ann.addProperty(ThreeWayMerge.LAST_APPLIED, record);
            meta.add("annotations", ann);
        }
    }

    /** The manifest without the run's labels and expiry: for objects that are not the plugin's. */
    private static JsonObject withoutRunMarks(JsonObject json) {
        JsonObject copy = json.deepCopy();
        JsonObject meta = copy.getAsJsonObject("metadata");
        if (meta.has("labels") && meta.get("labels").isJsonObject()) {
            JsonObject l = meta.getAsJsonObject("labels");
            l.remove(ManifestRenderer.MANAGED_BY);
            l.remove(ManifestRenderer.RUN);
            l.remove(ManifestRenderer.SERVICE);
        }
        if (meta.has("annotations") && meta.get("annotations").isJsonObject()) {
            meta.getAsJsonObject("annotations").remove(ManifestRenderer.EXPIRES);
            meta.getAsJsonObject("annotations").remove(ThreeWayMerge.LAST_APPLIED);
        }
        recordLastApplied(copy);
        return copy;
    }

    private void awaitEstablished(AppliedObject crd) {
        Discovery.APIResource r = api.resource(crd.apiVersion(), crd.kind());
        DynamicKubernetesApi dyn = api.api(r, crd.manifest().version());
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            KubernetesApiResponse<DynamicKubernetesObject> got =
                    api.call("read " + crd.describe(), () -> dyn.get(crd.name()));
            if (got.isSuccess() && Conditions.isTrue(got.getObject().getRaw(), "Established")) {
                return;
            }
            sleep(100);
        }
        throw new DeployException("CustomResourceDefinition " + crd.name() + " did not become Established in 60 s");
    }

    static Map<String, String> labels(DynamicKubernetesObject o) {
        Map<String, String> l = o.getMetadata() == null ? null : o.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    private static String labelOf(Manifest m, String key) {
        Object labels = m.metadata().get("labels");
        return labels instanceof Map<?, ?> l ? (String) l.get(key) : null;
    }

    static String statusMessage(KubernetesApiResponse<?> r) {
        return r.getStatus() != null && r.getStatus().getMessage() != null
                ? r.getStatus().getMessage()
                : "no details";
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeployException("interrupted");
        }
    }
}
