package io.github.e2ekit.e2e.deploy;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.ObjectEntry;
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

/**
 * Applies rendered objects: create, or a JSON merge patch when the object exists (works on every
 * API server and on custom resources). Inside a stage, kinds go in dependency order; a CRD is
 * Established before objects of its kind follow. Every object is recorded in the ledger before it
 * is sent.
 */
public final class Applier {
    private static final List<String> ORDER = List.of("Namespace", "CustomResourceDefinition", "ServiceAccount",
            "ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding", "ConfigMap", "Secret",
            "PersistentVolumeClaim", "Service");
    private static final Gson GSON = new Gson();

    private final KubeApi api;
    private final Ledger ledger;

    public Applier(KubeApi api, Ledger ledger) {
        this.api = api;
        this.ledger = ledger;
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
        ObjectEntry entry = new ObjectEntry();
        entry.apiVersion = m.apiVersion();
        entry.kind = m.kind();
        entry.namespace = ns;
        entry.name = m.name();
        entry.state = EntryState.INTENDED;
        ledger.update(d -> d.objects.add(entry));
        JsonObject json = GSON.toJsonTree(m.object()).getAsJsonObject();
        KubernetesApiResponse<DynamicKubernetesObject> created = api.call("create " + m.describe(),
                () -> dyn.create(new DynamicKubernetesObject(json)));
        if (created.isSuccess()) {
            String uid = created.getObject().getMetadata().getUid();
            ledger.update(d -> {
                entry.uid = uid;
                entry.state = EntryState.CREATED;
            });
            return new AppliedObject(m.apiVersion(), m.kind(), ns, m.name(), uid, true, m);
        }
        if (created.getHttpStatusCode() != 409) {
            ledger.update(d -> d.objects.remove(entry));
            throw new DeployException(m.source() + ": " + m.describe() + " was refused (HTTP "
                    + created.getHttpStatusCode() + "): " + statusMessage(created));
        }
        KubernetesApiResponse<DynamicKubernetesObject> existing = api.call("read " + m.describe(),
                () -> finalNs == null ? dyn.get(m.name()) : dyn.get(finalNs, m.name()));
        boolean ours = existing.isSuccess() && ManifestRenderer.MANAGER.equals(labels(existing.getObject())
                .get(ManifestRenderer.MANAGED_BY)) && Objects.equals(labels(existing.getObject()).get(
                        ManifestRenderer.RUN), labelOf(m, ManifestRenderer.RUN));
        V1Patch patch = new V1Patch(GSON.toJson(json));
        KubernetesApiResponse<DynamicKubernetesObject> patched = api.call("patch " + m.describe(),
                () -> finalNs == null ? dyn.patch(m.name(), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, patch)
                        : dyn.patch(finalNs, m.name(), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, patch));
        if (!patched.isSuccess()) {
            ledger.update(d -> d.objects.remove(entry));
            throw new DeployException(m.source() + ": " + m.describe() + " exists and could not be patched (HTTP "
                    + patched.getHttpStatusCode() + "): " + statusMessage(patched));
        }
        String uid = patched.getObject().getMetadata().getUid();
        ledger.update(d -> {
            entry.uid = uid;
            entry.patched = !ours;
            entry.state = ours ? EntryState.CREATED : EntryState.REUSED;
        });
        return new AppliedObject(m.apiVersion(), m.kind(), ns, m.name(), uid, ours, m);
    }

    private void awaitEstablished(AppliedObject crd) {
        Discovery.APIResource r = api.resource(crd.apiVersion(), crd.kind());
        DynamicKubernetesApi dyn = api.api(r, crd.manifest().version());
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            KubernetesApiResponse<DynamicKubernetesObject> got = api.call("read " + crd.describe(),
                    () -> dyn.get(crd.name()));
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
        return r.getStatus() != null && r.getStatus().getMessage() != null ? r.getStatus().getMessage() : "no details";
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
