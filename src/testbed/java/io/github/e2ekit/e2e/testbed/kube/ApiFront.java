package io.github.e2ekit.e2e.testbed.kube;

import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.HttpServerRequestHandler;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetSocket;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The fake API server's HTTP front: what the fabric8 mock cannot serve is answered here, everything else goes to
 * the CRUD dispatcher as before.
 *
 * <ul>
 *   <li>HTTP streaming watches ({@link WatchStream}); the mock only serves WebSocket watches.</li>
 *   <li>{@code pods/portforward} upgraded to SPDY/3.1 ({@code Upgrade: SPDY/3.1},
 *       {@code X-Stream-Protocol-Version: portforward.k8s.io}) and SPDY tunnelled over a WebSocket
 *       ({@code SPDY/3.1+portforward.k8s.io}), what kubectl speaks; see {@link SpdyPortForwardSession}.</li>
 *   <li>{@code pods/log?follow=true}, streamed as the kubelet does ({@link PodLogStream}).</li>
 *   <li>OpenAPI v3 discovery ({@link OpenApiV3}), which {@code kubectl apply} reads before it writes.</li>
 * </ul>
 */
final class ApiFront implements AutoCloseable {
    /** client-go {@code k8s.io/apimachinery/pkg/util/portforward}: {@code WebsocketsSPDYTunnelingPrefix} + protocol. */
    static final String SPDY_TUNNEL_PROTOCOL = "SPDY/3.1+portforward.k8s.io";

    static final String PORT_FORWARD_PROTOCOL = "portforward.k8s.io";

    private final FakeApiDispatcher dispatcher;
    private final Vertx vertx;
    private final HttpServer server;
    private final HttpServerRequestHandler crud;
    private final List<SpdyPortForwardSession> sessions = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<PodLogStream> logStreams = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ApiFaults faults;

    ApiFront(FakeApiDispatcher dispatcher) {
        this.dispatcher = dispatcher;
        // the CRUD dispatcher blocks its event loop thread while it waits for its lock: do not warn about that
        this.vertx = Vertx.vertx(new VertxOptions()
                .setMaxEventLoopExecuteTime(60)
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS)
                .setWarningExceptionTime(60)
                .setWarningExceptionTimeUnit(TimeUnit.SECONDS));
        this.faults = new ApiFaults(vertx);
        this.crud = new HttpServerRequestHandler(vertx) {
            @Override
            protected MockResponse onHttpRequest(RecordedRequest request) {
                return faults.afterDispatch(request, dispatcher.dispatch(request));
            }
        };
        HttpServerOptions options = new HttpServerOptions()
                .setHost("127.0.0.1")
                .setPort(0)
                .setHandle100ContinueAutomatically(true)
                .setWebSocketSubProtocols(List.of(
                        "v5.channel.k8s.io",
                        "v4.channel.k8s.io",
                        "v3.channel.k8s.io",
                        "v2.channel.k8s.io",
                        "channel.k8s.io",
                        SPDY_TUNNEL_PROTOCOL));
        this.server = vertx.createHttpServer(options).requestHandler(r -> {
            if (!faults.intercept(r, () -> handle(r))) {
                handle(r);
            }
        });
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("fake API server: cannot listen on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    /** Followed logs still being served (a client that left is noticed within a poll). */
    int openLogStreams() {
        logStreams.removeIf(PodLogStream::isClosed);
        return logStreams.size();
    }

    int port() {
        return server.actualPort();
    }

    ApiFaults faults() {
        return faults;
    }

    private void handle(HttpServerRequest request) {
        String uri = request.uri();
        String bare = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        if (request.method().name().equals("GET") && (bare.equals("/openapi/v3") || bare.startsWith("/openapi/v3/"))) {
            openApi(request, bare);
            return;
        }
        ResourcePath rp = ResourcePath.parse(uri);
        if (PodLogStream.isFollow(request, rp)) {
            PodLogStream stream = PodLogStream.serve(request, rp, dispatcher, dispatcher.logFollow());
            if (stream != null) {
                logStreams.removeIf(PodLogStream::isClosed);
                logStreams.add(stream);
            }
            return;
        }
        if (WatchStream.isStreamingWatch(request, rp)) {
            WatchStream.serve(request, rp, dispatcher, dispatcher.watchHub(), vertx);
            return;
        }
        if (rp != null
                && rp.group().isEmpty()
                && "pods".equals(rp.plural())
                && "portforward".equals(rp.subresource())) {
            if (isSpdyUpgrade(request)) {
                spdyUpgrade(request, rp);
                return;
            }
            if (offersTunnel(request)) {
                spdyTunnel(request, rp);
                return;
            }
        }
        crud.handle(request);
    }

    private void openApi(HttpServerRequest request, String bare) {
        List<ResourceType> types = new ArrayList<>(ResourceType.BUILT_IN);
        types.addAll(dispatcher.customTypes(false)); // published with discovery, after the same delay
        if (bare.equals("/openapi/v3")) {
            json(request.response(), 200, Json.write(OpenApiV3.root(types)));
            return;
        }
        Optional<com.fasterxml.jackson.databind.node.ObjectNode> doc = OpenApiV3.groupVersion(types, bare);
        if (doc.isPresent()) {
            json(request.response(), 200, Json.write(doc.get()));
        } else {
            json(
                    request.response(),
                    404,
                    Json.write(FakeApiDispatcher.statusBody(
                            404, "NotFound", "the server could not find the requested resource", null, null)));
        }
    }

    // ------------------------------------------------------------------ port-forward over SPDY

    private static boolean isSpdyUpgrade(HttpServerRequest request) {
        String connection = request.getHeader("Connection");
        String upgrade = request.getHeader("Upgrade");
        return connection != null
                && connection.toLowerCase(Locale.ROOT).contains("upgrade")
                && upgrade != null
                && upgrade.toLowerCase(Locale.ROOT).contains("spdy/3.1");
    }

    private static boolean offersTunnel(HttpServerRequest request) {
        String upgrade = request.getHeader("Upgrade");
        String protocols = request.getHeader("Sec-WebSocket-Protocol");
        return upgrade != null
                && upgrade.equalsIgnoreCase("websocket")
                && protocols != null
                && List.of(protocols.split("\\s*,\\s*")).contains(SPDY_TUNNEL_PROTOCOL);
    }

    /**
     * The kubelet's answer to an HTTP upgrade: subprotocol negotiation (apimachinery
     * {@code pkg/util/httpstream/httpstream.go}, {@code Handshake}: 400 without {@code X-Stream-Protocol-Version},
     * 403 when none is supported), then 101 with {@code Connection: Upgrade}, {@code Upgrade: SPDY/3.1} and the
     * chosen protocol ({@code pkg/util/httpstream/spdy/upgrade.go}, {@code UpgradeResponse}).
     */
    private void spdyUpgrade(HttpServerRequest request, ResourcePath rp) {
        PortForwardTarget target =
                PortForwardTarget.resolve(dispatcher, rp, request.method().name());
        if (target.error() != null) {
            send(request.response(), target.error());
            return;
        }
        List<String> offered = new ArrayList<>();
        for (String h : request.headers().getAll("X-Stream-Protocol-Version")) {
            for (String p : h.split(",")) {
                if (!p.isBlank()) {
                    offered.add(p.trim());
                }
            }
        }
        if (offered.isEmpty()) {
            plain(request.response(), 400, "unable to upgrade: X-Stream-Protocol-Version is required");
            return;
        }
        if (!offered.contains(PORT_FORWARD_PROTOCOL)) {
            request.response().putHeader("X-Accepted-Stream-Protocol-Versions", PORT_FORWARD_PROTOCOL);
            plain(
                    request.response(),
                    403,
                    "unable to upgrade: unable to negotiate protocol: client supports " + offered + ", server accepts ["
                            + PORT_FORWARD_PROTOCOL + "]");
            return;
        }
        request.response()
                .putHeader("X-Stream-Protocol-Version", PORT_FORWARD_PROTOCOL)
                .putHeader("Connection", "Upgrade")
                .putHeader("Upgrade", "SPDY/3.1");
        upgradeToSocket(request)
                .onSuccess(socket -> {
                    SpdyPortForwardSession session = new SpdyPortForwardSession(
                            dispatcher.podRuntime(),
                            target.pod(),
                            target.notRunning(),
                            bytes -> socket.write(Buffer.buffer(bytes)),
                            () -> closeQuietly(socket));
                    track(session);
                    socket.handler(b -> session.received(b.getBytes()));
                    socket.closeHandler(v -> session.transportClosed());
                    socket.exceptionHandler(e -> session.transportClosed());
                    session.start();
                })
                .onFailure(e -> System.err.println("fake API server: port-forward upgrade failed: " + e));
    }

    /**
     * {@code request.toNetSocket()}, except that Vert.x only upgrades GET requests while kubectl's SPDY upgrade is a
     * POST (client-go {@code tools/portforward}: {@code restClient.Post()...SubResource("portforward")}); Vert.x's
     * own upgrade (101 with the response headers set so far, then the raw connection) is called as for a GET.
     */
    @SuppressWarnings("unchecked")
    private static Future<NetSocket> upgradeToSocket(HttpServerRequest request) {
        if (request.method() == HttpMethod.GET) {
            return request.toNetSocket();
        }
        try {
            Method m = request.response().getClass().getDeclaredMethod("netSocket", HttpMethod.class, MultiMap.class);
            m.setAccessible(true);
            return (Future<NetSocket>) m.invoke(request.response(), HttpMethod.GET, request.headers());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /**
     * SPDY tunnelled through a WebSocket (the API server's {@code PortForwardWebsockets} handling, 1.30+): the
     * WebSocket's binary messages are one byte stream in each direction, carrying the same SPDY session.
     */
    private void spdyTunnel(HttpServerRequest request, ResourcePath rp) {
        PortForwardTarget target =
                PortForwardTarget.resolve(dispatcher, rp, request.method().name());
        if (target.error() != null) {
            send(request.response(), target.error());
            return;
        }
        request.toWebSocket().onSuccess(ws -> {
            if (!SPDY_TUNNEL_PROTOCOL.equals(ws.subProtocol())) {
                ws.close((short) 1002, "unsupported subprotocol");
                return;
            }
            SpdyPortForwardSession session = new SpdyPortForwardSession(
                    dispatcher.podRuntime(),
                    target.pod(),
                    target.notRunning(),
                    bytes -> ws.writeBinaryMessage(Buffer.buffer(bytes)),
                    () -> closeQuietly(ws));
            track(session);
            ws.binaryMessageHandler(b -> session.received(b.getBytes()));
            ws.closeHandler(v -> session.transportClosed());
            ws.exceptionHandler(e -> session.transportClosed());
            session.start();
        });
    }

    private void track(SpdyPortForwardSession session) {
        sessions.removeIf(SpdyPortForwardSession::isClosed);
        sessions.add(session);
    }

    private static void closeQuietly(NetSocket socket) {
        try {
            socket.close();
        } catch (RuntimeException e) {
            // already closed
        }
    }

    private static void closeQuietly(ServerWebSocket ws) {
        try {
            ws.close();
        } catch (RuntimeException e) {
            // already closed
        }
    }

    // ------------------------------------------------------------------ responses

    private static void send(HttpServerResponse response, MockResponse r) {
        response.setStatusCode(r.code());
        r.getHeaders().toMultimap().forEach((k, v) -> response.putHeader(k, v));
        response.end(
                r.getBody() == null
                        ? Buffer.buffer()
                        : Buffer.buffer(r.getBody().getBytes()));
    }

    private static void json(HttpServerResponse response, int code, String body) {
        response.setStatusCode(code)
                .putHeader("Content-Type", "application/json")
                .end(body);
    }

    private static void plain(HttpServerResponse response, int code, String body) {
        response.setStatusCode(code)
                .putHeader("Content-Type", "text/plain; charset=utf-8")
                .end(body + "\n");
    }

    @Override
    public void close() {
        for (SpdyPortForwardSession s : sessions) {
            s.close();
        }
        sessions.clear();
        logStreams.forEach(PodLogStream::close);
        logStreams.clear();
        try {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
        vertx.close();
    }
}
