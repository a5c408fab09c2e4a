package io.github.e2ekit.e2e.tag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TagTemplateTest {
    private static final String DIGEST = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static final TagValues VALUES =
            new TagValues("gateway", DIGEST, "a1b2c3d4", "20261122-010203", "deadbeef1234-dirty", "1.0.0-SNAPSHOT");

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{service}-{digest}        | gateway-0123456789ab",
                "{digest:8}                | 01234567",
                "{digest:64}               | " + DIGEST,
                "{run}                     | a1b2c3d4",
                "{timestamp}               | 20261122-010203",
                "{git}                     | deadbeef1234-dirty",
                "{version}                 | 1.0.0-SNAPSHOT",
                "e2e-{service}_{run}       | e2e-gateway_a1b2c3d4",
            })
    void rendersEveryPlaceholder(String template, String expected) {
        assertThat(new TagTemplate(template).render(VALUES)).isEqualTo(expected);
    }

    @Test
    void defaultTemplateIsServiceAndDigest() {
        assertThat(new TagTemplate(null).render(VALUES)).isEqualTo("gateway-0123456789ab");
        assertThat(new TagTemplate(" ").template()).isEqualTo(TagTemplate.DEFAULT);
    }

    @Test
    void sanitisesVersionAndServiceIntoTagCharacters() {
        TagValues odd = new TagValues("my service/x", DIGEST, "r", "t", null, "1.0+build/7");
        assertThat(new TagTemplate("{service}-{version}").render(odd)).isEqualTo("my-service-x-1.0-build-7");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{nope}           | unknown placeholder {nope}",
                "{digest:2}       | 4 to 64",
                "{digest:65}      | 4 to 64",
                "{service         | unbalanced",
                "latest           | 'latest'",
                "-{digest}        | not a valid Docker tag",
                ".x{run}          | not a valid Docker tag",
            })
    void rejectsBadTemplatesWithOneLine(String template, String message) {
        assertThatThrownBy(() -> new TagTemplate(template).render(VALUES))
                .isInstanceOf(TagTemplateException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void emptyResultIsRejected() {
        TagValues empty = new TagValues("", DIGEST, "r", "t", null, "");
        assertThatThrownBy(() -> new TagTemplate("{service}{version}").render(empty))
                .hasMessageContaining("empty tag");
    }

    @Test
    void tooLongResultIsRejected() {
        assertThatThrownBy(() -> new TagTemplate("{digest:64}{digest:64}{digest:64}").render(VALUES))
                .hasMessageContaining("not a valid Docker tag");
    }

    @Test
    void gitOutsideAWorkTreeIsAnError() {
        TagValues noGit = new TagValues("s", DIGEST, "r", "t", null, "v");
        assertThat(new TagTemplate("{git}").usesGit()).isTrue();
        assertThatThrownBy(() -> new TagTemplate("{git}").render(noGit)).hasMessageContaining("git work tree");
    }
}
