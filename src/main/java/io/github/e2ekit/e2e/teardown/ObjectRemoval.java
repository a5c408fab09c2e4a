package io.github.e2ekit.e2e.teardown;

import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.ObjectEntry;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Preconditions;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.DeleteOptions;
import java.time.Duration;
import java.util.List;

/**
 * Removes the Kubernetes objects this run created: its namespace (waited for, bounded), else each
 * object by UID precondition, then cluster-scoped objects. Objects that existed before and were only
 * patched are never deleted; nor is a namespace this run did not create.
 */
final class ObjectRemoval {
    private static final Duration NAMESPACE_WAIT = Duration.ofSeconds(60);
    private final KubeApi api;
    private final Ledger ledger;

    ObjectRemoval(KubeApi api, Ledger ledger) {
        this.api = api;
        this.ledger = ledger;
    }

    void run(TeardownReport report) {
        List<ObjectEntry> live = ledger.read(d -> d.objects.stream().filter(o -> o.state.live() && !o.patched).toList());
        List<ObjectEntry> namespaces = live.stream().filter(o -> "Namespace".equals(o.kind)).toList();
        List<String> ownNamespaces = namespaces.stream().map(o -> o.name).toList();
        // objects inside a namespace this run created go with it
        for (ObjectEntry o : live) {
            if (o.namespace != null && !ownNamespaces.contains(o.namespace)) {
                delete(o, report);
            }
        }
        for (ObjectEntry ns : namespaces) {
            if (delete(ns, report)) {
                awaitGone(ns, report);
                ledger.update(d -> d.objects.stream().filter(o -> ns.name.equals(o.namespace) && o.state.live())
                        .forEach(o -> o.state = EntryState.REMOVED));
            }
        }
        for (ObjectEntry o : live) {
            if (o.namespace == null && !"Namespace".equals(o.kind)) {
                delete(o, report);
            }
        }
    }

    private boolean delete(ObjectEntry o, TeardownReport report) {
        String what = o.kind + "/" + o.name + (o.namespace == null ? "" : " in " + o.namespace);
        try {
            var r = api.resource(o.apiVersion, o.kind);
            String version = o.apiVersion.contains("/") ? o.apiVersion.substring(o.apiVersion.indexOf('/') + 1) : o.apiVersion;
            var dyn = api.api(r, version);
            DeleteOptions opts = new DeleteOptions();
            if (o.uid != null) {
                opts.setPreconditions(new V1Preconditions().uid(o.uid));
            }
            opts.setPropagationPolicy("Background");
            KubernetesApiResponse<DynamicKubernetesObject> resp = api.call("delete " + what,
                    () -> o.namespace == null ? dyn.delete(o.name, opts) : dyn.delete(o.namespace, o.name, opts));
            int code = resp.getHttpStatusCode();
            if (resp.isSuccess() || code == 404) {
                ledger.update(d -> o.state = EntryState.REMOVED);
                if (resp.isSuccess()) {
                    report.removed(what);
                }
                return resp.isSuccess();
            }
            if (code == 409) { // the UID differs: someone else's object now carries the name
                ledger.update(d -> o.state = EntryState.REUSED);
                report.kept(what + " (replaced by another object since; not ours)");
                return false;
            }
            report.failed(what + ": HTTP " + code);
        } catch (RuntimeException e) {
            report.failed(what + ": " + e.getMessage());
        }
        return false;
    }

    private void awaitGone(ObjectEntry ns, TeardownReport report) {
        var core = new CoreV1Api(api.client());
        long deadline = System.nanoTime() + NAMESPACE_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                core.readNamespace(ns.name).execute();
            } catch (ApiException e) {
                if (e.getCode() == 404) {
                    return;
                }
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        report.failed("namespace " + ns.name + " still terminating after " + NAMESPACE_WAIT.toSeconds() + " s");
    }
}
