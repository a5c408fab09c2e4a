package io.github.e2ekit.e2e.ledger;

import java.util.Collection;
import java.util.Objects;

/** Facts of the run that are not resources (nothing to remove): freshness proofs and endpoints, for the run report. */
public final class FactRecords {
    private final Ledger ledger;

    FactRecords(Ledger ledger) {
        this.ledger = ledger;
    }

    /** Freshness proofs, in the order they were made; a later check of the same container replaces its proof. */
    public void proofs(Collection<ProofEntry> proofs) {
        if (proofs.isEmpty()) {
            return;
        }
        ledger.update(d -> {
            for (ProofEntry p : proofs) {
                d.proofs.removeIf(x -> Objects.equals(x.namespace, p.namespace)
                        && Objects.equals(x.pod, p.pod)
                        && Objects.equals(x.container, p.container));
                d.proofs.add(p);
            }
        });
    }

    /** The endpoint {@code name} is at {@code url}, given to the tests as {@code e2e.endpoint.<name>.url}. */
    public void endpoint(String name, String url, String via) {
        EndpointEntry e = new EndpointEntry();
        e.name = name;
        e.property = "e2e.endpoint." + name + ".url";
        e.url = url;
        e.via = via;
        ledger.update(d -> {
            d.endpoints.removeIf(x -> name.equals(x.name));
            d.endpoints.add(e);
        });
    }

    /** With reuse: what deploy did with the kept environment ({@code new|reused|rolled|reapplied|rebuilt}) and why. */
    public void environment(String state, String reason, String key) {
        ledger.update(d -> {
            d.environment = state;
            d.environmentReason = reason;
            d.environmentKey = key;
        });
    }
}
