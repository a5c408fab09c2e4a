package io.github.e2ekit.e2e.deploy;

import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.ledger.ObjectEntry;
import io.github.e2ekit.e2e.ledger.ObjectRecords;
import io.github.e2ekit.e2e.ledger.Recorded;
import io.kubernetes.client.openapi.models.V1Namespace;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** The run's namespace: named, validated, created and labelled by us, or an existing one we never delete. */
public final class Namespaces {
    public static final Set<String> SYSTEM = Set.of("kube-system", "kube-public", "kube-node-lease");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private Namespaces() {}

    /** The default name {@code e2e-<service>-<run>}, made a valid DNS label. */
    public static String defaultName(String service, String run) {
        String s = ("e2e-" + service + "-" + run).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        if (s.length() > 63) {
            s = "e2e-" + s.substring(4, 63 - run.length() - 5) + "-" + run;
        }
        return s.replaceAll("-+", "-");
    }

    /** Checks a user-given namespace; throws naming {@code <namespace>}. */
    public static void validate(String namespace) {
        if (SYSTEM.contains(namespace)) {
            throw new DeployException(
                    "namespace",
                    "'" + namespace + "' is a system namespace; the E2E environment"
                            + " must not deploy into it (leave <namespace> empty for a fresh one per run)");
        }
        if (namespace.length() > 63 || !DNS_LABEL.matcher(namespace).matches()) {
            throw new DeployException(
                    "namespace",
                    "'" + namespace + "' is not a valid namespace name (lower-case"
                            + " letters, digits and '-', at most 63)");
        }
    }

    /** How long a namespace of the same name that is still being deleted (a previous run's) is waited for. */
    static final Duration TERMINATING_WAIT = Duration.ofSeconds(120);

    /**
     * Creates the namespace unless it exists; records it in the ledger only when this run created it. A namespace
     * of that name that is still Terminating (a previous run's teardown) answers 409 on a real API server: it is
     * waited for, bounded, and then created. A 409 for a namespace carrying this run's label (a create whose answer
     * was lost and that the retry policy sent again) is this run's: recorded as created, so teardown removes it.
     */
    public static boolean ensure(
            KubeApi api, Ledger ledger, String namespace, Map<String, String> labels, Map<String, String> annotations) {
        Recorded<ObjectEntry> entry = ledger.objects().intend("v1", "Namespace", null, namespace);
        for (int attempt = 0; ; attempt++) {
            try {
                V1Namespace created = api.createNamespace(namespace, labels, annotations);
                ObjectRecords.created(entry, created.getMetadata().getUid());
                return true;
            } catch (KubeApiException e) {
                if (e.code() != 409) {
                    if (!e.mayHaveBeenDone()) {
                        entry.forget(); // refused or never sent: it does not exist
                    } // else it stays INTENDED: an attempt whose answer was lost may have created it
                    throw e;
                }
                V1Namespace existing;
                try {
                    existing = api.readNamespace(namespace).orElse(null);
                } catch (KubeApiException readFailed) {
                    entry.forget();
                    throw readFailed;
                }
                boolean terminating = existing != null && existing.getMetadata().getDeletionTimestamp() != null;
                if (terminating && attempt == 0) {
                    String stuck = new Deletions(api)
                            .awaitGone(
                                    "v1",
                                    "Namespace",
                                    null,
                                    namespace,
                                    existing.getMetadata().getUid(),
                                    TERMINATING_WAIT);
                    if (stuck != null) {
                        entry.forget();
                        throw new DeployException(
                                "namespace",
                                "namespace " + namespace + " is being deleted" + " and did not go: " + stuck
                                        + " (or set another <namespace>)");
                    }
                    continue;
                }
                if (existing == null && attempt == 0) {
                    continue; // it went between our create and our read
                }
                if (existing != null && !terminating && createdByThisRun(existing, labels)) {
                    ObjectRecords.created(entry, existing.getMetadata().getUid());
                    return true;
                }
                ObjectRecords.existed(entry, null);
                return false;
            }
        }
    }

    /** Whether {@code existing} carries this run's label: only this run writes it on a namespace. */
    private static boolean createdByThisRun(V1Namespace existing, Map<String, String> labels) {
        String run = labels == null ? null : labels.get(ManifestRenderer.RUN);
        Map<String, String> live = existing.getMetadata().getLabels();
        return run != null && live != null && Objects.equals(run, live.get(ManifestRenderer.RUN));
    }
}
