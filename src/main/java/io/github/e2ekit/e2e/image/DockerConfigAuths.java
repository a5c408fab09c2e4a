package io.github.e2ekit.e2e.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.core.DockerConfigFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code auths} entry of a Docker client configuration for one key, read with docker-java's own reader
 * ({@code auth} = base64 user:password, or an identity token); the rest of the file is the caller's.
 */
public final class DockerConfigAuths {
    private DockerConfigAuths() {}

    /**
     * The entry for {@code key} in {@code <directory>/config.json}: a token when it has one, else a user when it
     * names one (a missing password reads as empty), else empty. Throws what the reader throws for a broken file.
     */
    public static Optional<RegistryAuth> find(ObjectMapper json, Path directory, String key) throws IOException {
        AuthConfig auth =
                DockerConfigFile.loadConfig(json, directory.toString()).resolveAuthConfig(key);
        if (auth != null
                && auth.getIdentitytoken() != null
                && !auth.getIdentitytoken().isBlank()) {
            return Optional.of(RegistryAuth.identityToken(key, auth.getIdentitytoken()));
        }
        if (auth != null && auth.getUsername() != null && !auth.getUsername().isBlank()) {
            return Optional.of(RegistryAuth.password(
                    key, auth.getUsername(), auth.getPassword() == null ? "" : auth.getPassword()));
        }
        return Optional.empty();
    }
}
