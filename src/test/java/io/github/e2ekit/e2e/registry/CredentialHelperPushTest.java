package io.github.e2ekit.e2e.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.ledger.Ledger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials a Docker credential helper hands out are the ones the push uses: a helper script on a PATH given to
 * the lookup, in front of Debian's docker-registry with htpasswd authentication on 127.0.0.1, pushed through Docker.
 */
class CredentialHelperPushTest {
    @RegisterExtension
    static final PushFixture registry = new PushFixture("helper-user", "helper-pa55-secret");

    @TempDir
    Path work;

    private final List<String> lines = new ArrayList<>();

    /** A helper answering {@code password} for the registry, and a config.json naming it for the registry host. */
    private RegistryCredentials fromHelper(String password) throws Exception {
        Path bin = Files.createDirectories(work.resolve("bin"));
        Path helper = bin.resolve("docker-credential-e2etest");
        Files.writeString(helper, """
                #!/bin/sh
                read -r server
                [ "$1" = get ] && [ "$server" = "%s" ] || { echo "credentials not found in native keychain"; exit 1; }
                printf '{"ServerURL":"%%s","Username":"%s","Secret":"%s"}' "$server"
                """.formatted(registry.host(), registry.user(), password));
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
        Path config = Files.createDirectories(work.resolve("docker-config"));
        Files.writeString(config.resolve("config.json"), "{\"credHelpers\":{\"" + registry.host() + "\":\"e2etest\"}}");
        return DockerConfigCredentials.find(config, registry.host(), bin + ":/usr/bin:/bin", Duration.ofSeconds(20))
                .orElseThrow();
    }

    private RegistryPush.Pushed push(String name, RegistryCredentials credentials) {
        PushFixture.Pushable p = registry.pushable(name, registry.host());
        return new RegistryPush(registry.engine(), Ledger.open(work.resolve("ledger.json")))
                .push("app", p.ref(), p.id(), p.target(), credentials, lines::add);
    }

    @Test
    void thePushUsesTheCredentialsTheHelperHandsOut() throws Exception {
        RegistryCredentials credentials = fromHelper(registry.password());
        assertThat(credentials.describe())
                .startsWith("user '" + registry.user() + "' from docker-credential-e2etest (");
        RegistryPush.Pushed pushed = push("helped", credentials);
        assertThat(pushed.digest()).matches("sha256:[0-9a-f]{64}");
        assertThat(lines).noneMatch(l -> l.contains(registry.password()));
    }

    @Test
    void aRefusedHelperPasswordNamesTheHelperButNotThePassword() throws Exception {
        String wrong = "not-" + registry.password();
        RegistryCredentials credentials = fromHelper(wrong);
        assertThatThrownBy(() -> push("refused", credentials))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("registry " + registry.host() + " refused the push with user '"
                        + registry.user() + "' from docker-credential-e2etest (")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong).doesNotContain("\n"));
    }
}
