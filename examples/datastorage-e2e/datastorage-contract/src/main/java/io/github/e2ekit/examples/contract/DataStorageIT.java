package io.github.e2ekit.examples.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The suite each consumer runs against its own DataStorage (failsafe {@code dependenciesToScan}): an audit event
 * goes into PostgreSQL and comes back, the second read comes from Redis, and DataStorage was built from this work
 * tree.
 */
public class DataStorageIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");

  private static String base() {
    return System.getProperty("e2e.endpoint.datastorage.url");
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String json) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** One line per proof in the build's output, named after the service that runs the suite. */
  private static void proof(String what) {
    System.out.println("datastorage-contract [" + System.getProperty("e2e.service", "?") + "]: " + what);
  }

  private static long idOf(String json) {
    Matcher m = ID.matcher(json);
    assertTrue(m.find(), "no id in " + json);
    return Long.parseLong(m.group(1));
  }

  @Test
  void anAuditEventIsStoredInPostgresqlAndReadBack() throws Exception {
    String action = "contract-" + UUID.randomUUID();
    HttpResponse<String> created = post("/events", "{\"service\":\"contract\",\"action\":\"" + action + "\"}");
    assertEquals(201, created.statusCode(), created.body());
    long id = idOf(created.body());
    assertTrue(created.body().contains("\"createdAt\":\""), "PostgreSQL sets createdAt: " + created.body());

    HttpResponse<String> read = get("/events/" + id);
    assertEquals(200, read.statusCode(), read.body());
    assertEquals("MISS", read.headers().firstValue("X-Cache").orElse(""),
        "the first read of a new event comes from PostgreSQL");
    assertTrue(read.body().contains("\"action\":\"" + action + "\""), read.body());
    assertEquals(id, idOf(read.body()));

    HttpResponse<String> other = post("/events", "{\"service\":\"contract\",\"action\":\"second\"}");
    assertEquals(201, other.statusCode(), other.body());
    assertNotEquals(id, idOf(other.body()), "PostgreSQL's sequence gives every event its own id");
    proof("event " + id + " written to PostgreSQL and read back from it (X-Cache: MISS)");
  }

  @Test
  void theSecondReadOfAnEventComesFromTheRedisCache() throws Exception {
    HttpResponse<String> created = post("/events", "{\"service\":\"contract\",\"action\":\"cached\"}");
    assertEquals(201, created.statusCode(), created.body());
    long id = idOf(created.body());

    HttpResponse<String> first = get("/events/" + id);
    HttpResponse<String> second = get("/events/" + id);
    assertEquals("MISS", first.headers().firstValue("X-Cache").orElse(""));
    assertEquals("HIT", second.headers().firstValue("X-Cache").orElse(""),
        "the event read once must be served from Redis");
    assertEquals(first.body(), second.body(), "the cache holds what PostgreSQL returned");
    proof("event " + id + " read again from Redis (X-Cache: HIT)");
  }

  @Test
  void anUnknownEventIsNotFound() throws Exception {
    assertEquals(404, get("/events/999999999").statusCode());
  }

  @Test
  void dataStorageRunsTheSourcesOfThisWorkTree() throws Exception {
    HttpResponse<String> version = get("/version");
    assertEquals(200, version.statusCode());
    assertEquals(System.getProperty("e2e.digest.datastorage"), version.body().trim(),
        "DataStorage answers another source digest than the plugin computed: stale image");
    proof("/version " + version.body().trim() + " = the digest the plugin computed (fresh image)");
  }

  @Test
  void dataStorageIsReadyBecausePostgresqlAndRedisAnswer() throws Exception {
    HttpResponse<String> ready = get("/readyz");
    assertEquals(200, ready.statusCode(), ready.body());
    assertEquals(200, get("/healthz").statusCode());
  }
}
