package io.github.e2ekit.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.ledger.EntryState;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.testbed.kube.FakeApiServerTestBase;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Applying again into a namespace, against the test bed's API server (422s, merge patch per RFC 7386). */
class ReapplyTest extends FakeApiServerTestBase {

    @Test
    void reapplyRemovesFieldsTheManifestNoLongerHas() throws Exception {
        String ns = namespace();
        apply(ns, "run1", "svc", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cfg, labels: {tier: db}, annotations: {note: old}}
                data: {a: "1", b: "2"}
                """);
        apply(ns, "run2", "svc", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cfg}
                data: {a: "10"}
                """);
        V1ConfigMap cm = core.readNamespacedConfigMap("cfg", ns).execute();
        assertThat(cm.getData()).containsExactly(Map.entry("a", "10"));
        assertThat(cm.getMetadata().getLabels()).doesNotContainKey("tier").containsEntry(ManifestRenderer.RUN, "run2");
        assertThat(cm.getMetadata().getAnnotations()).doesNotContainKey("note");
    }

    @Test
    void reappliedJobWithANewImageIsReplacedNotPatched() throws Exception {
        String ns = namespace();
        apply(ns, "run1", "svc", TestManifests.job("migrate", "localhost/m:1"));
        BatchV1Api batch = new BatchV1Api(kube.client());
        String firstUid =
                batch.readNamespacedJob("migrate", ns).execute().getMetadata().getUid();

        List<AppliedObject> again = apply(ns, "run1", "svc", TestManifests.job("migrate", "localhost/m:1"));
        assertThat(again.get(0).uid()).as("an unchanged Job is left alone").isEqualTo(firstUid);

        List<AppliedObject> changed = apply(ns, "run2", "svc", TestManifests.job("migrate", "localhost/m:2"));
        V1Job now = batch.readNamespacedJob("migrate", ns).execute();
        assertThat(now.getMetadata().getUid())
                .isNotEqualTo(firstUid)
                .isEqualTo(changed.get(0).uid());
        assertThat(now.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("localhost/m:2");
        assertThat(changed.get(0).created()).isTrue();
    }

    @Test
    void preExistingNamespaceAndClusterScopedObjectsAreLeftAsFound() throws Exception {
        String shared = "shared-" + SEQ.incrementAndGet();
        core.createNamespace(new V1Namespace()
                        .metadata(new V1ObjectMeta().name(shared).labels(Map.of("team", "a"))))
                .execute();
        RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(kube.client());
        rbac.createClusterRole(new V1ClusterRole().metadata(new V1ObjectMeta().name(shared + "-reader")))
                .execute();
        Ledger ledger = Ledger.start(dir.resolve("ledger-" + shared + ".json"), "run1", "svc");
        List<String> log = new java.util.ArrayList<>();
        render(ledger, log, namespace(), "run1", "svc", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: %1$s, labels: {team: b}}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: %1$s-reader}
                rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
                """.formatted(shared));

        V1Namespace ns = core.readNamespace(shared).execute();
        assertThat(ns.getMetadata().getLabels())
                .containsEntry("team", "a")
                .doesNotContainKeys(ManifestRenderer.MANAGED_BY, ManifestRenderer.RUN, ManifestRenderer.SERVICE);
        assertThat(ns.getMetadata().getAnnotations()).isNullOrEmpty();
        V1ClusterRole role = rbac.readClusterRole(shared + "-reader").execute();
        assertThat(role.getMetadata().getLabels()).isNullOrEmpty();
        assertThat(role.getRules()).isNullOrEmpty();
        List<String> states = ledger.read(d -> d.objects.stream()
                .filter(o -> o.name.startsWith(shared))
                .map(o -> o.state + "/" + o.patched)
                .toList());
        assertThat(states).containsOnly("REUSED/true");
        assertThat(log).contains("Namespace/" + shared + " exists, not ours: left as found");
    }

    @Test
    void labelsAndAnnotationKeysAreValidWhateverTheUsersNamesAre() throws Exception {
        String ns = namespace();
        String service = "My_Very.Long-Artifact-Id-For-A-Service-That-Someone-Named-Verbosely-In-2026_";
        String imageId = "datastorage-image-with-an-id-much-longer-than-the-sixty-three-characters-allowed";
        ManifestRenderer renderer = new ManifestRenderer(
                Map.of(),
                List.of(new ImageBinding(
                        imageId, "localhost/ds", "localhost/ds:t", "d".repeat(64), "sha256:" + "e".repeat(64))),
                "run-1",
                service,
                "2030-01-01T00:00:00Z");
        Path f = dir.resolve("odd.yaml");
        Files.writeString(f, TestManifests.deployment("ds", "localhost/ds:x"));
        Ledger ledger = Ledger.start(dir.resolve("ledger-odd.json"), "run-1", service);
        List<AppliedObject> applied = new Applier(api, ledger).applyStage(renderer.render(List.of(f)), ns);
        assertThat(applied).hasSize(1); // the test bed validates labels and annotation keys as a real server does
        Map<String, String> labels = core.getApiClient() == null
                ? Map.of()
                : new io.kubernetes.client.openapi.apis.AppsV1Api(kube.client())
                        .readNamespacedDeployment("ds", ns)
                        .execute()
                        .getMetadata()
                        .getLabels();
        assertThat(labels.get(ManifestRenderer.SERVICE))
                .hasSizeLessThanOrEqualTo(63)
                .startsWith("My_Very.Long");
    }

    private String namespace() throws Exception {
        String ns = "re-" + SEQ.incrementAndGet();
        core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(ns)))
                .execute();
        return ns;
    }

    private List<AppliedObject> apply(String ns, String run, String service, String yaml) throws Exception {
        Ledger ledger = Ledger.start(dir.resolve("ledger-" + SEQ.incrementAndGet() + ".json"), run, service);
        return render(ledger, new java.util.ArrayList<>(), ns, run, service, yaml);
    }

    private List<AppliedObject> render(
            Ledger ledger, List<String> log, String ns, String run, String service, String yaml) throws Exception {
        Path f = dir.resolve("m-" + SEQ.incrementAndGet() + ".yaml");
        Files.writeString(f, yaml);
        ManifestRenderer renderer = new ManifestRenderer(Map.of(), List.of(), run, service, "2030-01-01T00:00:00Z");
        List<AppliedObject> out = new Applier(api, ledger, log::add).applyStage(renderer.render(List.of(f)), ns);
        List<EntryState> states =
                ledger.read(d -> d.objects.stream().map(o -> o.state).toList());
        assertThat(states).doesNotContain(EntryState.INTENDED);
        return out;
    }
}
