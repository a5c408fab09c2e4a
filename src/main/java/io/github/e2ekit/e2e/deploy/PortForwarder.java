package io.github.e2ekit.e2e.deploy;

import io.kubernetes.client.PortForward;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Forwards 127.0.0.1:&lt;free port&gt; to a pod's port through the API server (client-java's
 * port-forward), one forwarding stream per accepted connection. No host port of the cluster is
 * claimed, so parallel services and clusters never collide. A stream the API server drops ends only its own
 * connection: the next connection opens a new stream (through {@link KubeApi}'s retry policy); one that cannot be
 * opened is closed at once and the reason kept ({@link #lastFailure()}).
 */
public final class PortForwarder implements AutoCloseable {
    private final KubeApi api;
    private final String namespace;
    private final String pod;
    private final int podPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private volatile String lastFailure;

    private PortForwarder(KubeApi api, String namespace, String pod, int podPort) throws IOException {
        this.api = api;
        this.namespace = namespace;
        this.pod = pod;
        this.podPort = podPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    public static PortForwarder open(KubeApi api, String namespace, String pod, int podPort) {
        try {
            PortForwarder f = new PortForwarder(api, namespace, pod, podPort);
            Thread t = new Thread(f::acceptLoop, "e2e-port-forward-" + pod + "-" + podPort);
            t.setDaemon(true);
            t.start();
            return f;
        } catch (IOException e) {
            throw new DeployException(
                    "cannot listen on 127.0.0.1 for the port-forward to " + pod + ": " + e.getMessage());
        }
    }

    public int localPort() {
        return server.getLocalPort();
    }

    public String pod() {
        return pod;
    }

    /** Why the last connection could not be forwarded (one line), or null when none failed. */
    public String lastFailure() {
        return lastFailure;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                open.add(s);
                Thread t = new Thread(() -> bridge(s), "e2e-port-forward-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    private void bridge(Socket socket) {
        try (socket) {
            PortForward.PortForwardResult result = api.portForward(namespace, pod, podPort);
            try {
                InputStream fromPod = result.getInputStream(podPort);
                OutputStream toPod = result.getOutboundStream(podPort);
                Thread up = new Thread(() -> copy(uncheckedIn(socket), toPod), "e2e-port-forward-up");
                up.setDaemon(true);
                up.start();
                copy(fromPod, socket.getOutputStream());
            } finally {
                result.close();
            }
        } catch (Exception e) {
            // the client sees the connection close; the next connection tries again
            lastFailure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        } finally {
            open.remove(socket);
        }
    }

    private static InputStream uncheckedIn(Socket s) {
        try {
            return s.getInputStream();
        } catch (IOException e) {
            return InputStream.nullInputStream();
        }
    }

    private static void copy(InputStream in, OutputStream out) {
        byte[] buf = new byte[16384];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed
        } finally {
            try {
                out.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
