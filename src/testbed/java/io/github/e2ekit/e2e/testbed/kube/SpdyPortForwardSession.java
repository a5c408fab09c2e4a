package io.github.e2ekit.e2e.testbed.kube;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The server side of one {@code portforward.k8s.io} SPDY/3.1 connection, as the kubelet serves it (kubernetes
 * {@code pkg/kubelet/cri/streaming/portforward/httpstream.go}): the client opens streams whose headers carry
 * {@code streamtype} ({@code error} or {@code data}), {@code port} and {@code requestid}; a stream without a valid
 * port or type is refused (reset); every accepted stream gets an empty SYN_REPLY; once a request id has both its
 * error and data stream the port is forwarded. The data stream carries the connection both ways; a failure is
 * written to the error stream as {@code error forwarding port <p> to pod <pod>, uid <uid>: <reason>}; then the
 * error stream and the data stream are closed (FIN), in that order.
 *
 * <p>Bridging (containerd {@code internal/cri/server/sandbox_portforward_linux.go}, {@code portForward}): bytes are
 * copied both ways; when one direction ends (the pod closes, or the client half-closes its data stream) the
 * other gets at most one second before the connection is closed.
 *
 * <p>The transport is either the upgraded HTTP connection or a WebSocket tunnel
 * ({@code SPDY/3.1+portforward.k8s.io}, client-go {@code tools/portforward/tunneling_connection.go}): both are
 * plain byte streams here.
 */
final class SpdyPortForwardSession {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final long CLOSE_GRACE_MILLIS = 1000;

    private final PodRuntime runtime;
    private final PodRuntime.PodRef pod;
    private final String notRunning;
    private final Consumer<byte[]> transport;
    private final Runnable closeTransport;
    private final ByteQueue incoming = new ByteQueue();
    private final Spdy.HeaderCompressor compressor = new Spdy.HeaderCompressor();
    private final Spdy.HeaderDecompressor decompressor = new Spdy.HeaderDecompressor();
    private final Map<Integer, Stream> streams = new ConcurrentHashMap<>();
    private final Map<String, Pair> pairs = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** One stream the client opened. */
    private static final class Stream {
        final int id;
        final String type;
        final int port;
        final String requestId;
        final ByteQueue toPod = new ByteQueue();
        volatile boolean reset;
        volatile boolean remoteFin;

        Stream(int id, String type, int port, String requestId) {
            this.id = id;
            this.type = type;
            this.port = port;
            this.requestId = requestId;
        }
    }

    /** The error and data streams of one forwarded connection. */
    private static final class Pair {
        Stream error;
        Stream data;
        volatile PodRuntime.Connection connection;
        volatile boolean finished;
    }

    /**
     * {@code transport} sends bytes to the client (called by one thread at a time, in order);
     * {@code notRunning}: why the pod cannot be forwarded to, or null.
     */
    SpdyPortForwardSession(
            PodRuntime runtime,
            PodRuntime.PodRef pod,
            String notRunning,
            Consumer<byte[]> transport,
            Runnable closeTransport) {
        this.runtime = runtime;
        this.pod = pod;
        this.notRunning = notRunning;
        this.transport = transport;
        this.closeTransport = closeTransport;
    }

    /** Bytes from the client (any thread; the array is kept). */
    void received(byte[] bytes) {
        incoming.write(bytes);
    }

    /** The client's side of the transport has ended. */
    void transportClosed() {
        incoming.close();
    }

    /** Starts reading frames. */
    void start() {
        thread("spdy-port-forward-" + pod.name(), this::readLoop);
    }

    private void readLoop() {
        try (InputStream in = incoming.input()) {
            Spdy.Frame f;
            while (!closed && (f = Spdy.read(in)) != null) {
                if (f instanceof Spdy.Data d) {
                    onData(d);
                } else if (f instanceof Spdy.Control c) {
                    if (!onControl(c)) {
                        break;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the connection broke or sent garbage: end it like spdystream's Serve loop does
        } finally {
            close();
            decompressor.close();
        }
    }

    /** Returns false when the connection is over (GOAWAY). */
    private boolean onControl(Spdy.Control c) throws IOException {
        switch (c.type()) {
            case Spdy.SYN_STREAM -> onSynStream(c);
            case Spdy.RST_STREAM -> {
                Stream s = streams.remove(c.streamId());
                if (s != null) {
                    s.reset = true;
                    s.toPod.close();
                    Pair p = pairs.get(s.requestId);
                    if (p != null && p.connection != null) {
                        p.connection.close();
                    }
                }
            }
            case Spdy.PING -> send(Spdy.control(Spdy.PING, 0, c.payload())); // spdystream echoes the peer's pings
            case Spdy.GOAWAY -> {
                return false;
            }
            default -> {
                // SETTINGS, WINDOW_UPDATE, HEADERS: spdystream needs no answer (it does no flow control)
            }
        }
        return true;
    }

    private void onSynStream(Spdy.Control c) throws IOException {
        int id = c.streamId();
        Map<String, List<String>> headers = decompressor.decompress(Spdy.synStreamHeaderBlock(c));
        String type = first(headers, "streamtype");
        String portText = first(headers, "port");
        String requestId = first(headers, "requestid");
        int port;
        try {
            port = portText == null ? -1 : Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        // httpstream.go httpStreamReceived: a valid port and stream type are required, else the stream is reset
        if (port < 1 || port > 65535 || !("error".equals(type) || "data".equals(type))) {
            send(Spdy.rstStream(id, Spdy.CANCEL));
            return;
        }
        if (requestId == null) {
            // httpstream.go requestID: old clients send none; pair by stream id (error n, data n+2)
            requestId = Integer.toString("error".equals(type) ? id : id - 2);
        }
        Stream s = new Stream(id, type, port, requestId);
        if ((c.flags() & Spdy.FLAG_FIN) != 0) {
            s.remoteFin = true;
            s.toPod.close();
        }
        streams.put(id, s);
        synchronized (this) {
            if (closed) {
                return;
            }
            send(Spdy.synReply(id, 0, compressor.compress(Map.of())));
        }
        Pair p = pairs.computeIfAbsent(requestId, k -> new Pair());
        boolean complete;
        synchronized (p) {
            if ("error".equals(type)) {
                if (p.error != null) {
                    error(p, "error processing stream for request " + requestId + ": error stream already assigned");
                    return;
                }
                p.error = s;
            } else {
                if (p.data != null) {
                    error(p, "error processing stream for request " + requestId + ": data stream already assigned");
                    return;
                }
                p.data = s;
            }
            complete = p.error != null && p.data != null;
        }
        if (complete) {
            thread("spdy-port-forward-" + pod.name() + "-" + port, () -> forward(p));
        }
    }

    private void onData(Spdy.Data d) {
        Stream s = streams.get(d.streamId());
        if (s == null) {
            return;
        }
        if (d.data().length > 0 && "data".equals(s.type)) {
            s.toPod.write(d.data());
        }
        if (d.fin()) {
            s.remoteFin = true;
            s.toPod.close();
            Pair p = pairs.get(s.requestId);
            if ("data".equals(s.type) && p != null) {
                // containerd: the client-to-pod copy has ended; the other direction gets one second
                thread("spdy-port-forward-grace", () -> {
                    sleep(CLOSE_GRACE_MILLIS);
                    PodRuntime.Connection conn = p.connection;
                    if (!p.finished && conn != null) {
                        conn.close();
                    }
                });
            }
        }
    }

    private void forward(Pair p) {
        Stream data = p.data;
        try {
            if (notRunning != null) {
                error(p, message(data.port, notRunning));
                return;
            }
            PodRuntime.Connection c;
            try {
                c = runtime.connect(pod, data.port);
            } catch (IOException | RuntimeException e) {
                error(p, message(data.port, e.getMessage()));
                return;
            }
            p.connection = c;
            if (closed || data.reset) {
                c.close();
                return;
            }
            thread("spdy-port-forward-in-" + data.port, () -> {
                byte[] buf = new byte[8192];
                try (InputStream in = data.toPod.input()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        c.output().write(buf, 0, n);
                        c.output().flush();
                    }
                } catch (IOException e) {
                    // the pod side is gone
                }
            });
            byte[] buf = new byte[32 * 1024];
            try (InputStream in = c.input()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (n > 0 && !data.reset && !closed) {
                        send(Spdy.data(data.id, false, buf, 0, n));
                    }
                }
            } catch (IOException e) {
                // connection ended
            }
            if (!closed && !data.reset) {
                c.failure().ifPresent(f -> error(p, message(data.port, f)));
            }
            c.close();
        } finally {
            p.finished = true;
            // httpstream.go portForward: defer dataStream.Close(); defer errorStream.Close() -> error first, then data
            finish(p.error);
            finish(data);
            pairs.remove(data.requestId);
        }
    }

    private String message(int port, String reason) {
        return "error forwarding port " + port + " to pod " + pod.namespace() + "/" + pod.name() + ", uid " + pod.uid()
                + ": " + reason;
    }

    private void error(Pair p, String message) {
        Stream e = p.error;
        if (e != null && !e.reset) {
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            send(Spdy.data(e.id, false, bytes, 0, bytes.length));
        }
    }

    private void finish(Stream s) {
        if (s != null && !s.reset && !closed) {
            send(Spdy.data(s.id, true, new byte[0], 0, 0));
        }
        if (s != null && s.remoteFin) {
            streams.remove(s.id);
        }
    }

    private synchronized void send(byte[] frame) {
        if (closed) {
            return;
        }
        try {
            transport.accept(frame);
        } catch (RuntimeException e) {
            close();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Ends the session: every forwarded connection and the transport. Idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        incoming.close();
        for (Stream s : streams.values()) {
            s.toPod.close();
        }
        for (Pair p : pairs.values()) {
            PodRuntime.Connection c = p.connection;
            if (c != null) {
                thread("spdy-port-forward-close", c::close);
            }
        }
        synchronized (this) {
            compressor.close();
        }
        try {
            closeTransport.run();
        } catch (RuntimeException e) {
            // already closed
        }
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void thread(String name, Runnable r) {
        Thread t = new Thread(r, name + "-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        t.start();
    }
}
