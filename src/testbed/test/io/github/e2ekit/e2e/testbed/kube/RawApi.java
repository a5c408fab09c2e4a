package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP requests to a fake API server, for the tests that pin what goes over the wire (codes, Status bodies). */
final class RawApi {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private RawApi() {}

    /** An answer: its status code and its JSON body (an empty object when it had none). */
    record Answer(int code, JsonNode body) {
        String message() {
            return Json.text(body, "message");
        }

        String reason() {
            return Json.text(body, "reason");
        }
    }

    /** {@code method path} with {@code body} (none when null) sent as {@code contentType}; the whole answer. */
    static HttpResponse<String> send(FakeKubernetes kube, String method, String path, String body, String contentType)
            throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(kube.url() + path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", contentType)
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** As {@link #send}, the answer's code and parsed body. */
    static Answer call(FakeKubernetes kube, String method, String path, String body, String contentType)
            throws Exception {
        HttpResponse<String> r = send(kube, method, path, body, contentType);
        return new Answer(r.statusCode(), r.body().isBlank() ? Json.obj() : Json.parse(r.body()));
    }
}
