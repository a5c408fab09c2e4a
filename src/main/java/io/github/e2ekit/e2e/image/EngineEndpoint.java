package io.github.e2ekit.e2e.image;

import java.nio.file.Path;

/**
 * Where an engine is and how to reach it: its host URI ({@code unix://…}, {@code tcp://…}), the directory with
 * {@code ca.pem}, {@code cert.pem} and {@code key.pem} when it is reached over TLS (else {@code null}), and why
 * this one was chosen, for the log ({@code DOCKER_CONTEXT 'remote'}, {@code Colima's socket}).
 */
public record EngineEndpoint(String host, Path tlsCertPath, String source) {
    public static EngineEndpoint plain(String host, String source) {
        return new EngineEndpoint(host, null, source);
    }

    public boolean tls() {
        return tlsCertPath != null;
    }
}
