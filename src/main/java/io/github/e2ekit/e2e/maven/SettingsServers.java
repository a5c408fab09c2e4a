package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.registry.RegistryCredentials;
import io.github.e2ekit.e2e.run.ConfigException;
import io.github.e2ekit.e2e.run.Delivery;
import java.util.Optional;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/** settings.xml {@code <server>} credentials, decrypted by Maven, for registry delivery. */
final class SettingsServers implements Delivery.Servers {
    private final Settings settings;
    private final SettingsDecrypter decrypter;

    SettingsServers(Settings settings, SettingsDecrypter decrypter) {
        this.settings = settings;
        this.decrypter = decrypter;
    }

    @Override
    public Optional<RegistryCredentials> credentials(String id) throws ConfigException {
        Server server = settings == null ? null : settings.getServer(id);
        if (server == null) {
            return Optional.empty();
        }
        SettingsDecryptionResult r = decrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
        if (!r.getProblems().isEmpty()) {
            throw new ConfigException(
                    "load/serverId",
                    "cannot decrypt the password of settings.xml server '" + id + "': "
                            + r.getProblems().get(0).getMessage());
        }
        Server s = r.getServer();
        if (s.getUsername() == null || s.getUsername().isBlank()) {
            throw new ConfigException("load/serverId", "settings.xml server '" + id + "' has no <username>");
        }
        return Optional.of(RegistryCredentials.password(
                s.getUsername(), s.getPassword() == null ? "" : s.getPassword(), "settings.xml server '" + id + "'"));
    }
}
