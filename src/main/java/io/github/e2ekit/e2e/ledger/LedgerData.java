package io.github.e2ekit.e2e.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What the ledger file holds. Public fields: this is a plain JSON document. */
public final class LedgerData {
    public String run;
    public String service;
    public String started;
    public List<ImageEntry> images = new ArrayList<>();
    public List<NodeImageEntry> nodeImages = new ArrayList<>();
    public List<PushEntry> pushes = new ArrayList<>();
    public ClusterEntry cluster;
    public List<ObjectEntry> objects = new ArrayList<>();
    public List<PortForwardEntry> portForwards = new ArrayList<>();
    /** Freshness proofs (added in 0.1: absent in older ledgers, read as empty). */
    public List<ProofEntry> proofs = new ArrayList<>();
    /** Endpoints handed to the tests (added in 0.1: absent in older ledgers, read as empty). */
    public List<EndpointEntry> endpoints = new ArrayList<>();
    /** With reuse: what deploy did with the kept environment (new, reused, rolled, reapplied, rebuilt), and why. */
    public String environment;

    public String environmentReason;
    /** With reuse: the hash of the kept environment's key (where its record is). */
    public String environmentKey;
    /** With reuse: where this run's entries went when its environment was kept (they are not live here then). */
    public String keptFor;

    public Optional<ImageEntry> image(String id) {
        return images.stream().filter(i -> Objects.equals(i.id, id)).findFirst();
    }

    /** The successful push of an image, if {@code load.mode=registry} pushed it. */
    public Optional<PushEntry> push(String id) {
        return pushes.stream()
                .filter(p -> Objects.equals(p.id, id) && p.digest != null)
                .reduce((a, b) -> b);
    }

    /** Whether anything recorded here may still exist. */
    public boolean hasLiveEntries() {
        return keptFor == null
                && (images.stream().anyMatch(e -> e.state.live())
                        || nodeImages.stream().anyMatch(e -> e.state.live())
                        || pushes.stream().anyMatch(e -> e.state.live())
                        || (cluster != null && cluster.state.live())
                        || objects.stream().anyMatch(e -> e.state.live())
                        || portForwards.stream().anyMatch(e -> e.state.live()));
    }
}
