package io.github.e2ekit.e2e.testbed.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fake API server's store is read and written from many threads at once, as a real API server's is: request
 * threads, the controller loop, followed logs ({@link PodLogStream}), watches and port-forwards. None of them may see
 * the store half-changed or break on a change made meanwhile.
 */
class StoreConcurrencyTest {
    private static final String IMAGE = "localhost/e2e/app:1";
    private static final Duration CHURN = Duration.ofSeconds(4);
    private static final int KEPT = 8;
    private static final int STORED = 300;

    private FakeKubernetes kube;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() {
        kube = new FakeKubernetes(new InMemoryNodeImages("kind-control-plane").load(IMAGE, "sha256:" + "a".repeat(64)));
    }

    @AfterEach
    void stop() {
        kube.close();
    }

    @Test
    void followedLogsOfRunningPodsStayOpenWhileOtherPodsComeAndGo() throws Exception {
        post("/api/v1/namespaces", Json.obj().set("metadata", Json.obj().put("name", "churn")));
        // a store of a busy cluster: every lookup walks many objects, so a change made meanwhile is likely
        java.util.stream.IntStream.range(0, STORED).parallel().forEach(i -> {
            ObjectNode cm = Json.obj().put("apiVersion", "v1").put("kind", "ConfigMap");
            Json.with(cm, "metadata").put("name", "filler-" + i);
            try {
                post("/api/v1/namespaces/churn/configmaps", cm);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < KEPT; i++) {
            post("/api/v1/namespaces/churn/pods", pod("kept-" + i));
        }
        for (int i = 0; i < KEPT; i++) {
            String name = "kept-" + i;
            await(name + " running", () -> "Running".equals(Json.text(get("pods/" + name), "status", "phase")));
        }
        // two followers per kept pod: each reads the store every poll while the churn below changes it
        List<Follower> followers = new ArrayList<>();
        for (int i = 0; i < KEPT; i++) {
            followers.add(new Follower("kept-" + i));
            followers.add(new Follower("kept-" + i));
        }
        AtomicBoolean stop = new AtomicBoolean();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            threads.add(daemon(stop, failures, n -> {
                String name = "churn-" + thread + "-" + n;
                post("/api/v1/namespaces/churn/pods", pod(name));
                delete("/api/v1/namespaces/churn/pods/" + name + "?gracePeriodSeconds=0");
            }));
        }
        // followed logs opened and refused all the time: every one looks its pod up in the store first
        for (int t = 0; t < 4; t++) {
            int thread = t;
            threads.add(daemon(stop, failures, n -> {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(kube.url() + "/api/v1/namespaces/churn/pods/gone-" + thread
                                        + "/log?follow=true"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
            }));
        }
        Thread.sleep(CHURN.toMillis());
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertThat(failures).isEmpty();
        // every followed log is still open: its pod still runs, so only the client may end the stream
        for (Follower f : followers) {
            assertThat(f.ended.get())
                    .as("the followed log of " + f.pod + " ended")
                    .isZero();
        }
        assertThat(kube.openLogStreams()).isEqualTo(followers.size());
        followers.forEach(Follower::close);
    }

    @Test
    void theStoreIsReadableFromAnyThreadWhileItChanges() throws Exception {
        FakeApiDispatcher api = new FakeApiDispatcher();
        ResourceType pods = api.typeOf("", "v1", "pods");
        api.internal(
                "POST",
                "/api/v1/namespaces",
                Json.obj().set("metadata", Json.obj().put("name", "churn")));
        api.internal("POST", pods.collectionPath("churn"), pod("kept"));
        AtomicBoolean stop = new AtomicBoolean();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        threads.add(daemon(stop, failures, n -> {
            api.internal("POST", pods.collectionPath("churn"), pod("churn-" + n));
            api.internal("DELETE", pods.objectPath("churn", "churn-" + n) + "?gracePeriodSeconds=0", (String) null);
        }));
        AtomicInteger reads = new AtomicInteger();
        for (int t = 0; t < 4; t++) {
            // what followed logs, watches, port-forwards and the controllers do from their own threads
            threads.add(daemon(stop, failures, n -> {
                assertThat(api.find(pods, "churn", "kept")).isNotNull();
                assertThat(api.list(pods, "churn")).isNotEmpty();
                assertThat(api.typeOf("", "v1", "pods")).isNotNull();
                reads.incrementAndGet();
            }));
        }
        Thread.sleep(CHURN.toMillis() / 2);
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertThat(failures).isEmpty();
        assertThat(reads.get()).isPositive();
    }

    // ---------------------------------------------------------------- helpers

    private interface Step {
        void run(int n) throws Exception;
    }

    /** Runs {@code step} with 0, 1, 2, … until {@code stop}; the first failure is kept and ends the thread. */
    private static Thread daemon(AtomicBoolean stop, Queue<Throwable> failures, Step step) {
        Thread t = new Thread(() -> {
            for (int n = 0; !stop.get(); n++) {
                try {
                    step.run(n);
                } catch (Throwable e) {
                    failures.add(e);
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** One followed log; counts how often its stream ended. */
    private final class Follower {
        final String pod;
        final AtomicInteger ended = new AtomicInteger();
        final HttpResponse<InputStream> response;
        final Thread reader;

        Follower(String pod) throws Exception {
            this.pod = pod;
            response = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    kube.url() + "/api/v1/namespaces/churn/pods/" + pod + "/log?follow=true"))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            reader = new Thread(() -> {
                try (InputStream in = response.body()) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (Exception e) {
                    // closed by close()
                }
                ended.incrementAndGet();
            });
            reader.setDaemon(true);
            reader.start();
        }

        void close() {
            try {
                response.body().close();
            } catch (java.io.IOException e) {
                // already closed
            }
        }
    }

    private static ObjectNode pod(String name) {
        ObjectNode p = Json.obj().put("apiVersion", "v1").put("kind", "Pod");
        Json.with(p, "metadata").put("name", name);
        ObjectNode c = Json.with(p, "spec").putArray("containers").addObject();
        c.put("name", "main").put("image", IMAGE).put("imagePullPolicy", "IfNotPresent");
        return p;
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(kube.url() + "/api/v1/namespaces/churn/" + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return Json.parse(r.body());
    }

    private void post(String path, JsonNode body) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(kube.url() + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    private void delete(String path) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(kube.url() + path)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
