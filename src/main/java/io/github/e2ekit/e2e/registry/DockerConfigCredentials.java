package io.github.e2ekit.e2e.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.core.DockerConfigFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials for a registry host from a Docker client configuration ({@code config.json} in
 * {@code $DOCKER_CONFIG}, else {@code ~/.docker}), read with docker-java's own reader: {@code auths}
 * entries ({@code auth} = base64 user:password, or an identity token). Credential helpers are programs
 * the plugin does not run: a host given its own helper ({@code credHelpers}) gets an error saying where to
 * put the credentials instead; the global {@code credsStore} is passed over.
 */
public final class DockerConfigCredentials {
    /** Lenient: real files carry credsStore, credHelpers, proxies, plugins and more that docker-java does not model. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private DockerConfigCredentials() {
    }

    /** The directory Docker's client reads: {@code $DOCKER_CONFIG}, else {@code <home>/.docker}. */
    public static Path directory(Map<String, String> env, String userHome) {
        String dir = env.get("DOCKER_CONFIG");
        return dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(userHome, ".docker");
    }

    public static Optional<RegistryCredentials> find(Path directory, String host) {
        Path file = directory.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        String source = file + " (auths." + host + ")";
        AuthConfig auth;
        JsonNode tree;
        try {
            tree = JSON.readTree(file.toFile());
            auth = DockerConfigFile.loadConfig(JSON, directory.toString()).resolveAuthConfig(key(host));
        } catch (IOException | RuntimeException e) {
            // never the parser's message: it quotes the text it choked on, which may be a credential
            String where = e instanceof JsonProcessingException j && j.getLocation() != null
                    ? "invalid JSON at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr()
                    : e.getClass().getSimpleName();
            throw new RegistryException("cannot read " + file + ": " + where
                    + " — fix the file, or give the credentials as a <server> in settings.xml");
        }
        if (auth != null && auth.getIdentitytoken() != null && !auth.getIdentitytoken().isBlank()) {
            return Optional.of(RegistryCredentials.identityToken(auth.getIdentitytoken(), source));
        }
        if (auth != null && auth.getUsername() != null && !auth.getUsername().isBlank()) {
            return Optional.of(RegistryCredentials.password(auth.getUsername(),
                    auth.getPassword() == null ? "" : auth.getPassword(), source));
        }
        String helper = helperFor(tree, host);
        if (helper != null) {
            throw new RegistryException(file + " keeps the credentials for " + host + " in the credential helper '"
                    + helper + "', which the plugin does not run: add <server><id>" + host + "</id><username>…"
                    + "</username><password>…</password></server> to settings.xml (encrypted passwords work)");
        }
        JsonNode store = tree == null ? null : tree.get("credsStore");
        if (store != null && !store.asText().isBlank()) {
            // anonymous, as for Docker's client when the store has nothing for the host; a refusal says why
            return Optional.of(RegistryCredentials.anonymous("no credentials (" + file + " keeps them in the credential"
                    + " store 'docker-credential-" + store.asText() + "', which the plugin does not run)"));
        }
        return Optional.empty();
    }

    /**
     * The helper configured for this very host. A global {@code credsStore} is not an error: hosts it does
     * not know are anonymous for Docker's client too, and a refused push says where credentials go.
     */
    private static String helperFor(JsonNode tree, String host) {
        JsonNode helpers = tree == null ? null : tree.get("credHelpers");
        return helpers != null && helpers.hasNonNull(host) ? "docker-credential-" + helpers.get(host).asText() : null;
    }

    /** Docker Hub's entry is keyed by its old index URL in config.json. */
    private static String key(String host) {
        return switch (host) {
            case "docker.io", "index.docker.io", "registry-1.docker.io" -> "https://index.docker.io/v1/";
            default -> host;
        };
    }
}
