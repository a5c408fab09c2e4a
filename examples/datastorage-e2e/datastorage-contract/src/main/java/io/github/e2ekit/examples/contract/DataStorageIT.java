package io.github.e2ekit.examples.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The suite each consumer runs against its own DataStorage: it talks to DataStorage and proves that
 * DataStorage was built from this work tree.
 */
public class DataStorageIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> get(String path) throws Exception {
        String base = System.getProperty("e2e.endpoint.datastorage.url");
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void dataStorageRunsTheSourcesOfThisWorkTree() throws Exception {
        HttpResponse<String> version = get("/version");
        assertEquals(200, version.statusCode());
        assertEquals(System.getProperty("e2e.digest.datastorage"), version.body().trim(),
                "DataStorage answers another source digest than the plugin computed: stale image");
    }

    @Test
    void dataStorageIsReadyAndHealthy() throws Exception {
        assertEquals(200, get("/readyz").statusCode());
        assertEquals(200, get("/healthz").statusCode());
    }
}
