package io.github.e2ekit.e2e.registry;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a Docker credential helper the way Docker's client does (docker/docker-credential-helpers
 * {@code client/client.go} {@code Get}): {@code docker-credential-<name> get}, the server address on stdin,
 * JSON {@code {"ServerURL","Username","Secret"}} on stdout; exit status non-zero with
 * {@code credentials not found in native keychain} on stdout means "nothing stored" (its
 * {@code credentials/error.go}). A username of {@code <token>} marks the secret as an identity token (docker/cli
 * {@code cli/config/credentials/native_store.go}, {@code tokenUsername}).
 *
 * <p>Nothing the helper prints reaches a message or the log: its output is the secret, and its errors may quote it.
 * The helper is looked up on a PATH value given by the caller, so tests need no global change.
 */
public final class CredentialHelper {
    static final String NOT_FOUND = "credentials not found in native keychain";
    static final String TOKEN_USERNAME = "<token>";
    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final String name;
    private final String path;
    private final Duration timeout;

    /** {@code name} without the {@code docker-credential-} prefix ({@code desktop}, {@code ecr-login}, …). */
    public CredentialHelper(String name, String path, Duration timeout) {
        this.name = name;
        this.path = path == null ? "" : path;
        this.timeout = timeout;
    }

    public String program() {
        return "docker-credential-" + name;
    }

    /** The stored credentials for {@code serverUrl}; empty when the helper has none. */
    public Optional<RegistryCredentials> get(String serverUrl, String source) {
        Path exe = locate().orElseThrow(() -> new RegistryException("the credential helper '" + program()
                + "' (" + source + ") is not on the PATH: install it, or remove it from the Docker config, or give"
                + " the credentials as a <server> in settings.xml"));
        Process p;
        try {
            p = new ProcessBuilder(exe.toString(), "get")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new RegistryException("the credential helper '" + program() + "' (" + exe + ") cannot be run: "
                    + e.getClass().getSimpleName() + " — check that it is executable, or give the credentials as a"
                    + " <server> in settings.xml");
        }
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        try (OutputStream in = p.getOutputStream()) {
            in.write(serverUrl.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // a helper that exits without reading: its exit status says what happened
        }
        byte[] stdout;
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new RegistryException("the credential helper '" + program() + "' did not answer within "
                        + timeout.toSeconds() + " s (it may be waiting for a desktop prompt): unlock it, or give the"
                        + " credentials as a <server> in settings.xml");
            }
            stdout = out.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while running the credential helper '" + program() + "'");
        } catch (ExecutionException | TimeoutException e) {
            throw new RegistryException("the credential helper '" + program() + "' gave no output");
        }
        String text = new String(stdout, StandardCharsets.UTF_8).strip();
        if (p.exitValue() != 0) {
            if (text.contains(NOT_FOUND)) {
                return Optional.empty();
            }
            // never its output: a failing helper may echo what it read
            throw new RegistryException("the credential helper '" + program() + "' failed for " + serverUrl + " (exit "
                    + p.exitValue() + "): run '" + program() + " get' with the server on stdin to see why, log in"
                    + " again (docker login " + serverUrl + "), or give the credentials as a <server> in settings.xml");
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(text);
        } catch (IOException e) {
            answer = null;
        }
        if (answer == null || !answer.isObject()) {
            throw new RegistryException("the credential helper '" + program() + "' answered something that is not"
                    + " its JSON ({\"Username\", \"Secret\"}) for " + serverUrl + ": check the helper's version");
        }
        String user = answer.path("Username").asText("");
        String secret = answer.path("Secret").asText("");
        if (user.isEmpty() && secret.isEmpty()) {
            return Optional.empty();
        }
        String from = program() + " (" + source + ")";
        if (TOKEN_USERNAME.equals(user)) {
            return Optional.of(RegistryCredentials.identityToken(secret, from));
        }
        return Optional.of(RegistryCredentials.password(user, secret, from));
    }

    /** The helper's executable on {@link #path}, as a shell would find it. */
    Optional<Path> locate() {
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            for (String suffix : new String[] {"", ".exe", ".cmd", ".bat"}) {
                Path candidate = Path.of(dir, program() + suffix);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
