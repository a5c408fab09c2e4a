package io.github.e2ekit.e2e.testbed;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A fault-injecting proxy in front of a container engine's Unix socket: the plugin's core is pointed at
 * {@link #host()} and talks to the real engine through it, until a rule says otherwise — "the Nth request matching
 * METHOD and a path pattern (and, for small JSON bodies, containing a text) is answered 500", "its connection is cut
 * before an answer", "its answer is cut after K bytes", "run this when it is seen" — or {@link #restart} drops every
 * connection and removes the socket for a moment, as an engine restarted between two goals does.
 *
 * <p>The engine API is HTTP/1.1 over the socket. Each connection carries one request here: the proxy reads the request
 * head, decides, and forwards it with {@code Connection: close} (an upgrade — {@code exec} start with stdin, which the
 * client hijacks — keeps its {@code Upgrade}), then pipes bytes both ways. The injected 500 copies moby's error answer:
 * a JSON {@code {"message": …}} body with the status from the error's kind (moby {@code api/server/httpstatus/status.go}
 * {@code FromError}: an unclassified error is 500; {@code api/server/server.go} {@code makeHTTPHandler} writes it with
 * {@code httputils.WriteJSON}) after the request body was read, as Go's server reads a request body before answering.
 */
public final class EngineFaults extends FaultRules<EngineFaults.Rule> implements AutoCloseable {
    private final Path upstream;
    private final Path dir;
    private final Path socket;
    private volatile ServerSocketChannel server;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger injected = new AtomicInteger();
    private volatile boolean closed;

    private EngineFaults(Path upstream) throws IOException {
        this.upstream = upstream;
        this.dir = Files.createTempDirectory("e2e-engine-faults");
        this.socket = dir.resolve("engine.sock");
        listen();
    }

    private void listen() throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket));
        this.server = s;
        Thread accept = new Thread(() -> acceptLoop(s), "engine-faults-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** A proxy in front of {@code engineHost} ({@code unix:///…}). */
    public static EngineFaults start(String engineHost) {
        if (!engineHost.startsWith("unix://")) {
            throw new IllegalArgumentException("EngineFaults proxies a Unix socket, not " + engineHost);
        }
        try {
            return new EngineFaults(Path.of(engineHost.substring("unix://".length())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The proxy's endpoint, to connect the plugin's engine client to. */
    public String host() {
        return "unix://" + socket;
    }

    /** A rule for the requests with this method whose path (query included, API version prefix removed) matches. */
    @Override
    protected Rule newRule(String method, Pattern path) {
        return new Rule(method, path);
    }

    /** How many faults were injected so far. */
    public int injected() {
        return injected.get();
    }

    /** Every request seen, as {@code METHOD /path}, in order. */
    public List<String> requests() {
        return List.copyOf(seen);
    }

    /**
     * The engine restarted: every open connection (running streams among them) is dropped, and for {@code down} the
     * socket is gone, as while dockerd restarts (a client gets "No such file or directory" / "Connection refused");
     * then it listens again. Returns at once.
     */
    public void restart(Duration down) {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (SocketChannel c : open) {
            closeQuietly(c);
        }
        Thread back = new Thread(
                () -> {
                    try {
                        Thread.sleep(down.toMillis());
                        if (!closed) {
                            listen();
                        }
                    } catch (InterruptedException | IOException e) {
                        System.err.println("test bed: the engine proxy did not listen again: " + e);
                    }
                },
                "engine-faults-restart");
        back.setDaemon(true);
        back.start();
    }

    private void acceptLoop(ServerSocketChannel listening) {
        while (!closed) {
            SocketChannel client;
            try {
                client = listening.accept();
            } catch (IOException e) {
                return;
            }
            open.add(client);
            Thread t = new Thread(() -> serve(client), "engine-faults-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(SocketChannel client) {
        SocketChannel engine = null;
        try {
            Head head = Head.read(client);
            if (head == null) {
                return;
            }
            seen.add(head.method + " " + head.path);
            Rule rule = null;
            for (Rule r : rules) {
                if (r.matches(head)) {
                    rule = r;
                    break;
                }
            }
            Action action = rule == null ? null : rule.action();
            if (rule != null && rule.hook != null) {
                rule.hook.run();
            }
            if (action == Action.CUT) {
                injected.incrementAndGet();
                return;
            }
            if (action == Action.STATUS_500) {
                injected.incrementAndGet();
                head.drainBody(client);
                byte[] body = ("{\"message\":\"injected by the test bed: " + rule.describe() + "\"}\n")
                        .getBytes(StandardCharsets.UTF_8);
                String answer = "HTTP/1.1 500 Internal Server Error\r\nApi-Version: 1.41\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n";
                write(client, answer.getBytes(StandardCharsets.US_ASCII));
                write(client, body);
                return;
            }
            engine = SocketChannel.open(StandardProtocolFamily.UNIX);
            engine.connect(UnixDomainSocketAddress.of(upstream));
            open.add(engine);
            write(engine, head.forwarded());
            SocketChannel up = engine;
            Thread toEngine = new Thread(
                    () -> {
                        try {
                            pipe(client, up, Long.MAX_VALUE);
                            up.shutdownOutput();
                        } catch (IOException e) {
                            // either side closed
                        }
                    },
                    "engine-faults-up");
            toEngine.setDaemon(true);
            toEngine.start();
            long limit = action == Action.CUT_ANSWER ? rule.afterBytes : Long.MAX_VALUE;
            long copied = pipe(engine, client, limit);
            if (action == Action.CUT_ANSWER && copied >= limit) {
                injected.incrementAndGet();
            }
        } catch (IOException e) {
            // a side closed or the proxy was restarted
        } finally {
            closeQuietly(client);
            if (engine != null) {
                closeQuietly(engine);
            }
        }
    }

    private static long pipe(SocketChannel from, SocketChannel to, long limit) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        long total = 0;
        while (total < limit) {
            buf.clear();
            if (limit - total < buf.capacity()) {
                buf.limit((int) (limit - total));
            }
            int n = from.read(buf);
            if (n < 0) {
                break;
            }
            buf.flip();
            while (buf.hasRemaining()) {
                to.write(buf);
            }
            total += n;
        }
        return total;
    }

    private static void write(SocketChannel to, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            to.write(b);
        }
    }

    private void closeQuietly(SocketChannel c) {
        open.remove(c);
        try {
            c.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        for (SocketChannel c : open) {
            closeQuietly(c);
        }
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            System.err.println("test bed: could not remove " + dir + ": " + e.getMessage());
        }
    }

    /** What a matched request gets. */
    enum Action {
        STATUS_500,
        CUT,
        CUT_ANSWER,
        PASS
    }

    /** One fault: the {@code nth} matching request (counted from 1) and the {@code times - 1} after it. */
    public final class Rule extends FaultRule<Rule, Action> {
        private String bodyContains;
        private long afterBytes;
        private Runnable hook;

        Rule(String method, Pattern path) {
            super(method, path, Action.PASS);
        }

        /** Only requests whose (small, {@code Content-Length}) body contains {@code text}. */
        public Rule bodyContains(String text) {
            this.bodyContains = text;
            return this;
        }

        /** Answered 500 with moby's JSON error body. */
        public Rule answer500() {
            return act(Action.STATUS_500);
        }

        /** Connection closed without an answer. */
        public Rule cut() {
            return act(Action.CUT);
        }

        /** Forwarded, and the answer cut off after {@code bytes} bytes (the status line and headers count). */
        public Rule cutAnswerAfter(long bytes) {
            this.afterBytes = bytes;
            return act(Action.CUT_ANSWER);
        }

        /** Forwarded after {@code hook} ran (e.g. arming another rule, or starting a thread that kills a node). */
        public Rule then(Runnable hook) {
            this.hook = hook;
            return this;
        }

        boolean matches(Head head) {
            if (!method.equals(head.method) || !path.matcher(head.path).find()) {
                return false;
            }
            if (bodyContains != null
                    && (head.body == null || !new String(head.body, StandardCharsets.UTF_8).contains(bodyContains))) {
                return false;
            }
            return hit();
        }

        String describe() {
            return method + " " + path.pattern() + " " + position();
        }
    }

    /** A request head read off the client connection (and its body when small and sized). */
    static final class Head {
        private static final Pattern VERSION_PREFIX = Pattern.compile("^/v\\d+\\.\\d+(?=/)");
        final String method;
        final String path;
        final List<String> headers;
        final byte[] body;
        final long contentLength;
        final boolean chunked;
        final boolean upgrade;
        private final String originalTarget;

        private Head(
                String method,
                String target,
                String path,
                List<String> headers,
                byte[] body,
                long contentLength,
                boolean chunked,
                boolean upgrade) {
            this.method = method;
            this.originalTarget = target;
            this.path = path;
            this.headers = headers;
            this.body = body;
            this.contentLength = contentLength;
            this.chunked = chunked;
            this.upgrade = upgrade;
        }

        static Head read(SocketChannel in) throws IOException {
            String headText = readUntil(in, "\r\n\r\n");
            if (headText == null) {
                return null;
            }
            List<String> lines = new ArrayList<>(List.of(headText.split("\r\n")));
            String[] requestLine = lines.remove(0).split(" ");
            long length = -1;
            boolean chunked = false;
            boolean upgrade = false;
            for (String h : lines) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(h.substring(15).strip());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("upgrade:")) {
                    upgrade = true;
                }
            }
            byte[] body = null;
            if (length > 0 && length <= 1 << 20) {
                body = readExactly(in, (int) length);
            }
            String path = VERSION_PREFIX.matcher(requestLine[1]).replaceFirst("");
            return new Head(requestLine[0], requestLine[1], path, lines, body, length, chunked, upgrade);
        }

        /** The head as sent to the engine: one request per connection ({@code Connection: close}) unless upgraded. */
        byte[] forwarded() {
            StringBuilder sb = new StringBuilder();
            sb.append(method).append(' ');
            sb.append(originalTarget).append(" HTTP/1.1\r\n");
            for (String h : headers) {
                if (!upgrade && h.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                    continue;
                }
                sb.append(h).append("\r\n");
            }
            if (!upgrade) {
                sb.append("Connection: close\r\n");
            }
            sb.append("\r\n");
            byte[] h = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            if (body == null) {
                return h;
            }
            byte[] all = new byte[h.length + body.length];
            System.arraycopy(h, 0, all, 0, h.length);
            System.arraycopy(body, 0, all, h.length, body.length);
            return all;
        }

        /** Reads the rest of the request body (sized or chunked), so the answer is read by a client done sending. */
        void drainBody(SocketChannel in) throws IOException {
            if (body != null || contentLength == 0) {
                return;
            }
            if (contentLength > 0) {
                readExactly(in, (int) Math.min(contentLength, Integer.MAX_VALUE));
                return;
            }
            if (chunked) {
                while (true) {
                    String sizeLine = readUntil(in, "\r\n");
                    if (sizeLine == null) {
                        return;
                    }
                    int size = Integer.parseInt(sizeLine.split(";")[0].strip(), 16);
                    if (size == 0) {
                        readUntil(in, "\r\n"); // the empty line after the last chunk (no trailers)
                        return;
                    }
                    readExactly(in, size + 2);
                }
            }
        }

        private static String readUntil(SocketChannel in, String end) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer one = ByteBuffer.allocate(1);
            byte[] e = end.getBytes(StandardCharsets.US_ASCII);
            while (true) {
                one.clear();
                if (in.read(one) < 0) {
                    return out.size() == 0 ? null : out.toString(StandardCharsets.ISO_8859_1);
                }
                out.write(one.get(0));
                byte[] b = out.toByteArray();
                if (b.length >= e.length && endsWith(b, e)) {
                    return new String(b, 0, b.length - e.length, StandardCharsets.ISO_8859_1);
                }
            }
        }

        private static boolean endsWith(byte[] b, byte[] e) {
            for (int i = 0; i < e.length; i++) {
                if (b[b.length - e.length + i] != e[i]) {
                    return false;
                }
            }
            return true;
        }

        private static byte[] readExactly(SocketChannel in, int n) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(n);
            while (b.hasRemaining()) {
                if (in.read(b) < 0) {
                    break;
                }
            }
            return b.array();
        }
    }
}
