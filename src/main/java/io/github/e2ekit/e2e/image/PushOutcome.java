package io.github.e2ekit.e2e.image;

/**
 * What the engine answered to a push: the manifest digest it reported ({@code null} when none), and the first
 * error it or its transport reported ({@code null} when none; raw, may quote the request: redact before showing).
 */
public record PushOutcome(String digest, String error) {}
