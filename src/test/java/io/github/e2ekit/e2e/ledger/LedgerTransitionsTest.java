package io.github.e2ekit.e2e.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Record before create: each named transition is on disk before it returns, for a later invocation's teardown. */
class LedgerTransitionsTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("ledger.json");
    }

    private LedgerData onDisk() {
        return Ledger.open(file()).read(d -> d);
    }

    @Test
    void anIntendedObjectIsOnDiskAndLiveBeforeItIsCreated() {
        Ledger ledger = Ledger.start(file(), "r1", "svc");
        Recorded<ObjectEntry> ns = ledger.objects().intend("v1", "Namespace", null, "e2e-svc-r1");
        assertThat(onDisk().objects).singleElement().satisfies(o -> {
            assertThat(o.state).isEqualTo(EntryState.INTENDED);
            assertThat(o.name).isEqualTo("e2e-svc-r1");
        });
        assertThat(onDisk().hasLiveEntries()).isTrue();
        ObjectRecords.created(ns, "uid-1");
        assertThat(onDisk().objects.get(0).uid).isEqualTo("uid-1");
        assertThat(onDisk().objects.get(0).state).isEqualTo(EntryState.CREATED);
        ns.removed();
        assertThat(onDisk().hasLiveEntries()).isFalse();
    }

    @Test
    void anObjectThatExistedIsRecordedAsPatchedAndNeverLive() {
        Ledger ledger = Ledger.start(file(), "r1", "svc");
        ObjectRecords.existed(ledger.objects().intend("v1", "Namespace", null, "shared"), null);
        assertThat(onDisk().objects.get(0).patched).isTrue();
        assertThat(onDisk().objects.get(0).state).isEqualTo(EntryState.REUSED);
        assertThat(ledger.objects().live()).isEmpty();
    }

    @Test
    void aRefusedCreateForgetsItsEntry() {
        Ledger ledger = Ledger.start(file(), "r1", "svc");
        ledger.objects().intend("apps/v1", "Deployment", "ns", "app").forget();
        assertThat(onDisk().objects).isEmpty();
    }

    @Test
    void phaseZeroReplacesAnEarlierDecisionForTheSameImageAndTheBuildSettlesIt() {
        Ledger ledger = Ledger.start(file(), "r1", "svc");
        ledger.images().intend("app", "x/app:t0", "t0", "d0", null, "2026-12-06T00:00:00Z");
        ledger.images().intend("app", "x/app:t1", "t1", "d1", "abc", "2026-12-06T00:00:00Z");
        ledger.images().intend("db", "x/db:t1", "t1", "d2", null, "2026-12-06T00:00:00Z");
        assertThat(onDisk().images).extracting(e -> e.reference).containsExactly("x/app:t1", "x/db:t1");
        ledger.images().built("app", "sha256:aa");
        ledger.images().upToDate("db", "sha256:bb");
        LedgerData d = onDisk();
        assertThat(d.image("app").orElseThrow().state).isEqualTo(EntryState.CREATED);
        assertThat(d.image("app").orElseThrow().built).isTrue();
        assertThat(d.image("db").orElseThrow().state).isEqualTo(EntryState.REUSED);
        assertThat(d.image("db").orElseThrow().built).isFalse();
        assertThat(ledger.images().live()).extracting(r -> r.read(e -> e.id)).containsExactly("app");
    }

    @Test
    void aNodeImportIsConfirmedWithItsSideReferencesAndAPresentImageIsNeverRemoved() {
        Ledger ledger = Ledger.start(file(), "r1", "svc");
        Recorded<NodeImageEntry> n1 =
                ledger.nodeImages().intend("c", "c-control-plane", "x/app:t1", "sha256:aa", "imported");
        assertThat(onDisk().nodeImages.get(0).state).isEqualTo(EntryState.INTENDED);
        n1.confirm(e -> e.sideReferences = List.of("import-2026-12-06@sha256:cc"));
        ledger.nodeImages().present("c", "c-worker", "x/app:t1", "sha256:aa");
        LedgerData d = onDisk();
        assertThat(d.nodeImages)
                .extracting(e -> e.node + " " + e.action + " " + e.state)
                .containsExactly("c-control-plane imported CREATED", "c-worker present REUSED");
        assertThat(d.nodeImages.get(0).sideReferences).containsExactly("import-2026-12-06@sha256:cc");
        assertThat(ledger.nodeImages().live()).hasSize(1);
    }

    @Test
    void aPushRecordsItsLocalTagBeforeMakingItAndItsDigestOnceTaken() {
        Ledger ledger = Ledger.start(file(), "r1", "svc");
        Recorded<PushEntry> p =
                ledger.pushes().intend("app", "127.0.0.1:5000/e2e", "127.0.0.1:5000/e2e/app:t1", "sha256:aa");
        assertThat(onDisk().pushes.get(0).state).isEqualTo(EntryState.INTENDED);
        p.confirm();
        PushRecords.pushed(p, "sha256:dd");
        assertThat(onDisk().push("app").orElseThrow().pinned()).isEqualTo("127.0.0.1:5000/e2e/app:t1@sha256:dd");
        ledger.pushes().reuse("db", "127.0.0.1:5000/e2e", "127.0.0.1:5000/e2e/db:t1", "sha256:bb");
        assertThat(onDisk().pushes.get(1).state).isEqualTo(EntryState.REUSED);
    }

    @Test
    void theClusterIsRecordedOnceAndSettledWithItsKubeconfigAndNodes() {
        Ledger ledger = Ledger.start(file(), "r1", "svc");
        Recorded<ClusterEntry> c = ledger.cluster().intend("kind-x", "docker", true);
        assertThat(onDisk().cluster.state).isEqualTo(EntryState.INTENDED);
        ClusterRecord.ready(c, true, "/tmp/kubeconfig", List.of("kind-x-control-plane"));
        Recorded<ClusterEntry> again = ledger.cluster().intend("other", "podman", false);
        String kept = again.read(e -> e.name);
        assertThat(kept).isEqualTo("kind-x");
        LedgerData d = onDisk();
        assertThat(d.cluster.state).isEqualTo(EntryState.CREATED);
        assertThat(d.cluster.kubeconfig).isEqualTo("/tmp/kubeconfig");
        assertThat(d.cluster.nodes).containsExactly("kind-x-control-plane");
    }

    @Test
    void aClusterThatIsNeverCreatedIsRecordedAsReused() {
        Ledger ledger = Ledger.start(file(), "r1", "svc");
        ledger.cluster().intend("kind-x", "docker", false);
        assertThat(onDisk().cluster.state).isEqualTo(EntryState.REUSED);
        assertThat(onDisk().hasLiveEntries()).isFalse();
    }

    @Test
    void factsAreKeptOncePerContainerAndEndpoint() {
        Ledger ledger = Ledger.start(file(), "r1", "svc");
        ProofEntry first = new ProofEntry();
        first.namespace = "ns";
        first.pod = "p";
        first.container = "main";
        first.verdict = ProofEntry.STALE;
        ProofEntry again = new ProofEntry();
        again.namespace = "ns";
        again.pod = "p";
        again.container = "main";
        again.verdict = ProofEntry.FRESH;
        ledger.facts().proofs(List.of(first));
        ledger.facts().proofs(List.of(again));
        ledger.facts().endpoint("api", "http://127.0.0.1:1", "NodePort");
        ledger.facts().endpoint("api", "http://127.0.0.1:2", "port-forward to pod p");
        LedgerData d = onDisk();
        assertThat(d.proofs).extracting(p -> p.verdict).containsExactly(ProofEntry.FRESH);
        assertThat(d.endpoints).singleElement().satisfies(e -> {
            assertThat(e.url).isEqualTo("http://127.0.0.1:2");
            assertThat(e.property).isEqualTo("e2e.endpoint.api.url");
        });
        assertThat(d.hasLiveEntries()).isFalse();
    }
}
