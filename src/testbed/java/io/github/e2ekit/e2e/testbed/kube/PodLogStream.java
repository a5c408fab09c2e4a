package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET …/pods/<name>/log?follow=true}, served as the kubelet serves it (kubernetes
 * {@code pkg/kubelet/server/server.go} {@code getContainerLogs} → {@code pkg/kubelet/kuberuntime/logs/logs.go}
 * {@code ReadLogs}): status 200 at once, then the container's output as {@code Transfer-Encoding: chunked}
 * {@code text/plain}, line by line as the container writes it, until the container exits (its last lines sent), the
 * pod is gone or the client leaves. Real {@code ReadLogs} follows the log file with fsnotify and stops once the
 * container is no longer running; here the log is read every {@link #POLL_MILLIS} ms from the byte offset sent so
 * far, and only whole lines are sent (CRI log files are line records).
 *
 * <p>Before the stream: the pod must exist (404); the container is {@code container=}, or the pod's only container
 * (else 400 "a container name must be specified for pod …, choose one of: […]"), and must be one of its containers
 * (400 "container … is not valid for pod …"): kubernetes {@code pkg/registry/core/pod/strategy.go}
 * {@code LogLocation}. A container that has not started answers 400 "container "c" in pod "p" is waiting to start:
 * REASON" ({@code ErrImagePull}: "image can't be pulled", {@code ImagePullBackOff}: "trying and failing to pull
 * image"); a waiting container that ran before (crash loop) serves its last instance's log without following:
 * kubernetes {@code pkg/kubelet/kubelet_pods.go} {@code validateContainerLogStatus}.
 *
 * <p>Options: {@code tailLines} (the last N lines, then new ones: {@code logs.go} {@code tail}) and
 * {@code limitBytes} (the stream ends after that many bytes) are honoured; {@code sinceSeconds}/{@code sinceTime}
 * and {@code timestamps} are not (the test bed keeps no time per line), nor {@code previous} (one log per container
 * across restarts).
 */
final class PodLogStream implements Runnable {
    static final long POLL_MILLIS = 200;

    /** Where a follower reads the container's log. */
    interface Source {
        FakeControllers.LogPiece from(String namespace, String pod, String container, long offset);
    }

    /**
     * What one log request asks for, checked against the pod before the stream starts: whose log, the options
     * honoured ({@code tailLines}, {@code limitBytes}: null when absent), and whether to follow it past what is
     * written (only while the container runs).
     */
    record LogRequest(
            String namespace, String pod, String container, Integer tailLines, Long limitBytes, boolean follow) {
        /** {@code namespace/pod container}, as the stream's error line names it. */
        @Override
        public String toString() {
            return namespace + "/" + pod + " " + container;
        }
    }

    private final HttpServerResponse response;
    private final Source source;
    private final LogRequest request;
    private final Thread thread;
    private volatile boolean closed;
    private long sent;

    private PodLogStream(HttpServerResponse response, Source source, LogRequest request) {
        this.response = response;
        this.source = source;
        this.request = request;
        this.thread = new Thread(
                this, "fake-kubelet-logs-" + request.namespace() + "-" + request.pod() + "-" + request.container());
        thread.setDaemon(true);
    }

    /** True when {@code request} follows a pod's log. */
    static boolean isFollow(HttpServerRequest request, ResourcePath rp) {
        if (rp == null
                || !"GET".equals(request.method().name())
                || !rp.group().isEmpty()
                || !"pods".equals(rp.plural())
                || !"log".equals(rp.subresource())) {
            return false;
        }
        String f = rp.query().get("follow");
        return f != null && (f.equals("true") || f.equals("1"));
    }

    /** Answers the request; returns the stream when one was started (the caller closes it on shutdown), else null. */
    static PodLogStream serve(HttpServerRequest request, ResourcePath rp, FakeApiDispatcher dispatcher, Source source) {
        HttpServerResponse resp = request.response();
        ResourceType pods = dispatcher.typeOf("", "v1", "pods");
        JsonNode p = dispatcher.find(pods, rp.namespace(), rp.name());
        if (p == null) {
            error(resp, 404, "NotFound", "pods \"" + rp.name() + "\" not found");
            return null;
        }
        List<String> names = new ArrayList<>();
        p.path("spec").path("containers").forEach(c -> names.add(c.path("name").asText()));
        List<String> all = new ArrayList<>(names);
        p.path("spec")
                .path("initContainers")
                .forEach(c -> all.add(c.path("name").asText()));
        String container = rp.query().get("container");
        if (container == null || container.isEmpty()) {
            if (names.size() != 1) {
                error(
                        resp,
                        400,
                        "BadRequest",
                        "a container name must be specified for pod " + rp.name() + ", choose one of: " + names);
                return null;
            }
            container = names.get(0);
        } else if (!all.contains(container)) {
            error(resp, 400, "BadRequest", "container " + container + " is not valid for pod " + rp.name());
            return null;
        }
        JsonNode status = containerStatus(p, container);
        JsonNode state = status == null ? null : status.path("state");
        boolean started = state != null && (state.has("running") || state.has("terminated"));
        boolean ranBefore = status != null && status.path("lastState").has("terminated");
        if (!started && !ranBefore) {
            error(resp, 400, "BadRequest", notStarted(status, container, rp.name()));
            return null;
        }
        Integer tail;
        Long limit;
        try {
            String t = rp.query().get("tailLines");
            tail = t == null || t.isBlank() ? null : Integer.valueOf(t.trim());
            String l = rp.query().get("limitBytes");
            limit = l == null || l.isBlank() ? null : Long.valueOf(l.trim());
        } catch (NumberFormatException e) {
            error(resp, 400, "BadRequest", "invalid tailLines or limitBytes: " + e.getMessage());
            return null;
        }
        PodLogStream stream = new PodLogStream(
                resp,
                source,
                new LogRequest(rp.namespace(), rp.name(), container, tail, limit, started && !state.has("terminated")));
        resp.setStatusCode(200).putHeader("Content-Type", "text/plain").setChunked(true);
        resp.closeHandler(v -> stream.closed = true);
        resp.exceptionHandler(e -> stream.closed = true);
        resp.writeHead();
        stream.thread.start();
        return stream;
    }

    /** kubelet_pods.go validateContainerLogStatus: why a container that never ran has no log. */
    private static String notStarted(JsonNode status, String container, String pod) {
        String which = "container \"" + container + "\" in pod \"" + pod + "\"";
        if (status == null) {
            return which + " is not available";
        }
        JsonNode waiting = status.path("state").path("waiting");
        if (waiting.isMissingNode()) {
            return which + " is waiting to start - no logs yet";
        }
        String reason = waiting.path("reason").asText("");
        return which + " is waiting to start: "
                + switch (reason) {
                    case "ErrImagePull" -> "image can't be pulled";
                    case "ImagePullBackOff" -> "trying and failing to pull image";
                    default -> reason;
                };
    }

    private static JsonNode containerStatus(JsonNode pod, String container) {
        for (String field : List.of("containerStatuses", "initContainerStatuses")) {
            for (JsonNode s : pod.path("status").path(field)) {
                if (container.equals(s.path("name").asText())) {
                    return s;
                }
            }
        }
        return null;
    }

    @Override
    public void run() {
        try {
            FakeControllers.LogPiece first = piece(0);
            String whole = first.ended() || !request.follow() ? first.text() : wholeLines(first.text());
            sent = whole.getBytes(StandardCharsets.UTF_8).length;
            String tailed = request.tailLines() == null ? whole : lastLines(whole, request.tailLines());
            if (!write(tailed) || first.ended() || !request.follow()) {
                return;
            }
            while (!closed) {
                Thread.sleep(POLL_MILLIS);
                FakeControllers.LogPiece piece = piece(sent);
                String text = piece.ended() ? piece.text() : wholeLines(piece.text());
                sent += text.getBytes(StandardCharsets.UTF_8).length;
                if (!write(text) || piece.ended()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            System.err.println("fake kubelet: following the log of " + request + " failed: " + e);
        } finally {
            end();
        }
    }

    private FakeControllers.LogPiece piece(long offset) {
        return source.from(request.namespace(), request.pod(), request.container(), offset);
    }

    private long written;

    /** Writes text (respecting limitBytes); false when the stream must end. */
    private boolean write(String text) {
        if (closed) {
            return false;
        }
        if (text.isEmpty()) {
            return true;
        }
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int n = b.length;
        Long limitBytes = request.limitBytes();
        if (limitBytes != null && written + n > limitBytes) {
            n = (int) Math.max(0, limitBytes - written);
        }
        try {
            response.write(Buffer.buffer().appendBytes(b, 0, n));
        } catch (IllegalStateException e) {
            return false; // the client has gone
        }
        written += n;
        return limitBytes == null || written < limitBytes;
    }

    private static String wholeLines(String text) {
        int nl = text.lastIndexOf('\n');
        return nl < 0 ? "" : text.substring(0, nl + 1);
    }

    static String lastLines(String text, int n) {
        if (n <= 0) {
            return "";
        }
        int end = text.endsWith("\n") ? text.length() - 1 : text.length();
        int i = end;
        for (int k = 0; k < n; k++) {
            i = text.lastIndexOf('\n', i - 1);
            if (i < 0) {
                return text;
            }
        }
        return text.substring(i + 1);
    }

    private void end() {
        closed = true;
        try {
            response.end();
        } catch (IllegalStateException e) {
            // already closed by the client
        }
    }

    boolean isClosed() {
        return closed && !thread.isAlive();
    }

    /** Ends the stream (server shutdown) and waits for its thread. */
    void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void error(HttpServerResponse resp, int code, String reason, String message) {
        resp.setStatusCode(code)
                .putHeader("Content-Type", "application/json")
                .end(Json.write(FakeApiDispatcher.statusBody(code, reason, message, null, null)));
    }
}
