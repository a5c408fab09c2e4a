package it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class DataStorageIT {
    @Test
    void theEndpointServesTheImageBuiltFromTheseSources() throws Exception {
        String url = System.getProperty("e2e.endpoint.datastorage.url");
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url + "/version"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(System.getProperty("e2e.digest.datastorage"), r.body().trim());
    }
}
