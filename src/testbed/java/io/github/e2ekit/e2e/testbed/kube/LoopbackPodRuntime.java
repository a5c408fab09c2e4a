package io.github.e2ekit.e2e.testbed.kube;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For tests of the API server's port-forwarding without container processes: containers are simulated (as with
 * {@link PodRuntime#none()}), and a connection to a pod's port is a TCP connection to a port on 127.0.0.1 that
 * the test chose for it ({@link #expose}). An unexposed port is refused, like a port nothing listens on.
 */
public final class LoopbackPodRuntime extends SimulatedPodRuntime {
    private final Map<Integer, Integer> exposed = new ConcurrentHashMap<>();

    /** Connections to {@code podPort} of any pod go to {@code 127.0.0.1:localPort}. */
    public LoopbackPodRuntime expose(int podPort, int localPort) {
        exposed.put(podPort, localPort);
        return this;
    }

    @Override
    public Connection connect(PodRef pod, int port) throws IOException {
        Integer local = exposed.get(port);
        if (local == null) {
            // what the kubelet reports through containerd when nothing listens on the port
            throw new IOException("failed to connect to localhost:" + port + " inside namespace: dial tcp4 127.0.0.1:"
                    + port + ": connect: connection refused");
        }
        Socket s = new Socket(InetAddress.getLoopbackAddress(), local);
        return new Connection() {
            @Override
            public InputStream input() {
                try {
                    return s.getInputStream();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public OutputStream output() {
                try {
                    return s.getOutputStream();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public Optional<String> failure() {
                return Optional.empty();
            }

            @Override
            public void close() {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing
                }
            }
        };
    }
}
