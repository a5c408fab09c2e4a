package io.github.e2ekit.e2e.kind;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts a created exec over the engine's UNIX socket itself and streams its stdin in large writes.
 *
 * <p>docker-java's hijacked stream copies stdin in 1 KiB reads and flushes after each one: 200,000 socket
 * writes for a 200 MB image per node, which costs more CPU than the import on a small machine. Here the
 * {@code POST /exec/{id}/start} with {@code Upgrade: tcp} is written by hand, stdin goes out in the
 * caller's chunks (up to 1 MiB), its end half-closes the connection (Docker then closes the command's
 * stdin, as the docker CLI does), and the multiplexed stdout/stderr frames are read until the engine
 * closes the connection when the command exits.
 */
final class SocketExec {
    private static final int MAX_CAPTURE = 1 << 20;

    private SocketExec() {
    }

    /** Output of the exec: stdout, stderr (each capped at 1 MiB). */
    record Output(String stdout, String stderr) {
    }

    static Output start(Path socket, String execId, InputStream stdin, long timeoutMinutes, String container,
            String command) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new NodeCommandException(container, command, "cannot reach the engine at " + socket + ": " + e);
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        Thread watchdog = new Thread(() -> {
            try {
                if (!done.await(timeoutMinutes, TimeUnit.MINUTES)) {
                    timedOut.set(true);
                    closeQuietly(ch);
                }
            } catch (InterruptedException e) {
                closeQuietly(ch);
            }
        }, "e2e-exec-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Thread writer = null;
        AtomicReference<IOException> writeError = new AtomicReference<>();
        try {
            byte[] body = "{\"Detach\":false,\"Tty\":false}".getBytes(StandardCharsets.UTF_8);
            String request = "POST /exec/" + execId + "/start HTTP/1.1\r\n"
                    + "Host: docker\r\n"
                    + "User-Agent: e2e-maven-plugin\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Upgrade: tcp\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            byte[] head = request.getBytes(StandardCharsets.US_ASCII);
            writeFully(ch, head, head.length);
            writeFully(ch, body, body.length);
            Frames frames = new Frames();
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            String status = readHeaders(ch, in);
            if (!status.contains(" 101 ") && !status.contains(" 200 ")) {
                ByteArrayOutputStream rest = new ByteArrayOutputStream();
                rest.write(in.array(), in.position(), in.remaining());
                throw new NodeCommandException(container, command, "the engine refused to start it: " + status.strip()
                        + " " + rest.toString(StandardCharsets.UTF_8).strip());
            }
            writer = new Thread(() -> {
                byte[] buf = new byte[1 << 20];
                try {
                    int n;
                    while ((n = stdin.read(buf)) >= 0) {
                        if (n > 0) {
                            writeFully(ch, buf, n);
                        }
                    }
                    ch.shutdownOutput();
                } catch (IOException e) {
                    writeError.set(e); // the command stopped reading (or ended): its exit code says why
                }
            }, "e2e-exec-stdin");
            writer.setDaemon(true);
            writer.start();
            frames.accept(in);
            while (true) {
                in.clear();
                int n = ch.read(in);
                if (n < 0) {
                    break;
                }
                in.flip();
                frames.accept(in);
            }
            return new Output(frames.out.toString(StandardCharsets.UTF_8), frames.err.toString(StandardCharsets.UTF_8));
        } catch (ClosedByInterruptException e) {
            Thread.currentThread().interrupt();
            throw new NodeCommandException(container, command, "interrupted");
        } catch (AsynchronousCloseException e) {
            if (timedOut.get()) {
                throw new NodeCommandException(container, command, "did not finish within " + timeoutMinutes + " min");
            }
            throw new NodeCommandException(container, command, "interrupted");
        } catch (IOException e) {
            throw new NodeCommandException(container, command, "lost the engine connection: " + e);
        } finally {
            done.countDown();
            closeQuietly(ch);
            if (writer != null) {
                writer.interrupt();
            }
        }
    }

    private static void writeFully(SocketChannel ch, byte[] b, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b, 0, n);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Reads up to the blank line after the response headers; leaves {@code in} holding what follows. */
    private static String readHeaders(SocketChannel ch, ByteBuffer in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            in.clear();
            if (ch.read(in) < 0) {
                throw new IOException("the engine closed the connection before answering");
            }
            in.flip();
            while (in.hasRemaining()) {
                head.write(in.get());
                byte[] h = head.toByteArray();
                int l = h.length;
                if (l >= 4 && h[l - 4] == '\r' && h[l - 3] == '\n' && h[l - 2] == '\r' && h[l - 1] == '\n') {
                    String text = new String(h, StandardCharsets.US_ASCII);
                    return text.substring(0, text.indexOf("\r\n"));
                }
                if (l > 64 * 1024) {
                    throw new IOException("no end of the engine's response headers");
                }
            }
        }
    }

    /** Docker's multiplexed stream: 8-byte headers (stream, 0, 0, 0, big-endian length), then the payload. */
    private static final class Frames {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final byte[] header = new byte[8];
        private int headerFill;
        private int left;
        private int stream;

        void accept(ByteBuffer b) {
            while (b.hasRemaining()) {
                if (left == 0) {
                    header[headerFill++] = b.get();
                    if (headerFill == 8) {
                        headerFill = 0;
                        stream = header[0];
                        left = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8)
                                | (header[7] & 0xff);
                    }
                    continue;
                }
                int n = Math.min(left, b.remaining());
                ByteArrayOutputStream target = stream == 2 ? err : out;
                if (target.size() < MAX_CAPTURE) {
                    target.write(b.array(), b.arrayOffset() + b.position(), Math.min(n, MAX_CAPTURE - target.size()));
                }
                b.position(b.position() + n);
                left -= n;
            }
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // closing
        }
    }
}
