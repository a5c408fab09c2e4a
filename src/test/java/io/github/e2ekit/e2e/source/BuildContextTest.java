package io.github.e2ekit.e2e.source;

import static io.github.e2ekit.e2e.source.Trees.executable;
import static io.github.e2ekit.e2e.source.Trees.symlink;
import static io.github.e2ekit.e2e.source.Trees.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildContextTest {

    @TempDir
    Path tmp;

    Path ctx;

    @BeforeEach
    void context() {
        ctx = tmp.resolve("ctx");
    }

    private static List<String> paths(BuildContext ctx) {
        return ctx.entries().stream().map(ContextEntry::path).collect(Collectors.toList());
    }

    /** The paths a scan sends from a context of a Dockerfile, {@code dockerignore} and {@code files}. */
    private List<String> sent(String dockerignore, String... files) throws Exception {
        write(ctx, "Dockerfile", "FROM scratch\n");
        write(ctx, ".dockerignore", dockerignore);
        for (String f : files) {
            write(ctx, f, "x");
        }
        return paths(BuildContext.scan(ctx));
    }

    @Test
    void walksSortedWithTypesModesAndLinks() throws Exception {
        write(ctx, "Dockerfile", "FROM scratch\n");
        write(ctx, "a-b", "x");
        write(ctx, "a/b.txt", "hello");
        executable(write(ctx, "bin/run.sh", "#!/bin/sh\n"), true);
        symlink(ctx, "link", "a/b.txt");
        symlink(ctx, "dirlink", "a");
        BuildContext bc = BuildContext.scan(ctx);
        assertThat(paths(bc))
                .containsExactly("Dockerfile", "a", "a-b", "a/b.txt", "bin", "bin/run.sh", "dirlink", "link");
        assertThat(bc.entries().get(3)).isEqualTo(new ContextEntry("a/b.txt", ContextEntry.Type.FILE, false, 5, null));
        assertThat(bc.entries().get(5).executable()).isTrue();
        assertThat(bc.entries().get(5).mode()).isEqualTo(0755);
        assertThat(bc.entries().get(6))
                .isEqualTo(new ContextEntry("dirlink", ContextEntry.Type.SYMLINK, false, 0, "a"));
        assertThat(bc.dockerfileName()).isEqualTo("Dockerfile");
        assertThat(bc.dockerfileInContext()).isTrue();
    }

    @Test
    void appliesIgnoreFileAndSkipsExcludedDirectories() throws Exception {
        assertThat(sent(
                        "node_modules\n*.log\n**/*.tmp\n",
                        "node_modules/x/index.js",
                        "app.log",
                        "src/a.tmp",
                        "src/a.java"))
                .containsExactly(".dockerignore", "Dockerfile", "src", "src/a.java");
    }

    @Test
    void exceptionsReincludeBelowExcludedDirectoriesWithTheirParents() throws Exception {
        assertThat(sent("build\n!build/libs/app.jar\n", "build/libs/app.jar", "build/libs/other.jar", "build/tmp/x"))
                .containsExactly(".dockerignore", "Dockerfile", "build", "build/libs", "build/libs/app.jar");
    }

    @Test
    void wildcardExceptionsAreFoundDeepInExcludedDirectories() throws Exception {
        // "*/" is cleaned to "*" (as Docker does), so it excludes top.txt as well
        assertThat(sent("*/\nout\n!**/keep.txt\n", "out/a/b/keep.txt", "out/a/b/drop.txt", "out/c/drop.txt", "top.txt"))
                .containsExactly(".dockerignore", "Dockerfile", "out", "out/a", "out/a/b", "out/a/b/keep.txt");
    }

    @Test
    void alwaysSendsDockerfileAndDockerignore() throws Exception {
        write(ctx, "docker/app.Dockerfile", "FROM scratch\n");
        write(ctx, ".dockerignore", "*\n");
        write(ctx, "docker/other", "x");
        write(ctx, "src/a", "x");
        BuildContext bc = BuildContext.scan(ctx, Path.of("docker/app.Dockerfile"));
        assertThat(paths(bc)).containsExactly(".dockerignore", "docker", "docker/app.Dockerfile");
        assertThat(bc.dockerfileName()).isEqualTo("docker/app.Dockerfile");
    }

    @Test
    void prefersDockerfileSpecificIgnoreFile() throws Exception {
        write(ctx, "Dockerfile.dockerignore", "a\n");
        assertThat(sent("b\n", "a", "b"))
                .containsExactly(".dockerignore", "Dockerfile", "Dockerfile.dockerignore", "b");
    }

    @Test
    void dockerfileOutsideTheContextGetsAHashedName() throws Exception {
        write(ctx, "a", "x");
        Path df = write(tmp, "elsewhere/Dockerfile", "FROM scratch\n");
        BuildContext bc = BuildContext.scan(ctx, df);
        assertThat(bc.dockerfileInContext()).isFalse();
        assertThat(bc.dockerfileName()).matches("\\.e2e-dockerfile-[0-9a-f]{16}");
        assertThat(paths(bc)).containsExactly("a");
        assertThat(bc.dockerfileContent()).isEqualTo("FROM scratch\n".getBytes());
    }

    @Test
    void dockerfileReachedThroughDotsIsInTheContext() throws Exception {
        write(ctx, "Dockerfile", "FROM scratch\n");
        BuildContext bc = BuildContext.scan(ctx, tmp.resolve("ctx/sub/../Dockerfile"));
        assertThat(bc.dockerfileInContext()).isTrue();
        assertThat(bc.dockerfileName()).isEqualTo("Dockerfile");
    }

    @Test
    void failsClearlyForMissingInputs() throws Exception {
        assertThatThrownBy(() -> BuildContext.scan(tmp.resolve("nope")))
                .isInstanceOf(BuildContextException.class)
                .hasMessageContaining("context directory")
                .hasMessageContaining("nope");
        Files.createDirectories(tmp.resolve("ctx"));
        assertThatThrownBy(() -> BuildContext.scan(tmp.resolve("ctx")))
                .isInstanceOf(BuildContextException.class)
                .hasMessageContaining("Dockerfile not found");
        write(tmp, "ctx/Dockerfile", "FROM scratch\n");
        write(tmp, "ctx/.dockerignore", "[\n");
        assertThatThrownBy(() -> BuildContext.scan(tmp.resolve("ctx")))
                .isInstanceOf(BuildContextException.class)
                .hasMessageContaining("Bad pattern");
    }

    @Test
    void unreadableFileFailsTheDigest() throws Exception {
        write(ctx, "Dockerfile", "FROM scratch\n");
        Path secret = write(ctx, "secret", "x");
        BuildContext bc = BuildContext.scan(ctx);
        Files.delete(secret);
        assertThatThrownBy(() -> SourceDigest.compute(bc))
                .isInstanceOf(BuildContextException.class)
                .hasMessageContaining("secret");
        assertThatThrownBy(() -> ContextTar.write(bc, java.io.OutputStream.nullOutputStream()))
                .isInstanceOf(BuildContextException.class)
                .hasMessageContaining("secret");
    }

    @Test
    void fileChangedAfterScanFailsTheDigest() throws Exception {
        write(ctx, "Dockerfile", "FROM scratch\n");
        write(ctx, "grows", "x");
        BuildContext bc = BuildContext.scan(ctx);
        write(ctx, "grows", "xx");
        assertThatThrownBy(() -> SourceDigest.compute(bc))
                .isInstanceOf(BuildContextException.class)
                .hasMessageContaining("changed");
        assertThatThrownBy(() -> ContextTar.write(bc, java.io.OutputStream.nullOutputStream()))
                .isInstanceOf(BuildContextException.class)
                .hasMessageContaining("changed");
        write(ctx, "grows", "");
        assertThatThrownBy(() -> ContextTar.write(bc, java.io.OutputStream.nullOutputStream()))
                .isInstanceOf(BuildContextException.class)
                .hasMessageContaining("changed");
    }
}
