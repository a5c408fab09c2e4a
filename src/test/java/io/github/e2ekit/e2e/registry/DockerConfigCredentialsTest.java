package io.github.e2ekit.e2e.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {
    @TempDir
    Path dir;

    private void config(String json) throws Exception {
        Files.writeString(dir.resolve("config.json"), json);
    }

    @Test
    void readsBase64AuthsEntriesAndNeverShowsThePassword() throws Exception {
        String auth = Base64.getEncoder().encodeToString("bob:hunter2-long".getBytes(StandardCharsets.UTF_8));
        config("{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"" + auth + "\"}},\"credsStore\":\"desktop\","
                + "\"proxies\":{\"default\":{}},\"currentContext\":\"default\"}");
        RegistryCredentials c = DockerConfigCredentials.find(dir, "127.0.0.1:5000").orElseThrow();
        assertThat(c.describe()).startsWith("user 'bob' from ").contains("config.json").doesNotContain("hunter2");
        assertThat(c.toString()).doesNotContain("hunter2");
        assertThat(c.redact("echo hunter2-long")).isEqualTo("echo ****");
        assertThat(c.toAuthConfig("127.0.0.1:5000").getPassword()).isEqualTo("hunter2-long");
        // a host without an entry, with a credential store configured: anonymous, and the reason is kept
        RegistryCredentials other = DockerConfigCredentials.find(dir, "other.example.com").orElseThrow();
        assertThat(other.isAnonymous()).isTrue();
        assertThat(other.describe()).contains("credential store 'docker-credential-desktop'");
    }

    @Test
    void dockerHubIsFoundUnderItsIndexUrl() throws Exception {
        String auth = Base64.getEncoder().encodeToString("hubuser:hub-pass-1".getBytes(StandardCharsets.UTF_8));
        config("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + auth + "\"}}}");
        assertThat(DockerConfigCredentials.find(dir, "docker.io").orElseThrow().describe()).startsWith("user 'hubuser'");
    }

    @Test
    void aHostServedByACredentialHelperGetsAnErrorThatSaysWhereToPutCredentials() throws Exception {
        config("{\"auths\":{},\"credHelpers\":{\"gcr.io\":\"gcloud\"}}");
        assertThatThrownBy(() -> DockerConfigCredentials.find(dir, "gcr.io"))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("credential helper 'docker-credential-gcloud'")
                .hasMessageContaining("<server><id>gcr.io</id>");
        assertThat(DockerConfigCredentials.find(dir, "quay.io")).isEmpty();
        config("{\"credsStore\":\"desktop\"}");
        assertThat(DockerConfigCredentials.find(dir, "quay.io").orElseThrow().isAnonymous()).isTrue(); // as Docker's client
    }

    @Test
    void noFileMeansNoCredentialsAndABrokenFileIsNamed() throws Exception {
        assertThat(DockerConfigCredentials.find(dir, "x.example.com")).isEmpty();
        config("{\"auths\":{\"x.example.com\":{\"auth\": dXNlcjpodW50ZXIy}}}"); // unquoted base64 user:hunter2
        assertThatThrownBy(() -> DockerConfigCredentials.find(dir, "x.example.com"))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("cannot read " + dir.resolve("config.json") + ": invalid JSON at line 1, column")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("dXNlcjpodW50ZXIy"));
        assertThat(DockerConfigCredentials.directory(Map.of("DOCKER_CONFIG", "/cfg"), "/home/u")).isEqualTo(Path.of("/cfg"));
        assertThat(DockerConfigCredentials.directory(Map.of(), "/home/u")).isEqualTo(Path.of("/home/u/.docker"));
    }
}
