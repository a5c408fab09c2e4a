package io.github.e2ekit.e2e.source;

import static io.github.e2ekit.e2e.source.Trees.executable;
import static io.github.e2ekit.e2e.source.Trees.symlink;
import static io.github.e2ekit.e2e.source.Trees.touch;
import static io.github.e2ekit.e2e.source.Trees.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SourceDigestTest {

    @TempDir
    Path tmp;

    Path ctx;

    private static final List<String[]> FILES = List.of(
            new String[] {"Dockerfile", "FROM scratch\nCOPY . /\n"},
            new String[] {".dockerignore", "*.log\ntarget\n"},
            new String[] {"src/main/App.java", "class App {}\n"},
            new String[] {"src/main/res/a.txt", "a"},
            new String[] {"bin/run.sh", "#!/bin/sh\necho hi\n"},
            new String[] {"empty", ""},
            new String[] {"debug.log", "ignored"},
            new String[] {"target/classes/App.class", "ignored"});

    @BeforeEach
    void tree() {
        ctx = makeTree(tmp.resolve("one"), false, 1_000_000L);
    }

    private static Path makeTree(Path root, boolean reverse, long mtime) {
        List<String[]> files = new java.util.ArrayList<>(FILES);
        if (reverse) {
            java.util.Collections.reverse(files);
        }
        for (String[] f : files) {
            touch(write(root, f[0], f[1]), mtime);
        }
        executable(root.resolve("bin/run.sh"), true);
        symlink(root, "current", "src/main");
        return root;
    }

    private String digest(Path root) throws Exception {
        return SourceDigest.compute(BuildContext.scan(root), "prod", Map.of("A", "1", "B", "2"));
    }

    @Test
    void isHexSha256AndStable() throws Exception {
        String d = digest(ctx);
        assertThat(d).matches("[0-9a-f]{64}");
        assertThat(digest(ctx)).isEqualTo(d);
    }

    @Test
    void sameTreeElsewhereInOtherOrderWithOtherTimesGivesSameDigest() throws Exception {
        Path other = makeTree(tmp.resolve("deeper/two"), true, 2_000_000_000L);
        assertThat(digest(other)).isEqualTo(digest(ctx));
    }

    @Test
    void buildArgOrderDoesNotMatter() throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("B", "2");
        a.put("A", "1");
        assertThat(SourceDigest.compute(BuildContext.scan(ctx), "prod", a)).isEqualTo(digest(ctx));
    }

    /** A change to what the context sends. */
    interface Change {
        void apply(Path ctx) throws Exception;
    }

    static Stream<Named<Change>> changesToWhatIsSent() {
        return Stream.of(
                Named.of("a file's content", ctx -> write(ctx, "src/main/res/a.txt", "b")),
                Named.of(
                        "a file's name",
                        ctx -> Files.move(ctx.resolve("src/main/res/a.txt"), ctx.resolve("src/main/res/b.txt"))),
                Named.of("a new empty directory", ctx -> Files.createDirectories(ctx.resolve("src/empty"))),
                Named.of("a file's executable bit", ctx -> executable(ctx.resolve("bin/run.sh"), false)),
                Named.of("a symlink's target", ctx -> symlink(ctx, "current", "src/main/res")),
                Named.of("the Dockerfile", ctx -> write(ctx, "Dockerfile", "FROM scratch\n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changesToWhatIsSent")
    void aChangeToWhatIsSentChangesTheDigest(Change change) throws Exception {
        String before = digest(ctx);
        change.apply(ctx);
        assertThat(digest(ctx)).isNotEqualTo(before);
    }

    @Test
    void externalDockerfileContentCounts() throws Exception {
        Path df = write(tmp, "ext/Dockerfile", "FROM a\n");
        String before = SourceDigest.compute(BuildContext.scan(ctx, df));
        write(tmp, "ext/Dockerfile", "FROM b\n");
        assertThat(SourceDigest.compute(BuildContext.scan(ctx, df))).isNotEqualTo(before);
    }

    @Test
    void buildArgChangesDigest() throws Exception {
        BuildContext bc = BuildContext.scan(ctx);
        String before = digest(ctx);
        assertThat(SourceDigest.compute(bc, "prod", Map.of("A", "1", "B", "3"))).isNotEqualTo(before);
        assertThat(SourceDigest.compute(bc, "prod", Map.of("A", "1"))).isNotEqualTo(before);
        Map<String, String> nullValue = new HashMap<>(Map.of("A", "1"));
        nullValue.put("B", null);
        Map<String, String> emptyValue = new HashMap<>(Map.of("A", "1", "B", ""));
        assertThat(SourceDigest.compute(bc, "prod", nullValue))
                .isNotEqualTo(SourceDigest.compute(bc, "prod", emptyValue));
    }

    @Test
    void targetChangesDigest() throws Exception {
        BuildContext bc = BuildContext.scan(ctx);
        Map<String, String> args = Map.of("A", "1", "B", "2");
        String prod = SourceDigest.compute(bc, "prod", args);
        assertThat(SourceDigest.compute(bc, "test", args)).isNotEqualTo(prod);
        assertThat(SourceDigest.compute(bc, null, args)).isNotEqualTo(prod);
        assertThat(SourceDigest.compute(bc, "", args)).isNotEqualTo(SourceDigest.compute(bc, null, args));
    }

    @Test
    void ignoredFileChangesDoNotMatter() throws Exception {
        String before = digest(ctx);
        write(ctx, "debug.log", "other");
        write(ctx, "target/classes/App.class", "other");
        write(ctx, "target/new/file", "new");
        write(ctx, "more.log", "new");
        touch(ctx.resolve("src/main/App.java"), 42L);
        assertThat(digest(ctx)).isEqualTo(before);
    }

    @Test
    void manyFilesHashedInParallelAgreeWithSequentialHashes() throws Exception {
        for (int i = 0; i < 300; i++) {
            write(ctx, "many/d" + (i % 7) + "/f" + i, "content " + i + "x".repeat(i * 37));
        }
        BuildContext bc = BuildContext.scan(ctx);
        byte[][] parallel = SourceDigest.hashFiles(bc, bc.entries());
        for (int i = 0; i < bc.entries().size(); i++) {
            ContextEntry e = bc.entries().get(i);
            if (e.isFile()) {
                byte[] expected = BuildContext.sha256().digest(Files.readAllBytes(bc.resolve(e)));
                assertThat(parallel[i]).as(e.path()).isEqualTo(expected);
            } else {
                assertThat(parallel[i]).isNull();
            }
        }
    }
}
