package io.github.e2ekit.e2e.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Counts every container an engine holds, for leak checks. On Podman the compat API lists only
 * Podman's own containers; a build's working containers (buildah's) show only in the libpod API
 * with {@code external=true}, which this asks for.
 */
public final class EngineContainers {
    private EngineContainers() {
    }

    public static int count(Engine engine) {
        if (engine.kind() == EngineKind.PODMAN && engine.endpoint().startsWith("unix://")) {
            JsonNode list = libpodGet(Path.of(engine.endpoint().substring("unix://".length())),
                    "/v4.0.0/libpod/containers/json?all=true&external=true");
            return list.size();
        }
        return engine.client().listContainersCmd().withShowAll(true).exec().size();
    }

    /** One GET on the libpod API over its unix socket (HTTP/1.0: the server closes after the body). */
    static JsonNode libpodGet(Path socket, String path) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.0\r\nHost: d\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            while (ch.read(buf) >= 0) {
                buf.flip();
                out.write(buf.array(), 0, buf.limit());
                buf.clear();
            }
            String response = out.toString(StandardCharsets.UTF_8);
            int body = response.indexOf("\r\n\r\n");
            if (!response.startsWith("HTTP/1.") || !response.contains(" 200 ") || body < 0) {
                throw new IllegalStateException("libpod GET " + path + ": " + response.lines().findFirst().orElse(""));
            }
            return new ObjectMapper().readTree(response.substring(body + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
