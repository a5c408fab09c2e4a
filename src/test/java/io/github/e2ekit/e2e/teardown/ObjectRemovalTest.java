package io.github.e2ekit.e2e.teardown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.deploy.Applier;
import io.github.e2ekit.e2e.deploy.Manifest;
import io.github.e2ekit.e2e.deploy.ManifestRenderer;
import io.github.e2ekit.e2e.deploy.Namespaces;
import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.testbed.kube.FakeApiServerTestBase;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.util.PatchUtils;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Teardown and reap against an API server whose deletions are asynchronous (the test bed's, which copies
 * kubernetes' namespace controller and finalizers): nothing is marked removed while it still exists.
 */
class ObjectRemovalTest extends FakeApiServerTestBase {

    @Test
    void namespaceHeldByAFinalizerIsWaitedForAndMarkedRemovedOnlyOnceGone() throws Exception {
        String ns = "rm-held-" + SEQ.incrementAndGet();
        Ledger ledger = runWithHeldConfigMap("r1", ns, "held", "testbed.e2ekit.io/hold-2s");

        TeardownReport report = new TeardownReport();
        long start = System.nanoTime();
        new ObjectRemoval(api, ledger, Duration.ofSeconds(30)).run(report);

        // the hold counts from the deletionTimestamp, which (RFC 3339, whole seconds) may be up to 1 s earlier
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("waited for the finalizer")
                .isGreaterThan(Duration.ofMillis(1000));
        assertThat(report.failures()).isEmpty();
        assertThat(report.removed()).contains("Namespace/" + ns);
        assertGoneAndMarkedRemoved(ns, ledger);
    }

    @Test
    void aStuckNamespaceIsReportedWithWhatHoldsItAndStaysInTheLedger() throws Exception {
        String ns = "rm-stuck-" + SEQ.incrementAndGet();
        Ledger ledger = runWithHeldConfigMap("r2", ns, "stuck", "example.com/never");

        TeardownReport report = new TeardownReport();
        new ObjectRemoval(api, ledger, Duration.ofSeconds(2)).run(report);

        assertThat(report.removed()).doesNotContain("Namespace/" + ns);
        assertThat(report.failures())
                .singleElement()
                .asString()
                .contains("Namespace/" + ns, "Terminating", "example.com/never", "configmaps");
        EntryState nsState = ledger.read(d -> d.objects.stream()
                .filter(o -> o.kind.equals("Namespace"))
                .findFirst()
                .orElseThrow()
                .state);
        assertThat(nsState).isEqualTo(EntryState.CREATED);

        release(ns, "stuck");
        TeardownReport again = new TeardownReport();
        new ObjectRemoval(api, ledger, Duration.ofSeconds(30)).run(again);
        assertThat(again.failures()).isEmpty();
        assertGoneAndMarkedRemoved(ns, ledger);
    }

    @Test
    void aFixedNamespaceStillTerminatingIsWaitedForBeforeItIsCreatedAgain() throws Exception {
        String ns = "rm-again-" + SEQ.incrementAndGet();
        core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(ns)))
                .execute();
        core.createNamespacedConfigMap(
                        ns,
                        new V1ConfigMap()
                                .metadata(new V1ObjectMeta()
                                        .name("held")
                                        .finalizers(List.of("testbed.e2ekit.io/hold-2s"))))
                .execute();
        core.deleteNamespace(ns).execute();

        Ledger ledger = Ledger.start(dir.resolve("ledger.json"), "r3", "svc");
        boolean created = Namespaces.ensure(api, ledger, ns, ManifestRenderer.runLabels("r3", "svc"), Map.of());

        assertThat(created).isTrue();
        V1Namespace now = core.readNamespace(ns).execute();
        assertThat(now.getMetadata().getDeletionTimestamp()).isNull();
        assertThat(now.getMetadata().getLabels()).containsEntry(ManifestRenderer.RUN, "r3");
    }

    @Test
    void theReaperGoesOnPastAStuckNamespace() throws Exception {
        String stuck = "rm-reap-stuck-" + SEQ.incrementAndGet();
        String fine = "rm-reap-fine-" + SEQ.incrementAndGet();
        for (String ns : List.of(stuck, fine)) {
            core.createNamespace(new V1Namespace()
                            .metadata(new V1ObjectMeta()
                                    .name(ns)
                                    .labels(ManifestRenderer.runLabels("old", "svc"))
                                    .annotations(Map.of(ManifestRenderer.EXPIRES, "2001-01-01T00:00:00Z"))))
                    .execute();
        }
        core.createNamespacedConfigMap(
                        stuck,
                        new V1ConfigMap()
                                .metadata(new V1ObjectMeta().name("x").finalizers(List.of("example.com/never"))))
                .execute();

        TeardownReport report = new TeardownReport();
        new Reaper(null, api, Instant.parse("2001-01-01T00:00:01Z"))
                .withNamespaceWait(Duration.ofSeconds(3))
                .namespaces(false, report);

        assertThat(report.removed()).contains("namespace " + fine).doesNotContain("namespace " + stuck);
        assertThat(report.failures()).singleElement().asString().contains(stuck, "example.com/never");
        assertThat(readNamespaceCode(fine)).isEqualTo(404);
        release(stuck, "x");
    }

    /** A run's ledger, after the run made namespace {@code ns} and in it a ConfigMap held by {@code finalizer}. */
    private Ledger runWithHeldConfigMap(String run, String ns, String configMap, String finalizer) {
        Ledger ledger = Ledger.start(dir.resolve("ledger.json"), run, "svc");
        Namespaces.ensure(api, ledger, ns, ManifestRenderer.runLabels(run, "svc"), Map.of());
        new Applier(api, ledger).apply(configMap(configMap, finalizer), ns);
        return ledger;
    }

    private static void assertGoneAndMarkedRemoved(String ns, Ledger ledger) {
        assertThat(readNamespaceCode(ns)).isEqualTo(404);
        List<EntryState> states =
                ledger.read(d -> d.objects.stream().map(o -> o.state).toList());
        assertThat(states).containsOnly(EntryState.REMOVED);
    }

    private static void release(String ns, String configMap) throws ApiException {
        PatchUtils.patch(
                V1ConfigMap.class,
                () -> core.patchNamespacedConfigMap(configMap, ns, new V1Patch("{\"metadata\":{\"finalizers\":null}}"))
                        .buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
                kube.client());
    }

    private static int readNamespaceCode(String ns) {
        try {
            core.readNamespace(ns).execute();
            return 200;
        } catch (ApiException e) {
            return e.getCode();
        }
    }

    private static Manifest configMap(String name, String finalizer) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", name);
        meta.put("finalizers", List.of(finalizer));
        Map<String, Object> obj = new LinkedHashMap<>();
        obj.put("apiVersion", "v1");
        obj.put("kind", "ConfigMap");
        obj.put("metadata", meta);
        return new Manifest(obj, "test");
    }
}
