package io.github.e2ekit.e2e.testbed.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.e2ekit.e2e.testbed.kube.RawApi.Answer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pins the API-server semantics the fake copies from real Kubernetes (upstream sources are cited in
 * {@link Deletion}, {@link NamespaceLifecycle}, {@link CrdLifecycle} and {@link Validation}). Plain HTTP, so
 * the exact codes and Status bodies are what is asserted.
 */
class ApiServerSemanticsTest {

    private static final AtomicInteger SEQ = new AtomicInteger();
    private static FakeKubernetes kube;

    /** Each test's own namespace, made before it runs. */
    private String ns;

    @BeforeAll
    static void start() {
        kube = new FakeKubernetes(new InMemoryNodeImages("kind-control-plane"));
    }

    @AfterAll
    static void stop() {
        kube.close();
    }

    @BeforeEach
    void createTheTestsNamespace() throws Exception {
        ns = "sem-" + SEQ.incrementAndGet();
        create("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}");
    }

    // ------------------------------------------------------------------ namespaces and finalizers

    @Test
    void deletedNamespaceStaysTerminatingWhileAFinalizerHoldsItsContentThenGoes() throws Exception {
        post(
                "/api/v1/namespaces/" + ns + "/configmaps",
                "{\"metadata\":{\"name\":\"held\",\"finalizers\":" + "[\"testbed.e2ekit.io/hold-2s\"]}}");

        Answer deleted = call("DELETE", "/api/v1/namespaces/" + ns, "");
        assertThat(deleted.code()).isEqualTo(200);
        assertThat(Json.text(deleted.body(), "status", "phase")).isEqualTo("Terminating");
        assertThat(Json.text(deleted.body(), "metadata", "deletionTimestamp")).isNotNull();
        assertThat(deleted.body().path("spec").path("finalizers").toString()).contains("kubernetes");

        JsonNode terminating = await(
                () -> get("/api/v1/namespaces/" + ns).body(),
                n -> n.path("status").path("conditions").toString().contains("testbed.e2ekit.io/hold-2s"));
        assertThat(terminating.path("status").path("conditions").toString())
                .contains("NamespaceContentRemaining", "NamespaceFinalizersRemaining", "configmaps");
        JsonNode held = get("/api/v1/namespaces/" + ns + "/configmaps/held").body();
        assertThat(Json.text(held, "metadata", "deletionTimestamp"))
                .as("the held object is marked")
                .isNotNull();

        Answer again = post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}");
        assertThat(again.code()).isEqualTo(409);
        assertThat(again.reason()).isEqualTo("AlreadyExists");
        assertThat(again.message()).startsWith("object is being deleted: namespaces \"" + ns + "\" already exists");

        Answer inside = post("/api/v1/namespaces/" + ns + "/configmaps", "{\"metadata\":{\"name\":\"new\"}}");
        assertThat(inside.code()).isEqualTo(403);
        assertThat(inside.reason()).isEqualTo("Forbidden");
        assertThat(inside.message())
                .endsWith("unable to create new content in namespace " + ns + " because it is being terminated");

        await(() -> get("/api/v1/namespaces/" + ns).code(), c -> c == 404);
        assertThat(get("/api/v1/namespaces/" + ns + "/configmaps/held").code()).isEqualTo(404);
        create("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}");
    }

    @Test
    void objectWithFinalizerStaysUntilTheFinalizerIsRemoved() throws Exception {
        String path = "/api/v1/namespaces/" + ns + "/configmaps/f";
        post(
                "/api/v1/namespaces/" + ns + "/configmaps",
                "{\"metadata\":{\"name\":\"f\",\"finalizers\":" + "[\"example.com/keep\"]}}");

        assertThat(call("DELETE", path, "").code()).isEqualTo(200);
        JsonNode marked = get(path).body();
        assertThat(Json.text(marked, "metadata", "deletionTimestamp")).isNotNull();
        Thread.sleep(300); // a controller pass does not remove someone else's finalizer
        assertThat(get(path).code()).isEqualTo(200);

        Answer patched = mergePatch(path, "{\"metadata\":{\"finalizers\":null}}");
        assertThat(patched.code()).isEqualTo(200);
        assertThat(get(path).code())
                .as("gone once its last finalizer is removed")
                .isEqualTo(404);
    }

    @Test
    void deleteHonoursUidAndResourceVersionPreconditions() throws Exception {
        String path = "/api/v1/namespaces/" + ns + "/configmaps/p";
        JsonNode created = post("/api/v1/namespaces/" + ns + "/configmaps", "{\"metadata\":{\"name\":\"p\"}}")
                .body();

        Answer wrongUid = call("DELETE", path, "{\"preconditions\":{\"uid\":\"not-the-uid\"}}");
        assertThat(wrongUid.code()).isEqualTo(409);
        assertThat(wrongUid.reason()).isEqualTo("Conflict");
        assertThat(wrongUid.message()).contains("Precondition failed: UID in precondition: not-the-uid");
        Answer wrongRv = call("DELETE", path, "{\"preconditions\":{\"resourceVersion\":\"1\"}}");
        assertThat(wrongRv.code()).isEqualTo(409);
        assertThat(get(path).code()).isEqualTo(200);

        Answer right =
                call("DELETE", path, "{\"preconditions\":{\"uid\":\"" + Json.text(created, "metadata", "uid") + "\"}}");
        assertThat(right.code()).isEqualTo(200);
        assertThat(get(path).code()).isEqualTo(404);
    }

    @Test
    void foregroundDeletionRemovesDependentsBeforeTheOwner() throws Exception {
        String cms = "/api/v1/namespaces/" + ns + "/configmaps";
        String ownerUid =
                Json.text(post(cms, "{\"metadata\":{\"name\":\"owner\"}}").body(), "metadata", "uid");
        post(
                cms,
                "{\"metadata\":{\"name\":\"dep\",\"finalizers\":[\"testbed.e2ekit.io/hold-1s\"],"
                        + "\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"owner\",\"uid\":\""
                        + ownerUid + "\"}]}}");

        Answer deleted = call("DELETE", cms + "/owner", "{\"propagationPolicy\":\"Foreground\"}");
        assertThat(deleted.code()).isEqualTo(200);
        assertThat(deleted.body().path("metadata").path("finalizers").toString())
                .contains("foregroundDeletion");
        await(() -> get(cms + "/dep").body(), d -> d.path("metadata").has("deletionTimestamp"));
        assertThat(get(cms + "/owner").code())
                .as("the owner waits for its dependent")
                .isEqualTo(200);
        await(() -> get(cms + "/owner").code(), c -> c == 404);
        assertThat(get(cms + "/dep").code()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ validation

    @Test
    void invalidNamesLabelsAndAnnotationsAnswer422WithCauses() throws Exception {
        String cms = "/api/v1/namespaces/" + ns + "/configmaps";
        Answer badName = post(cms, "{\"metadata\":{\"name\":\"Upper_Case\"}}");
        assertThat(badName.code()).isEqualTo(422);
        assertThat(badName.reason()).isEqualTo("Invalid");
        assertThat(causeFields(badName)).containsExactly("metadata.name");

        Answer longNs = post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + "n".repeat(64) + "\"}}");
        assertThat(longNs.code())
                .as("namespace names are DNS-1123 labels, at most 63")
                .isEqualTo(422);
        assertThat(post(cms, "{\"metadata\":{\"name\":\"" + "a.".repeat(100) + "b\"}}")
                        .code())
                .as("a ConfigMap name is a DNS-1123 subdomain, up to 253")
                .isEqualTo(201);

        Answer longValue =
                post(cms, "{\"metadata\":{\"name\":\"l1\",\"labels\":{\"app\":\"" + "v".repeat(64) + "\"}}}");
        assertThat(longValue.code()).isEqualTo(422);
        assertThat(causeFields(longValue)).containsExactly("metadata.labels");
        assertThat(post(cms, "{\"metadata\":{\"name\":\"l2\",\"labels\":{\"app\":\"-dash\"}}}")
                        .code())
                .as("label values start and end alphanumeric")
                .isEqualTo(422);
        assertThat(post(cms, "{\"metadata\":{\"name\":\"l3\",\"labels\":{\"bad key!\":\"x\"}}}")
                        .code())
                .isEqualTo(422);
        assertThat(post(cms, "{\"metadata\":{\"name\":\"l4\",\"labels\":{\"example.com/ok\":\"A.b-c_d\"}}}")
                        .code())
                .isEqualTo(201);

        Answer longAnnotation = post(
                cms, "{\"metadata\":{\"name\":\"a1\",\"annotations\":{\"example.com/" + "k".repeat(64) + "\":\"x\"}}}");
        assertThat(longAnnotation.code()).isEqualTo(422);
        assertThat(causeFields(longAnnotation)).containsExactly("metadata.annotations");
        assertThat(post(
                                cms,
                                "{\"metadata\":{\"name\":\"a2\",\"annotations\":{\"Example.COM/Key\":\""
                                        + "x".repeat(300) + "\"}}}")
                        .code())
                .as("annotation keys are checked lower-cased; values are free")
                .isEqualTo(201);
    }

    @Test
    void jobWithoutNeverOrOnFailureRestartPolicyIsRefused() throws Exception {
        Answer noPolicy = post("/apis/batch/v1/namespaces/" + ns + "/jobs", job("j1", "img:1", null));
        assertThat(noPolicy.code()).isEqualTo(422);
        assertThat(causeFields(noPolicy)).containsExactly("spec.template.spec.restartPolicy");
        assertThat(noPolicy.message())
                .contains("Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"");
        create("/apis/batch/v1/namespaces/" + ns + "/jobs", job("j2", "img:1", "Never"));
    }

    @Test
    void immutableFieldsAnswer422OnUpdate() throws Exception {
        String jobs = "/apis/batch/v1/namespaces/" + ns + "/jobs";
        post(jobs, job("m", "img:1", "Never"));
        Answer newImage = mergePatch(
                jobs + "/m",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\"," + "\"image\":\"img:2\"}]}}}}");
        assertThat(newImage.code()).isEqualTo(422);
        assertThat(causeFields(newImage)).contains("spec.template");
        assertThat(newImage.message()).contains("field is immutable");

        String deps = "/apis/apps/v1/namespaces/" + ns + "/deployments";
        post(
                deps,
                "{\"metadata\":{\"name\":\"d\"},\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"d\"}},"
                        + "\"template\":{\"metadata\":{\"labels\":{\"app\":\"d\",\"v\":\"1\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
                        + "\"image\":\"img:1\"}]}}}}");
        Answer selector = mergePatch(deps + "/d", "{\"spec\":{\"selector\":{\"matchLabels\":{\"v\":\"1\"}}}}");
        assertThat(selector.code()).isEqualTo(422);
        assertThat(causeFields(selector)).containsExactly("spec.selector");
        assertThat(mergePatch(deps + "/d", "{\"spec\":{\"replicas\":2}}").code())
                .as("other fields change")
                .isEqualTo(200);

        String svcs = "/api/v1/namespaces/" + ns + "/services";
        post(svcs, "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"ports\":[{\"port\":80}]}}");
        Answer ip = mergePatch(svcs + "/s", "{\"spec\":{\"clusterIP\":\"10.96.99.99\"}}");
        assertThat(ip.code()).isEqualTo(422);
        assertThat(ip.message()).contains("may not change once set");

        String pvcs = "/api/v1/namespaces/" + ns + "/persistentvolumeclaims";
        post(
                pvcs,
                "{\"metadata\":{\"name\":\"c\"},\"spec\":{\"accessModes\":[\"ReadWriteOnce\"],"
                        + "\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}");
        assertThat(mergePatch(pvcs + "/c", "{\"spec\":{\"accessModes\":[\"ReadWriteMany\"]}}")
                        .code())
                .isEqualTo(422);
        assertThat(mergePatch(pvcs + "/c", "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"2Gi\"}}}}")
                        .code())
                .as("requests may grow")
                .isEqualTo(200);
    }

    @Test
    void mergePatchReplacesListsAndRemovesNullKeys() throws Exception {
        // RFC 7386: lists are replaced, null removes a key, absent keys stay
        String deps = "/apis/apps/v1/namespaces/" + ns + "/deployments";
        post(
                deps,
                "{\"metadata\":{\"name\":\"d\",\"labels\":{\"a\":\"1\",\"b\":\"2\"}},\"spec\":{\"selector\":"
                        + "{\"matchLabels\":{\"app\":\"d\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"d\"}},\"spec\":"
                        + "{\"containers\":[{\"name\":\"c\",\"image\":\"img:1\"},{\"name\":\"side\",\"image\":\"img:s\"}]}}}}");
        Answer r = mergePatch(
                deps + "/d",
                "{\"metadata\":{\"labels\":{\"b\":null}},\"spec\":{\"template\":{\"spec\":"
                        + "{\"containers\":[{\"name\":\"c\",\"image\":\"img:2\"}]}}}}");
        assertThat(r.code()).isEqualTo(200);
        JsonNode d = get(deps + "/d").body();
        assertThat(d.path("metadata").path("labels").has("b")).isFalse();
        assertThat(Json.text(d, "metadata", "labels", "a")).isEqualTo("1");
        assertThat(d.path("spec").path("template").path("spec").path("containers"))
                .hasSize(1);
        assertThat(Json.text(
                        d.path("spec")
                                .path("template")
                                .path("spec")
                                .path("containers")
                                .get(0),
                        "image"))
                .isEqualTo("img:2");
    }

    // ------------------------------------------------------------------ CRDs

    @Test
    void newCrdIsDiscoveredAfterADelayAndADeletedOneRefusesNewResources() throws Exception {
        String group = "g" + SEQ.incrementAndGet() + ".example.com";
        post(
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                "{\"metadata\":{\"name\":\"gadgets." + group
                        + "\"},\"spec\":{\"group\":\"" + group
                        + "\",\"scope\":\"Namespaced\",\"names\":{\"plural\":\"gadgets\","
                        + "\"singular\":\"gadget\",\"kind\":\"Gadget\"},\"versions\":[{\"name\":\"v1\",\"served\":true,"
                        + "\"storage\":true}]}}");
        assertThat(get("/apis").body().toString()).as("not discovered at once").doesNotContain(group);
        await(() -> get("/apis").body().toString(), s -> s.contains(group));

        String gadgets = "/apis/" + group + "/v1/namespaces/" + ns + "/gadgets";
        assertThat(post(
                                gadgets,
                                "{\"apiVersion\":\"" + group + "/v1\",\"kind\":\"Gadget\",\"metadata\":{\"name\":\"a\","
                                        + "\"finalizers\":[\"testbed.e2ekit.io/hold-1s\"]}}")
                        .code())
                .isEqualTo(201);

        assertThat(call("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets." + group, "")
                        .code())
                .isEqualTo(200);
        await(
                () -> get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets." + group)
                        .body()
                        .toString(),
                s -> s.contains("InstanceDeletionInProgress"));
        Answer refused = post(
                gadgets,
                "{\"apiVersion\":\"" + group + "/v1\",\"kind\":\"Gadget\",\"metadata\":" + "{\"name\":\"b\"}}");
        assertThat(refused.code()).isEqualTo(405);
        assertThat(refused.message()).isEqualTo("create not allowed while custom resource definition is terminating");
        await(
                () -> get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets." + group)
                        .code(),
                c -> c == 404);
    }

    // ------------------------------------------------------------------ helpers

    private static String job(String name, String image, String restartPolicy) {
        return "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"template\":{\"spec\":{"
                + (restartPolicy == null ? "" : "\"restartPolicy\":\"" + restartPolicy + "\",")
                + "\"containers\":[{\"name\":\"c\",\"image\":\"" + image + "\"}]}}}}";
    }

    private static List<String> causeFields(Answer a) {
        List<String> out = new ArrayList<>();
        a.body().path("details").path("causes").forEach(c -> out.add(Json.text(c, "field")));
        return out;
    }

    private static Answer get(String path) throws Exception {
        return call("GET", path, null);
    }

    private static Answer post(String path, String body) throws Exception {
        return call("POST", path, body);
    }

    /** A JSON merge patch (RFC 7386), as {@code kubectl patch --type merge} sends it. */
    private static Answer mergePatch(String path, String body) throws Exception {
        return call("PATCH", path, body, "application/merge-patch+json");
    }

    private static Answer call(String method, String path, String body) throws Exception {
        return call(method, path, body, "application/json");
    }

    private static Answer call(String method, String path, String body, String contentType) throws Exception {
        return RawApi.call(kube, method, path, body, contentType);
    }

    /** POSTs {@code body} to {@code path}; asserts it was created (201). */
    private static void create(String path, String body) throws Exception {
        assertThat(post(path, body).code()).as(path).isEqualTo(201);
    }

    private static <T> T await(java.util.concurrent.Callable<T> probe, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = probe.call();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out; last value: " + last);
    }
}
