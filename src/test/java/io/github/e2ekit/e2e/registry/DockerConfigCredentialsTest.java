package io.github.e2ekit.e2e.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @TempDir
    Path helpers;

    private void config(String json) throws Exception {
        Files.writeString(dir.resolve("config.json"), json);
    }

    @Test
    void readsBase64AuthsEntriesAndNeverShowsThePassword() throws Exception {
        String auth = Base64.getEncoder().encodeToString("bob:hunter2-long".getBytes(StandardCharsets.UTF_8));
        config("{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"" + auth + "\"}},\"credsStore\":\"desktop\","
                + "\"proxies\":{\"default\":{}},\"currentContext\":\"default\"}");
        RegistryCredentials c =
                DockerConfigCredentials.find(dir, "127.0.0.1:5000").orElseThrow();
        assertThat(c.describe())
                .startsWith("user 'bob' from ")
                .contains("config.json")
                .doesNotContain("hunter2");
        assertThat(c.toString()).doesNotContain("hunter2");
        assertThat(c.redact("echo hunter2-long")).isEqualTo("echo ****");
        assertThat(c.toAuth("127.0.0.1:5000").password()).isEqualTo("hunter2-long");
        // a host without an entry, with a credential store configured: the store is asked (here: it is not installed)
        assertThatThrownBy(() -> DockerConfigCredentials.find(dir, "other.example.com", helpers.toString(), TIMEOUT))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("the credential helper 'docker-credential-desktop' ("
                        + dir.resolve("config.json") + " credsStore) is not on the PATH: install it");
    }

    @Test
    void dockerHubIsFoundUnderItsIndexUrl() throws Exception {
        String auth = Base64.getEncoder().encodeToString("hubuser:hub-pass-1".getBytes(StandardCharsets.UTF_8));
        config("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + auth + "\"}}}");
        assertThat(DockerConfigCredentials.find(dir, "docker.io").orElseThrow().describe())
                .startsWith("user 'hubuser'");
    }

    /**
     * A credential helper as docker/docker-credential-helpers client/client.go runs one: {@code get}, the server on
     * stdin, JSON out; "credentials not found in native keychain" with a non-zero exit means nothing stored.
     */
    private void helper(String name) throws Exception {
        Files.createDirectories(helpers);
        Path script = helpers.resolve("docker-credential-" + name);
        Files.writeString(script, """
                #!/bin/sh
                read -r server
                echo "$0 $* <$server>" >> "$(dirname "$0")/calls.log"
                case "$server" in
                  reg.example.com) printf '{"ServerURL":"%s","Username":"alice","Secret":"helper-secret-1"}' "$server" ;;
                  tok.example.com) printf '{"ServerURL":"%s","Username":"<token>","Secret":"token-secret-2"}' "$server" ;;
                  https://index.docker.io/v1/) printf '{"Username":"hubber","Secret":"hub-secret-3"}' ;;
                  fail.example.com) echo "error: keychain locked, last secret was helper-secret-1"; exit 3 ;;
                  *) echo "credentials not found in native keychain"; exit 1 ;;
                esac
                """);
        script.toFile().setExecutable(true);
    }

    private RegistryCredentials find(String host) {
        return DockerConfigCredentials.find(dir, host, helpers + java.io.File.pathSeparator + "/usr/bin:/bin", TIMEOUT)
                .orElseThrow();
    }

    @Test
    void aHostsOwnCredentialHelperIsRunWithTheServerOnStdin() throws Exception {
        helper("team");
        config("{\"auths\":{},\"credHelpers\":{\"reg.example.com\":\"team\",\"tok.example.com\":\"team\"}}");
        RegistryCredentials c = find("reg.example.com");
        assertThat(c.describe())
                .isEqualTo("user 'alice' from docker-credential-team (" + dir.resolve("config.json")
                        + " credHelpers.reg.example.com)");
        assertThat(c.toAuth("reg.example.com").password()).isEqualTo("helper-secret-1");
        assertThat(c.toString()).doesNotContain("helper-secret-1");
        assertThat(Files.readString(helpers.resolve("calls.log")))
                .isEqualTo(helpers.resolve("docker-credential-team") + " get <reg.example.com>\n");
        // the username <token> marks an identity token (docker/cli native_store.go tokenUsername)
        RegistryCredentials token = find("tok.example.com");
        assertThat(token.toAuth("tok.example.com").identityToken()).isEqualTo("token-secret-2");
        assertThat(token.toAuth("tok.example.com").username()).isNull();
        assertThat(token.describe())
                .startsWith("an identity token from docker-credential-team")
                .doesNotContain("token-secret");
        // a host the config gives no helper and no store: none
        assertThat(DockerConfigCredentials.find(dir, "quay.io", helpers.toString(), TIMEOUT))
                .isEmpty();
    }

    @Test
    void theCredentialStoreServesEveryOtherHostAndDockerHubByItsIndexUrl() throws Exception {
        helper("store");
        config("{\"credsStore\":\"store\"}");
        assertThat(find("docker.io").describe()).startsWith("user 'hubber' from docker-credential-store (");
        RegistryCredentials none = find("other.example.com");
        assertThat(none.isAnonymous()).isTrue(); // as Docker's client: nothing stored is not an error
        assertThat(none.describe()).contains("'docker-credential-store' has none for other.example.com");
    }

    @Test
    void anInlineAuthsEntryComesBeforeTheHelpersAsInJib() throws Exception {
        helper("team");
        String auth = Base64.getEncoder().encodeToString("inline:inline-pass".getBytes(StandardCharsets.UTF_8));
        config("{\"auths\":{\"reg.example.com\":{\"auth\":\"" + auth
                + "\"}},\"credHelpers\":{\"reg.example.com\":\"team\"}," + "\"credsStore\":\"team\"}");
        assertThat(find("reg.example.com").describe()).startsWith("user 'inline' from ");
        assertThat(helpers.resolve("calls.log")).doesNotExist();
    }

    @Test
    void aMissingOrFailingHelperIsOneLineNamingItAndNeverItsOutput() throws Exception {
        helper("team");
        config("{\"credHelpers\":{\"fail.example.com\":\"team\",\"gcr.io\":\"e2e-absent\"}}");
        assertThatThrownBy(() -> find("fail.example.com"))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith(
                        "the credential helper 'docker-credential-team' failed for fail.example.com (exit 3):")
                .hasMessageContaining("docker login fail.example.com")
                .satisfies(e -> assertThat(e.getMessage())
                        .doesNotContain("helper-secret-1")
                        .doesNotContain("\n"));
        assertThatThrownBy(() -> find("gcr.io"))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("the credential helper 'docker-credential-e2e-absent' ("
                        + dir.resolve("config.json") + " credHelpers.gcr.io) is not on the PATH")
                .hasMessageContaining("<server> in settings.xml");
    }

    @Test
    void aHelperThatHangsIsStoppedAndNamed() throws Exception {
        Files.createDirectories(helpers);
        Path script = helpers.resolve("docker-credential-slow");
        Files.writeString(script, "#!/bin/sh\nexec sleep 30\n");
        script.toFile().setExecutable(true);
        config("{\"credsStore\":\"slow\"}");
        long start = System.nanoTime();
        assertThatThrownBy(() ->
                        DockerConfigCredentials.find(dir, "reg.example.com", helpers.toString(), Duration.ofSeconds(1)))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("the credential helper 'docker-credential-slow' did not answer within 1 s");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void noFileMeansNoCredentialsAndABrokenFileIsNamed() throws Exception {
        assertThat(DockerConfigCredentials.find(dir, "x.example.com")).isEmpty();
        config("{\"auths\":{\"x.example.com\":{\"auth\": dXNlcjpodW50ZXIy}}}"); // unquoted base64 user:hunter2
        assertThatThrownBy(() -> DockerConfigCredentials.find(dir, "x.example.com"))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith(
                        "cannot read " + dir.resolve("config.json") + ": invalid JSON at line 1, column")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("dXNlcjpodW50ZXIy"));
        assertThat(DockerConfigCredentials.directory(Map.of("DOCKER_CONFIG", "/cfg"), "/home/u"))
                .isEqualTo(Path.of("/cfg"));
        assertThat(DockerConfigCredentials.directory(Map.of(), "/home/u")).isEqualTo(Path.of("/home/u/.docker"));
    }
}
