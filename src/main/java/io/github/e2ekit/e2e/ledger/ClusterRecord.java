package io.github.e2ekit.e2e.ledger;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The cluster: recorded before it is looked for (and maybe created), then confirmed created or reused. */
public final class ClusterRecord {
    private final Ledger ledger;

    ClusterRecord(Ledger ledger) {
        this.ledger = ledger;
    }

    /**
     * The cluster {@code name} is about to be found or created ({@code mayCreate}: false when the configuration
     * never creates one). A cluster already recorded by an earlier goal of the run stays as recorded.
     */
    public Recorded<ClusterEntry> intend(String name, String provider, boolean mayCreate) {
        ledger.update(d -> {
            if (d.cluster == null) {
                ClusterEntry c = new ClusterEntry();
                c.name = name;
                c.provider = provider;
                c.state = mayCreate ? EntryState.INTENDED : EntryState.REUSED;
                d.cluster = c;
            }
        });
        return new Recorded<>(ledger, ledger.read(d -> d.cluster), null);
    }

    /** Found or created ({@code created}), with its kubeconfig and nodes. */
    public static void ready(Recorded<ClusterEntry> r, boolean created, String kubeconfig, List<String> nodes) {
        Consumer<ClusterEntry> details = c -> {
            c.kubeconfig = kubeconfig;
            c.nodes = nodes == null ? null : List.copyOf(nodes);
        };
        if (created) {
            r.confirm(details);
        } else {
            r.reused(details);
        }
    }

    /** The recorded cluster, if any. */
    public Optional<Recorded<ClusterEntry>> recorded() {
        ClusterEntry c = ledger.read(d -> d.cluster);
        return c == null ? Optional.empty() : Optional.of(new Recorded<>(ledger, c, null));
    }
}
