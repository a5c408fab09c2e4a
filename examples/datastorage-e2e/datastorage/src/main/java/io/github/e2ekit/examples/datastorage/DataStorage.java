package io.github.e2ekit.examples.datastorage;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Executors;

/**
 * DataStorage: audit events in PostgreSQL, read through a Redis cache.
 *
 * <pre>
 *   POST /events        {"service": "...", "action": "..."}  → 201, the stored event (id and createdAt from PostgreSQL)
 *   GET  /events/{id}   → 200 and X-Cache: MISS (read from PostgreSQL, then cached) or HIT (from Redis); 404
 *   GET  /readyz        → 200 when PostgreSQL and Redis answer, else 503 naming the one that does not
 *   GET  /healthz       → 200 while the process serves
 *   GET  /version       → the source digest the image was built from (E2E_SOURCE_DIGEST)
 * </pre>
 *
 * {@code java -jar datastorage.jar migrate} applies the schema instead and exits (the migration Job).
 * Configuration from the environment: {@code DATABASE_URL} (JDBC), {@code DATABASE_USER},
 * {@code DATABASE_PASSWORD}, {@code REDIS_HOST}, {@code REDIS_PORT}, {@code PORT}, {@code DATASTORAGE_VERSION}.
 */
public final class DataStorage {
  private final Events events;
  private final EventCache cache;
  private final String version;
  private volatile String lastReadiness = "";

  DataStorage(Events events, EventCache cache, String version) {
    this.events = events;
    this.cache = cache;
    this.version = version;
  }

  public static void main(String[] args) throws Exception {
    Database db = Database.fromEnvironment();
    if (args.length > 0 && args[0].equals("migrate")) {
      System.exit(Migration.run(db) ? 0 : 1);
    }
    EventCache cache = EventCache.fromEnvironment();
    String version = env("DATASTORAGE_VERSION", "unknown");
    int port = Integer.parseInt(env("PORT", "8080"));
    new DataStorage(new Events(db), cache, version).serve(port);
    System.out.println("datastorage " + version + " listening on :" + port + ", database " + db.describe()
        + ", redis " + cache.describe());
  }

  static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  void serve(int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 64);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/healthz", ex -> send(ex, 200, "text/plain", "ok\n"));
    server.createContext("/version", ex -> send(ex, 200, "text/plain", version + "\n"));
    server.createContext("/readyz", this::readyz);
    server.createContext("/events", this::events);
    server.start();
  }

  private void readyz(HttpExchange ex) throws IOException {
    Optional<String> db = events.problem();
    Optional<String> redis = cache.problem();
    String state = db.map(p -> "database: " + p).orElse("") + (db.isPresent() && redis.isPresent() ? "; " : "")
        + redis.map(p -> "redis: " + p).orElse("");
    if (!state.equals(lastReadiness)) {
      // logged on change, so the pod's log says why it is not ready
      System.out.println(state.isEmpty() ? "ready: database and redis answer" : "not ready: " + state);
      lastReadiness = state;
    }
    if (state.isEmpty()) {
      send(ex, 200, "text/plain", "ready\n");
    } else {
      send(ex, 503, "text/plain", "not ready: " + state + "\n");
    }
  }

  private void events(HttpExchange ex) throws IOException {
    try {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (path.equals("/events") && method.equals("POST")) {
        AuditEvent in;
        try (InputStream body = ex.getRequestBody()) {
          in = AuditEvent.parse(new String(body.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          send(ex, 400, "text/plain", e.getMessage() + "\n");
          return;
        }
        AuditEvent stored = events.insert(in);
        ex.getResponseHeaders().add("Location", "/events/" + stored.id());
        send(ex, 201, "application/json", stored.json());
      } else if (path.startsWith("/events/") && method.equals("GET")) {
        long id;
        try {
          id = Long.parseLong(path.substring("/events/".length()));
        } catch (NumberFormatException e) {
          send(ex, 400, "text/plain", "event id must be a number\n");
          return;
        }
        Optional<String> cached = cache.get(id);
        if (cached.isPresent()) {
          ex.getResponseHeaders().add("X-Cache", "HIT");
          send(ex, 200, "application/json", cached.get());
          return;
        }
        Optional<AuditEvent> found = events.find(id);
        if (found.isEmpty()) {
          send(ex, 404, "text/plain", "no event " + id + "\n");
          return;
        }
        cache.put(id, found.get().json());
        ex.getResponseHeaders().add("X-Cache", "MISS");
        send(ex, 200, "application/json", found.get().json());
      } else {
        send(ex, 405, "text/plain", method + " " + path + " is not served\n");
      }
    } catch (Exception e) {
      System.out.println("request failed: " + e);
      send(ex, 500, "text/plain", "request failed: " + e.getMessage() + "\n");
    }
  }

  private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
