package io.github.e2ekit.e2e.testbed.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.util.Watch;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * HTTP streaming watches ({@code ?watch=true}) as the API server serves them: chunked JSON lines, resource-version
 * semantics, selectors that turn "no longer matching" into DELETED, timeoutSeconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingWatchTest {
    private FakeKubernetes kube;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        kube = new FakeKubernetes(new InMemoryNodeImages());
        new CoreV1Api(kube.client())
                .createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("w")))
                .execute();
    }

    @AfterAll
    void stop() {
        kube.close();
    }

    /** One open watch: its events as they arrive. */
    private final class Stream implements AutoCloseable {
        final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        final HttpResponse<InputStream> response;
        final Thread reader;

        Stream(String query) throws Exception {
            response = http.send(
                    HttpRequest.newBuilder(
                                    URI.create(kube.url() + "/api/v1/namespaces/w/configmaps?watch=true&" + query))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            reader = new Thread(() -> {
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        events.add(Json.parse(line));
                    }
                    events.add(Json.obj().put("type", "END"));
                } catch (Exception e) {
                    events.add(Json.obj().put("type", "END"));
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        JsonNode next() throws InterruptedException {
            JsonNode e = events.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("an event within 10 s").isNotNull();
            return e;
        }

        @Override
        public void close() throws Exception {
            response.body().close();
        }
    }

    private String send(String method, String path, String body, String contentType) throws Exception {
        HttpResponse<String> r = RawApi.send(kube, method, path, body, contentType);
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
        return r.body();
    }

    /** A merge patch of ConfigMap {@code name} in namespace w. */
    private void mergePatch(String name, String patch) throws Exception {
        send("PATCH", "/api/v1/namespaces/w/configmaps/" + name, patch, "application/merge-patch+json");
    }

    private String create(String name, String labels) throws Exception {
        return send(
                "POST",
                "/api/v1/namespaces/w/configmaps",
                "{\"metadata\":{\"name\":\"" + name + "\",\"labels\":" + labels + "},\"data\":{\"k\":\"v\"}}",
                "application/json");
    }

    private String listVersion() throws Exception {
        return Json.text(
                Json.parse(send("GET", "/api/v1/namespaces/w/configmaps", null, "application/json")),
                "metadata",
                "resourceVersion");
    }

    private static String name(JsonNode event) {
        return Json.text(event, "object", "metadata", "name");
    }

    private static long version(JsonNode event) {
        return Long.parseLong(Json.text(event, "object", "metadata", "resourceVersion"));
    }

    @Test
    void aWatchFromTheListsResourceVersionSendsOnlyLaterChangesInOrder() throws Exception {
        create("before", "{}");
        String rv = listVersion();
        try (Stream s = new Stream("resourceVersion=" + rv + "&fieldSelector=metadata.name%3Dlater")) {
            assertThat(s.response.statusCode()).isEqualTo(200);
            assertThat(s.response.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(s.response.headers().firstValue("Content-Length")).isEmpty(); // chunked: no length
            create("later", "{}");
            mergePatch("later", "{\"data\":{\"k\":\"w\"}}");
            send("DELETE", "/api/v1/namespaces/w/configmaps/later", null, "application/json");
            JsonNode added = s.next();
            JsonNode modified = s.next();
            JsonNode deleted = s.next();
            assertThat(List.of(
                            added.path("type").asText(),
                            modified.path("type").asText(),
                            deleted.path("type").asText()))
                    .containsExactly("ADDED", "MODIFIED", "DELETED");
            assertThat(List.of(name(added), name(modified), name(deleted))).containsOnly("later");
            assertThat(version(added)).isGreaterThan(Long.parseLong(rv));
            assertThat(version(modified)).isGreaterThan(version(added));
            // a deletion has its own, newer resource version (etcd's revision of the delete)
            assertThat(version(deleted)).isGreaterThan(version(modified));
            assertThat(Json.text(modified, "object", "data", "k")).isEqualTo("w");
            assertThat(s.events).isEmpty();
        }
    }

    @Test
    void aWatchWithoutResourceVersionStartsWithAnAddedEventPerExistingObject() throws Exception {
        create("existing-a", "{\"set\":\"initial\"}");
        create("existing-b", "{\"set\":\"initial\"}");
        for (String from : new String[] {"", "resourceVersion=0&"}) {
            try (Stream s =
                    new Stream(from + "labelSelector=" + URLEncoder.encode("set=initial", StandardCharsets.UTF_8))) {
                JsonNode a = s.next();
                JsonNode b = s.next();
                assertThat(List.of(a.path("type").asText(), b.path("type").asText()))
                        .containsOnly("ADDED");
                assertThat(List.of(name(a), name(b))).containsExactlyInAnyOrder("existing-a", "existing-b");
                create("after-" + from.length(), "{\"set\":\"initial\"}");
                JsonNode c = s.next();
                assertThat(c.path("type").asText()).isEqualTo("ADDED");
                assertThat(name(c)).isEqualTo("after-" + from.length());
                send("DELETE", "/api/v1/namespaces/w/configmaps/after-" + from.length(), null, "application/json");
            }
        }
    }

    @Test
    void anObjectThatStopsMatchingTheLabelSelectorIsDeletedForTheWatchAndAddedWhenItMatchesAgain() throws Exception {
        create("flip", "{\"app\":\"x\"}");
        String rv = listVersion();
        try (Stream s = new Stream("resourceVersion=" + rv + "&labelSelector=app%3Dx")) {
            mergePatch("flip", "{\"metadata\":{\"labels\":{\"app\":null}}}");
            JsonNode gone = s.next();
            assertThat(gone.path("type").asText()).isEqualTo("DELETED");
            // the old state (still labelled), at the resource version of the change
            assertThat(Json.text(gone, "object", "metadata", "labels", "app")).isEqualTo("x");
            mergePatch("flip", "{\"metadata\":{\"labels\":{\"app\":\"x\"}}}");
            JsonNode back = s.next();
            assertThat(back.path("type").asText()).isEqualTo("ADDED");
            assertThat(version(back)).isGreaterThan(version(gone));
        }
    }

    @Test
    void timeoutSecondsEndsTheStream() throws Exception {
        long start = System.nanoTime();
        try (Stream s = new Stream("resourceVersion=" + listVersion() + "&timeoutSeconds=1")) {
            JsonNode end = s.events.poll(10, TimeUnit.SECONDS);
            assertThat(end).isNotNull();
            assertThat(end.path("type").asText()).isEqualTo("END");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isBetween(Duration.ofMillis(900), Duration.ofSeconds(8));
    }

    @Test
    void aResourceVersionOlderThanTheHistoryIsExpired() {
        AtomicLong rv = new AtomicLong();
        WatchHub hub = new WatchHub(rv::incrementAndGet);
        for (int i = 0; i < WatchHub.HISTORY + 5; i++) {
            hub.publish(null, "{\"metadata\":{\"resourceVersion\":\"" + rv.incrementAndGet() + "\"}}");
        }
        assertThat(hub.subscribeAfter(1, c -> {})).isNull();
        assertThat(hub.subscribeAfter(hub.oldestKept(), c -> {})).hasSize(WatchHub.HISTORY);
        assertThat(hub.subscribeAfter(rv.get(), c -> {})).isEmpty();
    }

    @Test
    void clientJavaWatchesOverHttpStreaming() throws Exception {
        ApiClient client = kube.client();
        CoreV1Api core = new CoreV1Api(client);
        String rv = listVersion();
        try (Watch<V1ConfigMap> watch = Watch.createWatch(
                client,
                core.listNamespacedConfigMap("w")
                        .watch(true)
                        .resourceVersion(rv)
                        .timeoutSeconds(5)
                        .buildCall(null),
                new TypeToken<Watch.Response<V1ConfigMap>>() {}.getType())) {
            create("seen-by-client-java", "{}");
            Watch.Response<V1ConfigMap> event = watch.next();
            assertThat(event.type).isEqualTo("ADDED");
            assertThat(event.object.getMetadata().getName()).isEqualTo("seen-by-client-java");
            assertThat(event.object.getData()).isEqualTo(Map.of("k", "v"));
        }
    }
}
