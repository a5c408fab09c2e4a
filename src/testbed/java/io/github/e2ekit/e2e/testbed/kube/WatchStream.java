package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One HTTP streaming watch ({@code GET …?watch=true}), served as the API server does: status 200 at once, then
 * {@code Transfer-Encoding: chunked} JSON lines {@code {"type":…,"object":…}} until {@code timeoutSeconds} or the
 * client leaves (kubernetes {@code staging/src/k8s.io/apiserver/pkg/endpoints/handlers/watch.go},
 * {@code WatchServer.HandleHTTP}; JSON is served as {@code application/json}).
 *
 * <p>Where it starts ({@code resourceVersion}, kubernetes docs "Semantics for watch" and the watch cache,
 * {@code staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go}): unset or {@code "0"} sends a synthetic
 * {@code ADDED} for every matching object, then changes; a version {@code N} sends the changes after N; a version
 * older than the retained history sends one {@code ERROR} event with a {@code 410 Expired} Status and ends.
 * With {@code sendInitialEvents=true} the initial {@code ADDED} events are followed by a {@code BOOKMARK}
 * annotated {@code k8s.io/initial-events-end: "true"} (watch-list, KEP 3157).
 *
 * <p>Filtering ({@code staging/src/k8s.io/apiserver/pkg/storage/cacher/cache_watcher.go},
 * {@code convertToWatchEvent}): a change whose new state matches and old state did not is {@code ADDED}; both
 * match, {@code MODIFIED}; only the old state matched (including a deletion), {@code DELETED} with the old state
 * at the change's resource version.
 */
final class WatchStream implements WatchHub.Subscriber {
    /** kube-apiserver's {@code --min-request-timeout} default: watches without timeoutSeconds last about this long. */
    private static final long DEFAULT_TIMEOUT_SECONDS = 1800;

    private final HttpServerResponse response;
    private final ResourceType type;
    private final Predicate<JsonNode> matches;
    private final Object writeLock = new Object();
    private List<WatchHub.Change> held = new ArrayList<>();
    private volatile boolean ended;
    private WatchHub hub;

    private WatchStream(HttpServerResponse response, ResourceType type, Predicate<JsonNode> matches) {
        this.response = response;
        this.type = type;
        this.matches = matches;
    }

    /** True when {@code request} asks for an HTTP streaming watch (a WebSocket watch is left to the mock). */
    static boolean isStreamingWatch(HttpServerRequest request, ResourcePath rp) {
        if (rp == null || !"GET".equals(request.method().name()) || rp.subresource() != null) {
            return false;
        }
        String w = rp.query().get("watch");
        boolean watch = w != null && (w.equals("true") || w.equals("1"));
        String upgrade = request.getHeader("Upgrade");
        return watch && (upgrade == null || !upgrade.equalsIgnoreCase("websocket"));
    }

    /** Serves the watch; answers 404/400 with a Status when the resource or a selector is unknown. */
    static void serve(
            HttpServerRequest request, ResourcePath rp, FakeApiDispatcher dispatcher, WatchHub hub, Vertx vertx) {
        ResourceType type = dispatcher.typeOf(rp.group(), rp.version(), rp.plural());
        if (type == null) {
            error(request.response(), 404, "NotFound", "the server could not find the requested resource");
            return;
        }
        Predicate<JsonNode> matches;
        long timeoutSeconds;
        long from;
        try {
            Predicate<JsonNode> labels = Selectors.labels(rp.query().get("labelSelector"));
            Predicate<JsonNode> fields = Selectors.fields(rp.query().get("fieldSelector"));
            String ns = type.namespaced() ? rp.namespace() : null;
            String name = rp.name();
            matches = o -> o != null
                    && type.groupVersion().equals(Json.text(o, "apiVersion"))
                    && type.kind().equals(Json.text(o, "kind"))
                    && (ns == null || ns.equals(Json.text(o, "metadata", "namespace")))
                    && (name == null || name.equals(Json.text(o, "metadata", "name")))
                    && labels.test(o)
                    && fields.test(o);
            String t = rp.query().get("timeoutSeconds");
            timeoutSeconds = t == null || t.isBlank() ? DEFAULT_TIMEOUT_SECONDS : Long.parseLong(t.trim());
            from = WatchHub.parseVersion(rp.query().get("resourceVersion"));
        } catch (IllegalArgumentException e) {
            error(request.response(), 400, "BadRequest", e.getMessage());
            return;
        }
        boolean initialEvents = from == 0 || "true".equals(rp.query().get("sendInitialEvents"));
        boolean initialEndBookmark = "true".equals(rp.query().get("sendInitialEvents"))
                && "true".equals(rp.query().get("allowWatchBookmarks"));

        WatchStream stream = new WatchStream(request.response(), type, matches);
        stream.hub = hub;
        HttpServerResponse resp = request.response();
        resp.setStatusCode(200).putHeader("Content-Type", "application/json").setChunked(true);
        resp.closeHandler(v -> stream.end());
        resp.exceptionHandler(e -> stream.end());

        List<JsonNode> initial = new ArrayList<>();
        List<WatchHub.Change> replay;
        if (initialEvents) {
            String namespace = type.namespaced() ? rp.namespace() : null;
            long[] listVersion = new long[1];
            replay = dispatcher.atomically(() -> {
                initial.addAll(dispatcher.list(type, namespace));
                listVersion[0] = hub.lastVersion();
                hub.subscribe(stream);
                return new ArrayList<>();
            });
            initial.removeIf(matches.negate());
            resp.writeHead();
            stream.start(initial, replay, initialEndBookmark ? listVersion[0] : -1);
        } else {
            replay = hub.subscribeAfter(from, stream);
            resp.writeHead();
            if (replay == null) {
                // cacher.go: an expired version gives a watcher that sends one error event and ends
                ObjectNode st = FakeApiDispatcher.statusBody(
                        410,
                        "Expired",
                        "too old resource version: " + from + " (" + hub.oldestKept() + ")",
                        null,
                        null);
                stream.write("ERROR", st);
                stream.end();
                return;
            }
            stream.start(List.of(), replay, -1);
        }
        long timer = vertx.setTimer(Math.max(1, timeoutSeconds) * 1000, id -> stream.end());
        resp.closeHandler(v -> {
            vertx.cancelTimer(timer);
            stream.end();
        });
    }

    private void start(List<JsonNode> initial, List<WatchHub.Change> replay, long initialEndVersion) {
        synchronized (writeLock) {
            for (JsonNode o : initial) {
                write("ADDED", o);
            }
            if (initialEndVersion >= 0) {
                ObjectNode bookmark = Json.obj().put("kind", type.kind()).put("apiVersion", type.groupVersion());
                ObjectNode meta =
                        bookmark.putObject("metadata").put("resourceVersion", Long.toString(initialEndVersion));
                meta.putObject("annotations").put("k8s.io/initial-events-end", "true");
                write("BOOKMARK", bookmark);
            }
            for (WatchHub.Change c : replay) {
                send(c);
            }
            for (WatchHub.Change c : held) {
                send(c);
            }
            held = null;
        }
    }

    @Override
    public void changed(WatchHub.Change change) {
        synchronized (writeLock) {
            if (held != null) {
                held.add(change);
                return;
            }
            send(change);
        }
    }

    private void send(WatchHub.Change c) {
        JsonNode after = c.after();
        JsonNode before = c.before();
        boolean now = after != null && matches.test(after);
        boolean was = before != null && matches.test(before);
        if (now && !was) {
            write("ADDED", after);
        } else if (now) {
            write("MODIFIED", after);
        } else if (was) {
            // the old state, at the change's resource version (an object deleted or no longer matching)
            Json.with((ObjectNode) before, "metadata").put("resourceVersion", Long.toString(c.resourceVersion()));
            write("DELETED", before);
        }
    }

    private void write(String eventType, JsonNode object) {
        if (ended) {
            return;
        }
        ObjectNode event = Json.obj().put("type", eventType);
        event.set("object", Objects.requireNonNull(object));
        try {
            response.write(Buffer.buffer((Json.write(event) + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IllegalStateException e) {
            end(); // the client has gone
        }
    }

    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        if (hub != null) {
            hub.unsubscribe(this);
        }
        try {
            response.end();
        } catch (IllegalStateException e) {
            // already closed by the client
        }
    }

    private static void error(HttpServerResponse resp, int code, String reason, String message) {
        resp.setStatusCode(code)
                .putHeader("Content-Type", "application/json")
                .end(Json.write(FakeApiDispatcher.statusBody(code, reason, message, null, null)));
    }
}
