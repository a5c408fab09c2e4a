package io.github.e2ekit.e2e.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DockerIgnoreTest {

    /** {ignore file text, path, excluded?} — checked against Docker's documented .dockerignore semantics. */
    static Stream<Arguments> cases() {
        return Stream.of(
                // plain globs: * and ? never cross '/'
                arguments("*.md", "README.md", true),
                arguments("*.md", "docs/guide.md", false),
                arguments("a*b", "axxb", true),
                arguments("a*b", "a/b", false),
                arguments("temp?", "tempa", true),
                arguments("temp?", "temp", false),
                arguments("temp?", "tempab", false),
                arguments("temp?", "dir/tempa", false),
                arguments("*/temp*", "somedir/temporary.txt", true),
                arguments("*/temp*", "somedir/temp", true),
                arguments("*/temp*", "somedir/subdir/temporary.txt", false),
                arguments("*/temp*", "temp.txt", false),
                arguments("*/*/temp*", "somedir/subdir/temporary.txt", true),
                arguments("*~", "notes.txt~", true),
                // ** matches any number of directories, including none
                arguments("**/*.go", "main.go", true),
                arguments("**/*.go", "a/b/c/x.go", true),
                arguments("**/*.go", "a/b/x.gox", false),
                arguments("**", "x", true),
                arguments("**", "any/where/at/all", true),
                arguments("docs/**", "docs/a/b.txt", true),
                arguments("docs/**", "docs", false),
                arguments("docs/**/*.md", "docs/x.md", true),
                arguments("docs/**/*.md", "docs/a/b/x.md", true),
                arguments("docs/**/*.md", "x.md", false),
                arguments("**/node_modules", "web/app/node_modules/x/y.js", true),
                // a pattern matching a directory excludes everything under it
                arguments("dir", "dir/sub/file", true),
                arguments(".git", ".git/objects/ab/cdef", true),
                arguments("node_modules", "web/node_modules/x", false),
                // cleaning: leading '/', './', trailing '/', '..'
                arguments("/foo/bar", "foo/bar", true),
                arguments("/foo/bar", "x/foo/bar", false),
                arguments("./foo", "foo", true),
                arguments("foo/", "foo/x", true),
                arguments("a/../b", "b", true),
                arguments("a//b/./c", "a/b/c", true),
                // exceptions and last match wins
                arguments("*.md\n!README.md", "README.md", false),
                arguments("*.md\n!README.md", "CHANGES.md", true),
                arguments("*.md\n!README*.md\nREADME-secret.md", "README-secret.md", true),
                arguments("*.md\n!README*.md\nREADME-secret.md", "README-public.md", false),
                arguments("*.md\nREADME-secret.md\n!README*.md", "README-secret.md", false),
                arguments("*.txt\n!important.txt\n*", "important.txt", true),
                arguments("*\n!*.go", "main.go", false),
                arguments("*\n!*.go", "pkg/x.go", true),
                arguments("*\n!**/*.go", "pkg/x.go", false),
                arguments("*\n!/foo", "foo", false),
                arguments("*\n! foo ", "foo", false),
                // exceptions re-include under excluded directories (and everything below a re-included dir)
                arguments("build\n!build/keep.txt", "build/keep.txt", false),
                arguments("build\n!build/keep.txt", "build/other.txt", true),
                arguments("dir/**\n!dir/keep/**", "dir/keep/x", false),
                arguments("dir\n!dir/keep", "dir/keep/deep/file", false),
                // comments: '#' only in column 1
                arguments("# comment\nfoo", "foo", true),
                arguments("# comment", "# comment", false),
                arguments(" #notcomment", "#notcomment", true),
                arguments("\uFEFF# comment after BOM\nx", "# comment after BOM", false),
                // character classes and escapes (Go filepath.Match)
                arguments("[a-c].txt", "b.txt", true),
                arguments("[a-c].txt", "d.txt", false),
                arguments("[^a-c].txt", "d.txt", true),
                arguments("[^a-c].txt", "a.txt", false),
                arguments("[!a].txt", "!.txt", true),
                arguments("[\\]x].txt", "].txt", true),
                arguments("\\*.txt", "*.txt", true),
                arguments("\\*.txt", "a.txt", false),
                arguments("foo\\?", "foo?", true),
                arguments("foo\\?", "fooa", false),
                arguments("a.c", "abc", false),
                arguments("a+b(c)", "a+b(c)", true),
                // whitespace is trimmed, blank lines are skipped
                arguments("foo.txt   ", "foo.txt", true),
                arguments("   foo.txt\t", "foo.txt", true),
                arguments("\n\n   \nfoo\r\n", "foo", true),
                arguments("", "anything", false));
    }

    @ParameterizedTest(name = "[{index}] {0} / {1} -> {2}")
    @MethodSource("cases")
    void matchesLikeDocker(String ignoreFile, String path, boolean excluded) {
        assertThat(DockerIgnore.parse(ignoreFile).excludes(path)).isEqualTo(excluded);
    }

    @ParameterizedTest
    @CsvSource({
        "'', .",
        "., .",
        "./a, a",
        "a/, a",
        "a//b, a/b",
        "a/./b/, a/b",
        "a/../b, b",
        "../a, ../a",
        "a/../../b, ../b",
        "/../a, /a",
        "/, /",
        "'!./a', '!./a'",
    })
    void cleansLikeGo(String in, String out) {
        assertThat(DockerIgnore.cleanPath(in)).isEqualTo(out);
    }

    @Test
    void readsLinesLikeTheDockerCli() {
        assertThat(DockerIgnore.readLines("# c\n  /a/b/  \n!./c\n! /d\n\n.\n/\n x/../y\n"))
                .containsExactly("a/b", "!c", "!d", ".", "/", "y");
    }

    @ParameterizedTest
    @ValueSource(strings = {"!", "[", "a[", "[]", "[^]", "[a-]", "[a", "foo\\", "[\\"})
    void rejectsMalformedPatterns(String pattern) {
        assertThatThrownBy(() -> DockerIgnore.parse(pattern)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void literalExceptionTakesNameLiterally() {
        DockerIgnore ignore = DockerIgnore.parse("*").withLiteralException("weird[1].txt");
        assertThat(ignore.excludes("weird[1].txt")).isFalse();
        assertThat(ignore.excludes("weird1.txt")).isTrue();
        assertThat(ignore.patterns()).containsExactly("*", "!weird[1].txt");
    }

    @Test
    void tellsWhetherExceptionsMayMatchBelowADirectory() {
        DockerIgnore ignore = DockerIgnore.parse("build\nvendor\n!build/keep.txt\n!*/gen/*.java");
        assertThat(ignore.exceptionsMayMatchBelow("build")).isTrue();
        assertThat(ignore.exceptionsMayMatchBelow("vendor")).isTrue(); // */gen/*.java
        assertThat(ignore.exceptionsMayMatchBelow("vendor/x")).isFalse();
        assertThat(ignore.exceptionsMayMatchBelow("vendor/gen")).isTrue();
        assertThat(ignore.exceptionsMayMatchBelow("build/keep.txt")).isFalse();
        assertThat(DockerIgnore.parse("a\n!**/x").exceptionsMayMatchBelow("a/b/c"))
                .isTrue();
        assertThat(DockerIgnore.parse("a").exceptionsMayMatchBelow("a")).isFalse();
        assertThat(DockerIgnore.parse("a\n!b/c").exceptionsMayMatchBelow("a")).isFalse();
    }

    @Test
    void incrementalStateAgreesWithExcludes() {
        DockerIgnore ignore = DockerIgnore.parse("a\n!a/b\na/b/c*\n**/z");
        List<String> paths = List.of("a", "a/b", "a/b/c1", "a/b/d", "a/b/d/z", "a/x");
        for (String p : paths) {
            assertThat(ignore.decide(ignore.matchState(p, null))).as(p).isEqualTo(ignore.excludes(p));
        }
        boolean[] a = ignore.matchState("a", null);
        boolean[] ab = ignore.matchState("a/b", a);
        boolean[] abd = ignore.matchState("a/b/d", ab);
        assertThat(ignore.decide(abd)).isFalse();
        assertThat(ignore.decide(ignore.matchState("a/b/d/z", abd))).isTrue();
        assertThat(ignore.decide(ignore.matchState("a/b/c1", ab))).isTrue();
        assertThat(ignore.decide(ignore.matchState("a/x", a))).isTrue();
    }
}
