package io.github.e2ekit.e2e.testbed.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.e2ekit.e2e.testbed.Kubectl;
import io.github.e2ekit.e2e.testbed.kube.RawApi.Answer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins graceful pod deletion: the API server's part ({@link Deletion}: kubernetes pkg/registry/core/pod/strategy.go
 * CheckGracefulDelete, apiserver registry/generic/registry/store.go Delete) and the kubelet's ({@link PodTermination}),
 * with the default time scale {@link TestBedTime#DEFAULT} (a grace period of 30 s lasts 3 s here).
 */
class GracefulPodDeletionTest {
    private static final String APP = "localhost/e2e/app:1";
    /** Its simulated containers ignore SIGTERM. */
    private static final String STUBBORN = "localhost/e2e/stubborn:1";

    private static final AtomicInteger SEQ = new AtomicInteger();

    private static FakeKubernetes kube;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        kube = new FakeKubernetes(new InMemoryNodeImages("kind-control-plane")
                .load(APP, "sha256:" + "a".repeat(64))
                .load(STUBBORN, "sha256:" + "c".repeat(64)));
        kube.ignoreSigterm(STUBBORN);
    }

    @AfterAll
    static void stop() {
        kube.close();
    }

    // ------------------------------------------------------------------ helpers

    /** Creates ReplicaSet {@code web} in {@code ns}: {@code replicas} pods of the image that ignores SIGTERM. */
    private static void createReplicaSet(String ns, int replicas) throws Exception {
        String rs = "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"web\"},\"spec\":{"
                + "\"replicas\":" + replicas + ",\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{"
                + "\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\""
                + STUBBORN + "\"}]}}}}";
        assertThat(send("POST", "/apis/apps/v1/namespaces/" + ns + "/replicasets", rs)
                        .code())
                .isEqualTo(201);
    }

    private static Answer send(String method, String path, String body) throws Exception {
        return RawApi.call(kube, method, path, body, "application/json");
    }

    private static String namespace() throws Exception {
        String ns = "grace-" + SEQ.incrementAndGet();
        assertThat(send("POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}")
                        .code())
                .isEqualTo(201);
        return ns;
    }

    private static String podJson(String name, String image, Integer grace) {
        return "{\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"app\":\"" + name + "\"}},\"spec\":{"
                + (grace == null ? "" : "\"terminationGracePeriodSeconds\":" + grace + ",")
                + "\"containers\":[{\"name\":\"c\",\"image\":\"" + image + "\"}]}}";
    }

    /** Creates a pod and waits until the kubelet runs it (scheduled, Ready). */
    private static void runningPod(String ns, String name, String image, Integer grace) throws Exception {
        assertThat(send("POST", "/api/v1/namespaces/" + ns + "/pods", podJson(name, image, grace))
                        .code())
                .isEqualTo(201);
        await("pod " + name + " Ready", () -> FakeControllers.isReady(pod(ns, name)));
    }

    private static JsonNode pod(String ns, String name) throws Exception {
        Answer a = send("GET", "/api/v1/namespaces/" + ns + "/pods/" + name, null);
        return a.code() == 404 ? null : a.body();
    }

    private static void await(String what, Check check) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!check.ok()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(end);
            Thread.sleep(50);
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    /** An HTTP streaming watch on one pod: its events as they arrive. */
    private static final class PodWatch implements AutoCloseable {
        final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        final HttpResponse<InputStream> response;

        PodWatch(String ns, String name, String resourceVersion) throws Exception {
            response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(kube.url() + "/api/v1/namespaces/" + ns
                                    + "/pods?watch=true&fieldSelector=metadata.name%3D" + name + "&resourceVersion="
                                    + resourceVersion))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            Thread reader = new Thread(() -> {
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        events.add(Json.parse(line));
                    }
                } catch (Exception e) {
                    // closed
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        /** Events until (and with) DELETED. */
        List<JsonNode> untilDeleted() throws InterruptedException {
            List<JsonNode> out = new ArrayList<>();
            while (true) {
                JsonNode e = events.poll(20, TimeUnit.SECONDS);
                assertThat(e).as("a watch event within 20 s; so far " + out).isNotNull();
                out.add(e);
                if ("DELETED".equals(e.path("type").asText())) {
                    return out;
                }
            }
        }

        @Override
        public void close() throws Exception {
            response.body().close();
        }
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.path("type").asText()).toList();
    }

    private static int firstIndex(List<JsonNode> events, Predicate<JsonNode> p) {
        for (int i = 0; i < events.size(); i++) {
            if (p.test(events.get(i))) {
                return i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ API server

    @Test
    void gracePeriodComesFromTheRequestElseTheSpecAndIsZeroForUnscheduledOrFinishedPods() {
        JsonNode scheduled = Json.parse("{\"spec\":{\"nodeName\":\"n\",\"terminationGracePeriodSeconds\":45}}");
        assertThat(Deletion.gracePeriod(Json.obj(), scheduled)).isEqualTo(45);
        assertThat(Deletion.gracePeriod(Json.parse("{\"gracePeriodSeconds\":5}"), scheduled))
                .isEqualTo(5);
        assertThat(Deletion.gracePeriod(Json.parse("{\"gracePeriodSeconds\":0}"), scheduled))
                .isZero();
        assertThat(Deletion.gracePeriod(Json.parse("{\"gracePeriodSeconds\":-3}"), scheduled))
                .isEqualTo(1);
        assertThat(Deletion.gracePeriod(Json.obj(), Json.parse("{\"spec\":{\"terminationGracePeriodSeconds\":45}}")))
                .as("not scheduled")
                .isZero();
        assertThat(
                        Deletion.gracePeriod(
                                Json.obj(),
                                Json.parse(
                                        "{\"spec\":{\"nodeName\":\"n\",\"terminationGracePeriodSeconds\":45},\"status\":{\"phase\":\"Succeeded\"}}")))
                .as("finished")
                .isZero();
    }

    @Test
    void aPodIsCreatedWithTheDefaultGracePeriodOfThirtySeconds() throws Exception {
        String ns = namespace();
        assertThat(send("POST", "/api/v1/namespaces/" + ns + "/pods", podJson("p", APP, null))
                        .body()
                        .path("spec")
                        .path("terminationGracePeriodSeconds")
                        .asInt())
                .isEqualTo(30);
    }

    @Test
    void aDeletedPodAnswersItselfWithDeletionTimestampAndStaysTerminatingUntilItsGracePeriodIsOver() throws Exception {
        String ns = namespace();
        runningPod(ns, "slow", STUBBORN, 20);
        String rv = Json.text(pod(ns, "slow"), "metadata", "resourceVersion");
        try (PodWatch watch = new PodWatch(ns, "slow", rv)) {
            long start = System.nanoTime();
            Answer deleted = send("DELETE", "/api/v1/namespaces/" + ns + "/pods/slow", null);
            assertThat(deleted.code()).isEqualTo(200);
            assertThat(Json.text(deleted.body(), "kind")).isEqualTo("Pod");
            assertThat(deleted.body()
                            .path("metadata")
                            .path("deletionGracePeriodSeconds")
                            .asInt())
                    .isEqualTo(20);
            // rest/delete.go BeforeDelete: the timestamp is when the grace period ends
            assertThat(java.time.Instant.parse(Json.text(deleted.body(), "metadata", "deletionTimestamp")))
                    .isAfter(java.time.Instant.now().plusSeconds(15));

            Thread.sleep(TestBedTime.seconds(20).toMillis() / 2);
            JsonNode halfway = pod(ns, "slow");
            assertThat(halfway)
                    .as("still there halfway through its grace period")
                    .isNotNull();
            assertThat(halfway.path("metadata").has("deletionTimestamp")).isTrue();

            List<JsonNode> events = watch.untilDeleted();
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(tookMillis)
                    .as("gone only after the (scaled) grace period")
                    .isGreaterThanOrEqualTo(TestBedTime.seconds(20).toMillis());
            assertThat(types(events).get(0)).isEqualTo("MODIFIED");
            assertThat(events.get(0).path("object").path("metadata").has("deletionTimestamp"))
                    .isTrue();
            int killed = firstIndex(
                    events,
                    e -> e.path("object")
                                    .path("status")
                                    .path("containerStatuses")
                                    .path(0)
                                    .path("state")
                                    .path("terminated")
                                    .path("exitCode")
                                    .asInt(-1)
                            == 137);
            assertThat(killed)
                    .as("a status with the container killed (137) before DELETED: " + types(events))
                    .isPositive()
                    .isLessThan(events.size() - 1);
            JsonNode last = events.get(killed).path("object");
            assertThat(Json.text(last, "status", "phase")).isEqualTo("Failed");
            assertThat(FakeControllers.isReady(last)).isFalse();
        }
        assertThat(pod(ns, "slow")).isNull();
    }

    @Test
    void aPodWhoseContainersExitOnSigtermGoesWithoutWaitingForTheGracePeriodButAfterItsTerminatingState()
            throws Exception {
        String ns = namespace();
        runningPod(ns, "quick", APP, null);
        String rv = Json.text(pod(ns, "quick"), "metadata", "resourceVersion");
        try (PodWatch watch = new PodWatch(ns, "quick", rv)) {
            long start = System.nanoTime();
            assertThat(send("DELETE", "/api/v1/namespaces/" + ns + "/pods/quick", null)
                            .body()
                            .path("metadata")
                            .path("deletionGracePeriodSeconds")
                            .asInt())
                    .isEqualTo(30);
            List<JsonNode> events = watch.untilDeleted();
            assertThat((System.nanoTime() - start) / 1_000_000)
                    .as("well inside the scaled 30 s")
                    .isLessThan(TestBedTime.seconds(30).toMillis());
            assertThat(types(events)).startsWith("MODIFIED").endsWith("DELETED");
            assertThat(events.get(0).path("object").path("metadata").has("deletionTimestamp"))
                    .isTrue();
            int exited = firstIndex(events, e -> "Succeeded".equals(Json.text(e, "object", "status", "phase")));
            assertThat(exited)
                    .as("the final status (exit 0, Succeeded) before DELETED: " + types(events))
                    .isPositive()
                    .isLessThan(events.size() - 1);
        }
    }

    @Test
    void gracePeriodZeroDeletesAtOnceByBodyOrQuery() throws Exception {
        String ns = namespace();
        runningPod(ns, "a", STUBBORN, null);
        runningPod(ns, "b", STUBBORN, null);
        assertThat(send("DELETE", "/api/v1/namespaces/" + ns + "/pods/a", "{\"gracePeriodSeconds\":0}")
                        .code())
                .isEqualTo(200);
        assertThat(pod(ns, "a")).isNull();
        assertThat(send("DELETE", "/api/v1/namespaces/" + ns + "/pods/b?gracePeriodSeconds=0", null)
                        .code())
                .isEqualTo(200);
        assertThat(pod(ns, "b")).isNull();
    }

    @Test
    void aSecondDeleteMayOnlyShortenTheGracePeriod() throws Exception {
        String ns = namespace();
        runningPod(ns, "p", STUBBORN, 600);
        assertThat(send("DELETE", "/api/v1/namespaces/" + ns + "/pods/p", null).code())
                .isEqualTo(200);
        JsonNode first = pod(ns, "p");
        Answer longer = send("DELETE", "/api/v1/namespaces/" + ns + "/pods/p", "{\"gracePeriodSeconds\":900}");
        assertThat(longer.code()).isEqualTo(200);
        JsonNode unchanged = pod(ns, "p");
        assertThat(unchanged.path("metadata").path("deletionGracePeriodSeconds").asInt())
                .isEqualTo(600);
        assertThat(Json.text(unchanged, "metadata", "deletionTimestamp"))
                .isEqualTo(Json.text(first, "metadata", "deletionTimestamp"));
        send("DELETE", "/api/v1/namespaces/" + ns + "/pods/p", "{\"gracePeriodSeconds\":5}");
        assertThat(pod(ns, "p")
                        .path("metadata")
                        .path("deletionGracePeriodSeconds")
                        .asInt())
                .isEqualTo(5);
        send("DELETE", "/api/v1/namespaces/" + ns + "/pods/p", "{\"gracePeriodSeconds\":0}");
        assertThat(pod(ns, "p")).isNull();
    }

    @Test
    void writesToATerminatingPodDoNotDeleteIt() throws Exception {
        String ns = namespace();
        runningPod(ns, "p", STUBBORN, 600);
        send("DELETE", "/api/v1/namespaces/" + ns + "/pods/p", null);
        HttpResponse<String> r = RawApi.send(
                kube,
                "PATCH",
                "/api/v1/namespaces/" + ns + "/pods/p",
                "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}",
                "application/merge-patch+json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(pod(ns, "p"))
                .as("store.go ShouldDeleteDuringUpdate: only with deletionGracePeriodSeconds 0")
                .isNotNull();
        send("DELETE", "/api/v1/namespaces/" + ns + "/pods/p", "{\"gracePeriodSeconds\":0}");
    }

    // ------------------------------------------------------------------ controllers

    @Test
    void aTerminatingPodIsReplacedAtOnceAndLeavesTheServiceEndpoints() throws Exception {
        String ns = namespace();
        createReplicaSet(ns, 1);
        await("one ready pod", () -> readyPods(ns).size() == 1);
        JsonNode old = readyPods(ns).get(0);
        String oldName = Json.text(old, "metadata", "name");
        send("DELETE", "/api/v1/namespaces/" + ns + "/pods/" + oldName, null);
        // controller_utils.go IsPodActive: the terminating pod no longer counts, a replacement comes at once
        await("a replacement while the old pod terminates", () -> pods(ns).size() == 2);
        JsonNode terminating = pod(ns, oldName);
        assertThat(terminating)
                .as("the old pod is still there (30 s grace, SIGTERM ignored)")
                .isNotNull();
        assertThat(terminating.path("metadata").has("deletionTimestamp")).isTrue();
        // ShouldPodBeInEndpoints: no traffic to a terminating pod, whatever its Ready condition says
        assertThat(ServiceRoutes.ready(terminating)).isFalse();
        await("the old pod gone after its grace period", () -> pod(ns, oldName) == null);
    }

    @Test
    void scaleDownDeletesGracefully() throws Exception {
        String ns = namespace();
        createReplicaSet(ns, 2);
        await("two ready pods", () -> readyPods(ns).size() == 2);
        HttpResponse<String> r = RawApi.send(
                kube,
                "PATCH",
                "/apis/apps/v1/namespaces/" + ns + "/replicasets/web",
                "{\"spec\":{\"replicas\":1}}",
                "application/merge-patch+json");
        assertThat(r.statusCode()).isEqualTo(200);
        await(
                "one pod terminating",
                () -> pods(ns).stream()
                                .filter(p -> p.path("metadata").has("deletionTimestamp"))
                                .count()
                        == 1);
        await(
                "the ReplicaSet counts one replica",
                () -> send("GET", "/apis/apps/v1/namespaces/" + ns + "/replicasets/web", null)
                                .body()
                                .path("status")
                                .path("replicas")
                                .asInt()
                        == 1);
        await("the terminating pod gone", () -> pods(ns).size() == 1);
    }

    @Test
    void namespaceDeletionWaitsForItsTerminatingPods() throws Exception {
        String ns = namespace();
        runningPod(ns, "slow", STUBBORN, null);
        long start = System.nanoTime();
        assertThat(send("DELETE", "/api/v1/namespaces/" + ns, null).code()).isEqualTo(200);
        await(
                "the pod terminating",
                () -> pod(ns, "slow") != null
                        && pod(ns, "slow").path("metadata").has("deletionTimestamp"));
        await("NamespaceContentRemaining naming the pod", () -> {
            JsonNode n = send("GET", "/api/v1/namespaces/" + ns, null).body();
            for (JsonNode c : n.path("status").path("conditions")) {
                if ("NamespaceContentRemaining".equals(c.path("type").asText())
                        && "True".equals(c.path("status").asText())) {
                    return c.path("message")
                            .asText()
                            .equals("Some resources are remaining: pods. has 1 resource instances");
                }
            }
            return false;
        });
        await(
                "the namespace gone",
                () -> send("GET", "/api/v1/namespaces/" + ns, null).code() == 404);
        assertThat((System.nanoTime() - start) / 1_000_000)
                .as("not before the pod's (scaled) 30 s")
                .isGreaterThanOrEqualTo(TestBedTime.seconds(30).toMillis());
    }

    private static List<JsonNode> pods(String ns) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        send("GET", "/api/v1/namespaces/" + ns + "/pods", null)
                .body()
                .path("items")
                .forEach(out::add);
        return out;
    }

    private static List<JsonNode> readyPods(String ns) throws Exception {
        return pods(ns).stream().filter(FakeControllers::isReady).toList();
    }

    // ------------------------------------------------------------------ the real client

    @Test
    void kubectlDeleteWithoutWaitingThenGetShowsTheDeletionTimestamp() throws Exception {
        Path dir = Files.createTempDirectory("graceful-kubectl");
        Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"), "grace");
        Kubectl kubectl = Kubectl.require(kubeconfig);
        String ns = namespace();
        runningPod(ns, "slow", STUBBORN, null);
        Kubectl.Result del = kubectl.run(Duration.ofSeconds(30), "-n", ns, "delete", "pod", "slow", "--wait=false");
        assertThat(del.exitCode()).as(del.stderr()).isZero();
        assertThat(del.stdout()).contains("pod \"slow\" deleted");
        Kubectl.Result get = kubectl.run(Duration.ofSeconds(30), "-n", ns, "get", "pod", "slow", "-o", "json");
        assertThat(get.exitCode()).as(get.stderr()).isZero();
        JsonNode p = Json.parse(get.stdout());
        assertThat(Json.text(p, "metadata", "deletionTimestamp")).isNotNull();
        assertThat(p.path("metadata").path("deletionGracePeriodSeconds").asInt())
                .isEqualTo(30);
        Kubectl.Result wait =
                kubectl.run(Duration.ofSeconds(30), "-n", ns, "wait", "--for=delete", "pod/slow", "--timeout=20s");
        assertThat(wait.exitCode()).as(wait.stderr()).isZero();
    }
}
