package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.deploy.AppliedObject;
import io.github.e2ekit.e2e.deploy.Deletions;
import io.github.e2ekit.e2e.deploy.DeployException;
import io.github.e2ekit.e2e.deploy.DeployPlan;
import io.github.e2ekit.e2e.deploy.Deployer;
import io.github.e2ekit.e2e.deploy.FreshnessCheck;
import io.github.e2ekit.e2e.deploy.ImageBinding;
import io.github.e2ekit.e2e.deploy.KubeApi;
import io.github.e2ekit.e2e.deploy.ManifestRenderer;
import io.github.e2ekit.e2e.deploy.NodeDigests;
import io.github.e2ekit.e2e.deploy.ReadinessWait;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.ObjectEntry;
import io.github.e2ekit.e2e.ledger.Recorded;
import io.github.e2ekit.e2e.run.ReuseDecision.Environment;
import io.github.e2ekit.e2e.run.ReuseDecision.NamespaceState;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.models.V1Namespace;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code <reuse>} at deploy: finds the environment an earlier run of this project kept (its record in the
 * {@link ReuseStore}), decides what to do with it ({@link ReuseDecision}) and does it — skip the apply and the waits
 * after a readiness and freshness check, re-apply (3-way merge: only workloads whose pod template changed roll), or
 * remove the namespace and deploy anew — then records the environment's inputs for the next run.
 */
public final class Reuse {
    /** The label on a kept environment's namespace: its key's hash. */
    public static final String KEY_LABEL = "e2ekit.io/reuse";
    /** How long a reused environment's workloads are given to show they are ready. */
    static final Duration READY_CHECK = Duration.ofSeconds(30);

    private final Run run;
    private final KubeApi api;
    private final EnvironmentKey key;
    private final ReuseStore store;
    private final ReuseRecord record;

    Reuse(Run run, KubeApi api, EnvironmentKey key, ReuseStore store) {
        this.run = run;
        this.api = api;
        this.key = key;
        this.store = store;
        this.record = store.find(key).orElse(null);
    }

    /** The environment of this module on the cluster {@code api} reaches. */
    static Reuse of(Run run, KubeApi api, String cluster) {
        EnvironmentKey key =
                EnvironmentKey.of(run.config().service(), run.config().basedir(), cluster, api.server());
        return new Reuse(run, api, key, store(run));
    }

    static ReuseStore store(Run run) {
        return ReuseStore.forUser(System.getenv(), System.getProperty("user.home"), run.files());
    }

    public EnvironmentKey key() {
        return key;
    }

    /** What {@code <namespace>}'s default is made from instead of the run id: the key, so it is the same next run. */
    String namespaceSeed() {
        return key.hash().substring(0, 8);
    }

    /**
     * {@code <namespace>} given and reuse on: a namespace that exists, is not this environment's and holds objects
     * this plugin did not create is refused before anything is applied (reuse would keep and later remove them).
     */
    void refuseForeignNamespace(String ns) throws ConfigException {
        Optional<V1Namespace> found = api.readNamespace(ns);
        if (found.isEmpty() || key.hash().equals(label(found.get(), KEY_LABEL))) {
            return;
        }
        String foreign = ForeignObjects.first(api, ns);
        if (foreign != null) {
            throw new ConfigException(
                    "namespace",
                    "'" + ns + "' holds objects this plugin did not create (" + foreign
                            + "): <reuse> keeps and later removes its namespace's content, so it needs a namespace of its own;"
                            + " set another <namespace>, or leave it empty");
        }
    }

    /**
     * Deploys into the kept environment: decides, then either checks and reuses it as it is, or runs {@code apply}
     * (the normal deploy into the namespace, which exists unless rebuilt).
     */
    Deployer.Result deploy(
            DeployPlan plan,
            ManifestRenderer renderer,
            List<ImageBinding> bindings,
            NodeDigests nodes,
            String expires,
            Supplier<Deployer.Result> apply) {
        RunLog log = run.log();
        String ns = plan.namespace();
        ReuseDecision.Inputs inputs = new ReuseDecision.Inputs(
                ns,
                imageIds(bindings),
                ManifestsHash.of(plan, renderer, bindings, run.id(), expires),
                PluginVersion.get());
        NamespaceState state = namespaceState(ns);
        if (record != null && !ns.equals(record.namespace)) {
            removeNamespace(record.namespace); // <namespace> changed: the kept one goes (only if it is ours)
        }
        ReuseDecision decision = ReuseDecision.decide(key, record, inputs, state);
        Deployer.Result result = null;
        if (decision.environment() == Environment.REUSED) {
            try {
                result = check(plan, bindings, nodes);
            } catch (DeployException e) {
                decision =
                        ReuseDecision.rebuild(e.getMessage().lines().findFirst().orElse("not ready"));
            }
        }
        if (decision.environment() == Environment.REBUILT) {
            log.warn("reuse: rebuilding the environment in namespace " + ns + ": " + decision.reason());
            if (state == NamespaceState.OURS || state == NamespaceState.TERMINATING) {
                removeNamespace(ns);
            }
        } else {
            log.info("reuse: environment " + decision.environment().word() + " (namespace " + ns + ")"
                    + (decision.reason() == null ? "" : ": " + decision.reason()));
        }
        if (result == null) {
            result = apply.get();
        }
        refreshNamespace(ns, expires);
        remember(ns, inputs, decision.environment() == Environment.REUSED ? null : result.applied());
        run.ledger().facts().environment(decision.environment().word(), decision.reason(), key.hash());
        return result;
    }

    /** The kept environment as it is: its workloads ready, its pods running this run's images. */
    private Deployer.Result check(DeployPlan plan, List<ImageBinding> bindings, NodeDigests nodes) {
        List<AppliedObject> kept = record.objects.stream()
                .map(o -> AppliedObject.recorded(
                        o.apiVersion, o.kind, o.namespace, o.name, o.uid, false, "kept environment"))
                .toList();
        Duration wait = plan.timeout().compareTo(READY_CHECK) < 0 ? plan.timeout() : READY_CHECK;
        new ReadinessWait(api, run.log()::debug, plan.heal()).await(kept, wait);
        List<FreshnessCheck.Fresh> fresh =
                new FreshnessCheck(api, nodes).recordingProofs(run.ledger()).check(plan.namespace(), bindings);
        return new Deployer.Result(kept, fresh, false);
    }

    private NamespaceState namespaceState(String ns) {
        Optional<V1Namespace> found = api.readNamespace(ns);
        if (found.isEmpty()) {
            return NamespaceState.ABSENT;
        }
        if (found.get().getMetadata().getDeletionTimestamp() != null) {
            return NamespaceState.TERMINATING;
        }
        return key.hash().equals(label(found.get(), KEY_LABEL)) ? NamespaceState.OURS : NamespaceState.OTHER;
    }

    /**
     * Removes the kept namespace (only when it carries this environment's label) and waits until it is gone; the kept
     * ledgers' entries for it and what was in it are marked removed, cluster-scoped objects and images stay theirs.
     */
    private void removeNamespace(String ns) {
        Deletions deletions = new Deletions(api);
        V1Namespace found = api.readNamespace(ns).orElse(null);
        if (found != null && key.hash().equals(label(found, KEY_LABEL))) {
            String uid = found.getMetadata().getUid();
            if (found.getMetadata().getDeletionTimestamp() == null) {
                deletions.delete("v1", "Namespace", null, ns, uid, "Background");
            }
            String stuck = deletions.awaitGone("v1", "Namespace", null, ns, uid, Duration.ofSeconds(120));
            if (stuck != null) {
                throw new DeployException(
                        "namespace",
                        "reuse: the kept namespace " + ns + " did not go: " + stuck
                                + " (run 'mvn e2e:down', or set another <namespace>)");
            }
        }
        for (java.nio.file.Path file : store.ledgers(store.directory(key))) {
            Ledger kept = Ledger.open(file, run.files());
            for (Recorded<ObjectEntry> o : kept.objects().live()) {
                if (o.read(e -> ns.equals(e.namespace)
                        || e.namespace == null && "Namespace".equals(e.kind) && ns.equals(e.name))) {
                    o.removed();
                }
            }
        }
    }

    /** Labels the namespace with the key and pushes its expiry on (only a namespace this plugin created). */
    private void refreshNamespace(String ns, String expires) {
        V1Namespace found = api.readNamespace(ns).orElse(null);
        if (found == null || !ManifestRenderer.MANAGER.equals(label(found, ManifestRenderer.MANAGED_BY))) {
            return;
        }
        String body = "{\"metadata\":{\"labels\":{\"" + KEY_LABEL + "\":\"" + key.hash() + "\"},\"annotations\":{\""
                + ManifestRenderer.EXPIRES + "\":\"" + expires + "\"}}}";
        var dyn = api.api(api.resource("v1", "Namespace"), "v1");
        var answer = api.call(
                "patch Namespace/" + ns, () -> dyn.patch(ns, V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, new V1Patch(body)));
        if (!answer.isSuccess()) {
            throw new DeployException(
                    "namespace", "reuse: cannot label namespace " + ns + ": HTTP " + answer.getHttpStatusCode());
        }
    }

    private void remember(String ns, ReuseDecision.Inputs inputs, List<AppliedObject> applied) {
        ReuseRecord r = new ReuseRecord();
        r.service = key.service();
        r.basedir = key.basedir();
        r.cluster = key.cluster();
        r.server = key.server();
        r.namespace = ns;
        r.run = record != null && applied == null ? record.run : run.id();
        r.pluginVersion = inputs.pluginVersion();
        r.images = new LinkedHashMap<>(inputs.images());
        r.manifestsHash = inputs.manifestsHash();
        r.kubeconfig = run.ledger().read(d -> d.cluster == null ? null : d.cluster.kubeconfig);
        r.updated = Instant.now().toString();
        if (applied == null) {
            r.objects = record.objects;
        } else {
            r.objects = new ArrayList<>();
            for (AppliedObject a : applied) {
                ReuseRecord.Kept k = new ReuseRecord.Kept();
                k.apiVersion = a.apiVersion();
                k.kind = a.kind();
                k.namespace = a.namespace();
                k.name = a.name();
                k.uid = a.uid();
                r.objects.add(k);
            }
        }
        store.save(r);
    }

    private static Map<String, String> imageIds(List<ImageBinding> bindings) {
        Map<String, String> out = new LinkedHashMap<>();
        bindings.forEach(b -> out.put(b.id(), b.pushedDigest() != null ? b.pushedDigest() : b.imageId()));
        return out;
    }

    private static String label(V1Namespace ns, String key) {
        Map<String, String> labels = ns.getMetadata().getLabels();
        return labels == null ? null : labels.get(key);
    }
}
