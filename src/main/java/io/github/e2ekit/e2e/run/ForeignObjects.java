package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.deploy.ManifestRenderer;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds an object in a namespace that this plugin did not create (no {@code managed-by} label of ours), among the
 * kinds an application's namespace holds; what Kubernetes itself puts into every namespace does not count.
 */
final class ForeignObjects {
    /** apiVersion, kind of the kinds looked at. */
    private static final List<String[]> KINDS = List.of(
            new String[] {"v1", "Pod"},
            new String[] {"v1", "Service"},
            new String[] {"v1", "ConfigMap"},
            new String[] {"v1", "Secret"},
            new String[] {"v1", "PersistentVolumeClaim"},
            new String[] {"apps/v1", "Deployment"},
            new String[] {"apps/v1", "StatefulSet"},
            new String[] {"apps/v1", "DaemonSet"},
            new String[] {"batch/v1", "Job"});
    /** kube-controller-manager's root CA publisher puts this ConfigMap into every namespace. */
    private static final Set<String> PUT_BY_KUBERNETES = Set.of("ConfigMap/kube-root-ca.crt");

    private ForeignObjects() {}

    /** {@code Kind/name} of the first object not made by this plugin, or null. */
    static String first(KubeApi api, String namespace) {
        for (String[] k : KINDS) {
            var r = api.resource(k[0], k[1]);
            String version = k[0].contains("/") ? k[0].substring(k[0].indexOf('/') + 1) : k[0];
            var answer = api.call(
                    "list " + k[1] + "s in " + namespace,
                    () -> api.api(r, version).list(namespace));
            if (!answer.isSuccess() || answer.getObject() == null) {
                continue;
            }
            for (var o : answer.getObject().getItems()) {
                String name = k[1] + "/" + o.getMetadata().getName();
                Map<String, String> labels = o.getMetadata().getLabels();
                boolean ours =
                        labels != null && ManifestRenderer.MANAGER.equals(labels.get(ManifestRenderer.MANAGED_BY));
                boolean owned = o.getMetadata().getOwnerReferences() != null
                        && !o.getMetadata().getOwnerReferences().isEmpty();
                boolean serviceAccountToken = "Secret".equals(k[1])
                        && o.getRaw().has("type")
                        && "kubernetes.io/service-account-token"
                                .equals(o.getRaw().get("type").getAsString());
                if (!ours && !owned && !serviceAccountToken && !PUT_BY_KUBERNETES.contains(name)) {
                    return name;
                }
            }
        }
        return null;
    }
}
