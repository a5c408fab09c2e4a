package io.github.e2ekit.e2e.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.e2ekit.e2e.image.DockerConfigAuths;
import io.github.e2ekit.e2e.image.RegistryAuth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials for a registry host from a Docker client configuration ({@code config.json} in
 * {@code $DOCKER_CONFIG}, else {@code ~/.docker}), in Jib's order (jib-core
 * {@code DockerConfigCredentialRetriever#retrieve}): an {@code auths} entry read with docker-java's own reader
 * ({@code auth} = base64 user:password, or an identity token), else the host's own credential helper
 * ({@code credHelpers}), else the global {@code credsStore}. Helpers run as Docker's client runs them
 * ({@link CredentialHelper}). The docker CLI asks a configured helper before inline {@code auths} entries (docker/cli
 * {@code cli/config/configfile/file.go} {@code GetCredentialsStore}); with both, an inline entry is what a CI job
 * wrote on purpose, so it wins here as in Jib.
 */
public final class DockerConfigCredentials {
    /** Lenient: real files carry credsStore, credHelpers, proxies, plugins and more that docker-java does not model. */
    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private DockerConfigCredentials() {}

    /** The directory Docker's client reads: {@code $DOCKER_CONFIG}, else {@code <home>/.docker}. */
    public static Path directory(Map<String, String> env, String userHome) {
        String dir = env.get("DOCKER_CONFIG");
        return dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(userHome, ".docker");
    }

    public static Optional<RegistryCredentials> find(Path directory, String host) {
        return find(directory, host, System.getenv("PATH"), Duration.ofMinutes(1));
    }

    /** As {@link #find(Path, String)}, looking credential helpers up on {@code path} (a PATH value). */
    public static Optional<RegistryCredentials> find(Path directory, String host, String path, Duration helperTimeout) {
        Path file = directory.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        String source = file + " (auths." + host + ")";
        Optional<RegistryAuth> auth;
        JsonNode tree;
        try {
            tree = JSON.readTree(file.toFile());
            auth = DockerConfigAuths.find(JSON, directory, key(host));
        } catch (IOException | RuntimeException e) {
            // never the parser's message: it quotes the text it choked on, which may be a credential
            String where = e instanceof JsonProcessingException j && j.getLocation() != null
                    ? "invalid JSON at line " + j.getLocation().getLineNr() + ", column "
                            + j.getLocation().getColumnNr()
                    : e.getClass().getSimpleName();
            throw new RegistryException("cannot read " + file + ": " + where
                    + " — fix the file, or give the credentials as a <server> in settings.xml");
        }
        if (auth.isPresent()) {
            RegistryAuth a = auth.get();
            return Optional.of(
                    a.identityToken() != null
                            ? RegistryCredentials.identityToken(a.identityToken(), source)
                            : RegistryCredentials.password(a.username(), a.password(), source));
        }
        JsonNode own = tree == null ? null : tree.path("credHelpers").get(host);
        if (own != null && !own.asText().isBlank()) {
            return Optional.of(new CredentialHelper(own.asText(), path, helperTimeout)
                    .get(key(host), file + " credHelpers." + host)
                    .orElse(RegistryCredentials.anonymous("no credentials (the credential helper 'docker-credential-"
                            + own.asText() + "' has none for " + host + ")")));
        }
        JsonNode store = tree == null ? null : tree.get("credsStore");
        if (store != null && !store.asText().isBlank()) {
            // anonymous when the store has nothing for the host, as for Docker's client; a refusal says why
            return Optional.of(new CredentialHelper(store.asText(), path, helperTimeout)
                    .get(key(host), file + " credsStore")
                    .orElse(RegistryCredentials.anonymous("no credentials (the credential store 'docker-credential-"
                            + store.asText() + "' has none for " + host + ")")));
        }
        return Optional.empty();
    }

    /** Docker Hub's entry is keyed by its old index URL in config.json. */
    private static String key(String host) {
        return switch (host) {
            case "docker.io", "index.docker.io", "registry-1.docker.io" -> "https://index.docker.io/v1/";
            default -> host;
        };
    }
}
