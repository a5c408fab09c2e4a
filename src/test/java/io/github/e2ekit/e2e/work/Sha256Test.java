package io.github.e2ekit.e2e.work;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class Sha256Test {
    @Test
    void hexOfTextIsTheFipsTestVector() {
        // FIPS 180-2, appendix B.1: SHA-256("abc")
        assertThat(Sha256.hex("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void aDigestFedInPartsEqualsTheWhole() {
        MessageDigest md = Sha256.digest();
        md.update("a".getBytes(StandardCharsets.UTF_8));
        md.update("bc".getBytes(StandardCharsets.UTF_8));
        assertThat(Sha256.hex(md.digest())).isEqualTo(Sha256.hex("abc"));
    }
}
