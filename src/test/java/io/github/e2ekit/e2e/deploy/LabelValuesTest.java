package io.github.e2ekit.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Whatever the user's names, what the plugin writes passes the API server's label and key rules. */
class LabelValuesTest {
    // apimachinery pkg/util/validation/validation.go labelValueFmt / qualifiedNameFmt, at most 63
    private static final Pattern VALID = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

    @ParameterizedTest
    @ValueSource(strings = {"gateway", "data-storage", "A.b_c-9", ""})
    void validValuesAreKeptAsTheyAre(String valid) {
        assertThat(LabelValues.value(valid)).isEqualTo(valid);
    }

    /**
     * Names users give that the API server would refuse as they are: too long (also just past the 49 characters an
     * annotation key's name part leaves after {@code source-digest.}), starting or ending wrong, with characters
     * outside the rules, made of separators only.
     */
    static Stream<String> oddNames() {
        return Stream.of(
                "a-very-long-artifact-id-that-goes-on-and-on-beyond-the-sixty-three-character-limit",
                "an-image-id-that-is-far-too-long-for-the-name-part-of-an-annotation-key",
                "-starts-with-dash",
                "ends-with-dot.",
                "has spaces and / slashes",
                "weird id!",
                "ümlaut-artifact",
                "___",
                "x".repeat(49),
                "x".repeat(50),
                "x".repeat(64),
                "com.example:artifact:1.0-SNAPSHOT");
    }

    @ParameterizedTest
    @MethodSource("oddNames")
    void oddValuesBecomeValidAndStayDistinct(String raw) {
        String v = LabelValues.value(raw);
        assertThat(v).hasSizeLessThanOrEqualTo(63).matches(VALID);
        assertThat(v).isNotEmpty().isNotEqualTo(LabelValues.value(raw + "x"));
        assertThat(LabelValues.value(raw)).as("stable").isEqualTo(v);
    }

    @ParameterizedTest
    @CsvSource({
        "datastorage,e2ekit.io/source-digest.datastorage",
        "DataStorage_v2,e2ekit.io/source-digest.DataStorage_v2"
    })
    void shortImageIdsGiveReadableKeys(String id, String key) {
        assertThat(ManifestRenderer.sourceDigestKey(id)).isEqualTo(key);
    }

    @ParameterizedTest
    @MethodSource("oddNames")
    void longOrOddImageIdsGiveValidAnnotationKeys(String id) {
        String key = ManifestRenderer.sourceDigestKey(id);
        assertThat(key).startsWith("e2ekit.io/source-digest.");
        String name = key.substring(key.indexOf('/') + 1);
        assertThat(name).hasSizeLessThanOrEqualTo(63).matches(VALID);
        assertThat(key).isNotEqualTo(ManifestRenderer.sourceDigestKey(id + "y"));
    }
}
