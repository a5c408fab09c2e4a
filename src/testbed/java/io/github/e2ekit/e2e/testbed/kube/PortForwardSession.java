package io.github.e2ekit.e2e.testbed.kube;

import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server side of one {@code pods/portforward} WebSocket ({@code v4.channel.k8s.io}), as the kubelet serves
 * it: for the i-th requested port, channel 2i carries data and channel 2i+1 errors; every binary message starts
 * with its channel byte; the first message on each channel is the port as two little-endian bytes. Data is
 * bridged to a {@link PodRuntime.Connection} per port; when all ports' connections have ended the WebSocket is
 * closed. A failure is written to the port's error channel as {@code error forwarding port <p> to pod <pod>,
 * uid <uid>: <reason>}.
 */
final class PortForwardSession extends WebSocketListener {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final long ERROR_CLOSE_DELAY_MILLIS = 1000;

    private final PodRuntime runtime;
    private final PodRuntime.PodRef pod;
    private final List<Integer> ports;
    private final String notRunning;
    private final List<Bridge> bridges = new ArrayList<>();
    private final AtomicInteger open;
    private volatile boolean closed;
    private volatile boolean errored;

    /** One forwarded port: bytes from the client wait in {@code toPod} until the connection is open. */
    private final class Bridge {
        final int index;
        final int port;
        final ByteQueue toPod = new ByteQueue();
        volatile PodRuntime.Connection connection;

        Bridge(int index, int port) {
            this.index = index;
            this.port = port;
        }
    }

    /** {@code notRunning}: why the pod cannot be forwarded to (for example it is not running), or null. */
    PortForwardSession(PodRuntime runtime, PodRuntime.PodRef pod, List<Integer> ports, String notRunning) {
        this.runtime = runtime;
        this.pod = pod;
        this.ports = List.copyOf(ports);
        this.notRunning = notRunning;
        for (int i = 0; i < ports.size(); i++) {
            bridges.add(new Bridge(i, ports.get(i)));
        }
        this.open = new AtomicInteger(ports.size());
    }

    @Override
    public void onOpen(WebSocket ws, Response response) {
        // never block the server's event loop: connecting runs an exec in the node
        thread("port-forward-" + pod.name(), () -> {
            for (Bridge b : bridges) {
                byte[] portBytes = {(byte) (b.port & 0xff), (byte) ((b.port >> 8) & 0xff)};
                send(ws, 2 * b.index, portBytes);
                send(ws, 2 * b.index + 1, portBytes);
            }
            for (Bridge b : bridges) {
                thread("port-forward-" + pod.name() + "-" + b.port, () -> forward(ws, b));
            }
        });
    }

    private void forward(WebSocket ws, Bridge b) {
        try {
            if (notRunning != null) {
                error(ws, b, notRunning);
                return;
            }
            PodRuntime.Connection c;
            try {
                c = runtime.connect(pod, b.port);
            } catch (IOException | RuntimeException e) {
                error(ws, b, e.getMessage());
                return;
            }
            b.connection = c;
            if (closed) {
                c.close();
                return;
            }
            thread("port-forward-" + pod.name() + "-" + b.port + "-in", () -> {
                byte[] buf = new byte[8192];
                try (InputStream in = b.toPod.input()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        c.output().write(buf, 0, n);
                        c.output().flush();
                    }
                } catch (IOException e) {
                    // connection ended
                }
            });
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = c.input()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (n > 0 && !send(ws, 2 * b.index, Arrays.copyOf(buf, n))) {
                        break;
                    }
                }
            } catch (IOException e) {
                // connection ended
            }
            if (!closed) {
                c.failure().ifPresent(f -> error(ws, b, f));
            }
            c.close();
        } finally {
            b.toPod.close();
            if (open.decrementAndGet() == 0 && !closed) {
                if (errored) {
                    // client-java's PortForward takes its streams right after the upgrade and fails when the WebSocket
                    // is closed by then: an error that comes at once (pod not running) must not close it at once
                    try {
                        Thread.sleep(ERROR_CLOSE_DELAY_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (!closed) {
                    closed = true;
                    ws.close(1000, "");
                }
            }
        }
    }

    private void error(WebSocket ws, Bridge b, String reason) {
        errored = true;
        String msg = "error forwarding port " + b.port + " to pod " + pod.namespace() + "/" + pod.name() + ", uid "
                + pod.uid() + ": " + reason;
        send(ws, 2 * b.index + 1, msg.getBytes(StandardCharsets.UTF_8));
    }

    private boolean send(WebSocket ws, int channel, byte[] data) {
        if (closed) {
            return false;
        }
        byte[] frame = new byte[data.length + 1];
        frame[0] = (byte) channel;
        System.arraycopy(data, 0, frame, 1, data.length);
        return ws.send(frame);
    }

    @Override
    public void onMessage(WebSocket ws, byte[] bytes) {
        if (bytes.length < 1) {
            return;
        }
        int channel = bytes[0] & 0xff;
        if (channel % 2 == 0 && channel / 2 < bridges.size() && bytes.length > 1) {
            bridges.get(channel / 2).toPod.write(Arrays.copyOfRange(bytes, 1, bytes.length));
        }
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
        onMessage(ws, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
        end();
    }

    @Override
    public void onClosed(WebSocket ws, int code, String reason) {
        end();
    }

    @Override
    public void onFailure(WebSocket ws, Throwable t, Response response) {
        end();
    }

    private void end() {
        closed = true;
        for (Bridge b : bridges) {
            b.toPod.close();
            PodRuntime.Connection c = b.connection;
            if (c != null) {
                thread("port-forward-close", c::close);
            }
        }
    }

    private static void thread(String name, Runnable r) {
        Thread t = new Thread(r, name + "-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        t.start();
    }
}
