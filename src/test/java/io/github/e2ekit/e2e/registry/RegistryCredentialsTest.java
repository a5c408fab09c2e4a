package io.github.e2ekit.e2e.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.image.ImageReference;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class RegistryCredentialsTest {
    private static final String PASSWORD = "s3cr\"et\\pass-word";
    private final RegistryCredentials credentials = RegistryCredentials.password("alice", PASSWORD, "test");

    /** The part of {@code encoded} (base64 of {@code whole}) made of {@code secret}'s bits alone. */
    private static String secretPart(String encoded, String whole, String secret) {
        byte[] all = whole.getBytes(StandardCharsets.UTF_8);
        byte[] s = secret.getBytes(StandardCharsets.UTF_8);
        int at = new String(all, StandardCharsets.ISO_8859_1).indexOf(new String(s, StandardCharsets.ISO_8859_1));
        int first = (8 * at + 5) / 6;
        int last = 8 * (at + s.length) / 6;
        return encoded.substring(first, last);
    }

    @Test
    void thePasswordIsMaskedAsItIsEscapedInJsonAndInsideBase64() {
        String json = "{\"username\":\"alice\",\"password\":\"s3cr\\\"et\\\\pass-word\",\"serveraddress\":\"reg\"}";
        String std = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        String url = Base64.getUrlEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        String basic = Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        String text = "raw " + PASSWORD + " json " + json + " header " + std + " url " + url + " basic " + basic;

        String out = credentials.redact(text);

        assertThat(out)
                .doesNotContain(PASSWORD)
                .doesNotContain("s3cr\\\"et\\\\pass-word")
                .doesNotContain(secretPart(std, json, "s3cr\\\"et\\\\pass-word"))
                .doesNotContain(secretPart(url, json, "s3cr\\\"et\\\\pass-word"))
                .doesNotContain(secretPart(basic, "alice:" + PASSWORD, PASSWORD))
                .contains("****")
                .startsWith("raw **** json ");
    }

    @Test
    void anEngineErrorQuotingTheCredentialsBecomesOneMaskedLine() {
        String raw = "Get \"http://127.0.0.1:5000/v2/\": unauthorized: authentication required\n"
                + "  while sending alice:" + PASSWORD + "\n";
        String line = RegistryPush.failure(
                ImageReference.parse("127.0.0.1:5000/app:t"), RegistryTarget.parse("127.0.0.1:5000"), credentials, raw);
        assertThat(line)
                .startsWith("registry 127.0.0.1:5000 refused the push with user 'alice' from test")
                .doesNotContain(PASSWORD)
                .doesNotContain("\n");
    }
}
