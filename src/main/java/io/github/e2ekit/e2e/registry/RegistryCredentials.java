package io.github.e2ekit.e2e.registry;

import com.github.dockerjava.api.model.AuthConfig;

/**
 * Credentials for one registry and where they came from. {@link #toString} and {@link #describe} name
 * the user and the source, never the password or token.
 */
public final class RegistryCredentials {
    private final String username;
    private final String password;
    private final String identityToken;
    private final String source;

    private RegistryCredentials(String username, String password, String identityToken, String source) {
        this.username = username;
        this.password = password;
        this.identityToken = identityToken;
        this.source = source;
    }

    public static RegistryCredentials anonymous() {
        return new RegistryCredentials(null, null, null, "no credentials");
    }

    public static RegistryCredentials password(String username, String password, String source) {
        return new RegistryCredentials(username, password, null, source);
    }

    public static RegistryCredentials identityToken(String token, String source) {
        return new RegistryCredentials(null, null, token, source);
    }

    public boolean isAnonymous() {
        return username == null && identityToken == null;
    }

    /** For messages: {@code user 'alice' from settings.xml server '127.0.0.1:5000'}. */
    public String describe() {
        if (isAnonymous()) {
            return source;
        }
        return (username != null ? "user '" + username + "'" : "an identity token") + " from " + source;
    }

    /** Removes every secret this holds from a text (engine messages should never echo one; this makes sure). */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String secret : new String[] {password, identityToken}) {
            if (secret != null && secret.length() >= 3) {
                out = out.replace(secret, "****");
            }
        }
        return out;
    }

    /** The engine's form; {@code null} when anonymous. */
    AuthConfig toAuthConfig(String host) {
        if (isAnonymous()) {
            return null;
        }
        AuthConfig a = new AuthConfig().withRegistryAddress(host);
        if (identityToken != null) {
            return a.withIdentityToken(identityToken);
        }
        return a.withUsername(username).withPassword(password);
    }

    @Override
    public String toString() {
        return "RegistryCredentials[" + describe() + "]";
    }
}
