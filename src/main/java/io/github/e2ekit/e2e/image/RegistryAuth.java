package io.github.e2ekit.e2e.image;

/**
 * Credentials the engine sends to a registry with a push: a user and password, or an identity token.
 * {@link #toString} names neither secret.
 */
public record RegistryAuth(String registryAddress, String username, String password, String identityToken) {
    public static RegistryAuth password(String registryAddress, String username, String password) {
        return new RegistryAuth(registryAddress, username, password, null);
    }

    public static RegistryAuth identityToken(String registryAddress, String token) {
        return new RegistryAuth(registryAddress, null, null, token);
    }

    @Override
    public String toString() {
        return "RegistryAuth[" + registryAddress + ", "
                + (identityToken != null ? "identity token" : "user " + username) + "]";
    }
}
