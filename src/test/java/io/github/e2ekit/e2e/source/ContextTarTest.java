package io.github.e2ekit.e2e.source;

import static io.github.e2ekit.e2e.source.Trees.executable;
import static io.github.e2ekit.e2e.source.Trees.symlink;
import static io.github.e2ekit.e2e.source.Trees.touch;
import static io.github.e2ekit.e2e.source.Trees.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextTarTest {

    @TempDir
    Path tmp;

    Path ctx;

    @BeforeEach
    void tree() {
        ctx = tmp.resolve("ctx");
        write(ctx, "Dockerfile", "FROM scratch\n");
        write(ctx, ".dockerignore", "*.log\nbuild\n!build/keep\n");
        write(ctx, "src/App.java", "class App {}\n");
        executable(write(ctx, "bin/run.sh", "#!/bin/sh\n"), true);
        write(ctx, "debug.log", "ignored");
        write(ctx, "build/keep", "kept");
        write(ctx, "build/drop", "dropped");
        write(ctx, "deep/" + "very-long-directory-name/".repeat(6) + "file-with-a-long-name.txt", "long");
        write(ctx, "ünïcødé.txt", "u");
        symlink(ctx, "link", "src/App.java");
    }

    private static byte[] tar(BuildContext bc) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ContextTar.write(bc, out);
        return out.toByteArray();
    }

    /** name -> entry, content as a string for files. */
    private static Map<TarArchiveEntry, String> read(byte[] tar) throws Exception {
        Map<TarArchiveEntry, String> out = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar), "UTF-8")) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.put(e, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Test
    void tarEntriesAreTheWalkEntries() throws Exception {
        BuildContext bc = BuildContext.scan(ctx);
        Map<TarArchiveEntry, String> entries = read(tar(bc));
        List<TarArchiveEntry> list = new ArrayList<>(entries.keySet());
        assertThat(list).hasSameSizeAs(bc.entries());
        for (int i = 0; i < list.size(); i++) {
            TarArchiveEntry t = list.get(i);
            ContextEntry e = bc.entries().get(i);
            String name = t.isDirectory() ? t.getName().substring(0, t.getName().length() - 1) : t.getName();
            assertThat(name).isEqualTo(e.path());
            assertThat(t.getMode() & 07777).as(e.path()).isEqualTo(e.mode());
            assertThat(t.getModTime().getTime()).isZero();
            assertThat(t.getUserName()).isEmpty();
            switch (e.type()) {
                case FILE:
                    assertThat(t.isFile()).isTrue();
                    assertThat(t.getSize()).isEqualTo(e.size());
                    assertThat(entries.get(t)).isEqualTo(Files.readString(bc.resolve(e)));
                    break;
                case DIRECTORY:
                    assertThat(t.isDirectory()).isTrue();
                    break;
                case SYMLINK:
                    assertThat(t.isSymbolicLink()).isTrue();
                    assertThat(t.getLinkName()).isEqualTo(e.linkTarget());
                    break;
                default:
                    throw new AssertionError();
            }
        }
        List<String> names = list.stream().map(TarArchiveEntry::getName).toList();
        assertThat(names)
                .contains(
                        "bin/run.sh",
                        "build/keep",
                        "link",
                        "ünïcødé.txt",
                        "deep/" + "very-long-directory-name/".repeat(6) + "file-with-a-long-name.txt");
        assertThat(names).doesNotContain("debug.log", "build/drop");
        assertThat(list.get(names.indexOf("bin/run.sh")).getMode() & 0777).isEqualTo(0755);
        assertThat(list.get(names.indexOf("src/App.java")).getMode() & 0777).isEqualTo(0644);
    }

    @Test
    void externalDockerfileIsAddedUnderTheReportedName() throws Exception {
        Path df = write(tmp, "docker/Dockerfile.prod", "FROM busybox\n");
        BuildContext bc = BuildContext.scan(ctx, df);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String name = ContextTar.write(bc, out);
        assertThat(name).isEqualTo(bc.dockerfileName()).startsWith(".e2e-dockerfile-");
        Map<TarArchiveEntry, String> entries = read(out.toByteArray());
        TarArchiveEntry last = new ArrayList<>(entries.keySet()).get(entries.size() - 1);
        assertThat(last.getName()).isEqualTo(name);
        assertThat(entries.get(last)).isEqualTo("FROM busybox\n");
        assertThat(entries).hasSize(bc.entries().size() + 1);
    }

    @Test
    void identicalTreesGiveByteIdenticalTars() throws Exception {
        byte[] first = tar(BuildContext.scan(ctx));
        Path copy = tmp.resolve("copy/ctx");
        for (ContextEntry e : BuildContext.scan(ctx).entries()) {
            Path src = ctx.resolve(e.path());
            Path dst = copy.resolve(e.path());
            Files.createDirectories(dst.getParent());
            if (e.isDirectory()) {
                Files.createDirectories(dst);
            } else if (e.isSymlink()) {
                Files.createSymbolicLink(dst, Files.readSymbolicLink(src));
            } else {
                Files.copy(src, dst);
                touch(dst, 123_456_789L);
            }
        }
        assertThat(tar(BuildContext.scan(copy))).isEqualTo(first);
        assertThat(tar(BuildContext.scan(ctx))).isEqualTo(first);
    }

    @Test
    void paxHeadersCarryNoTimestampOrUser() throws Exception {
        byte[] tar = tar(BuildContext.scan(ctx));
        int paxHeaders = 0;
        for (int off = 0; off + 512 <= tar.length; off += 512) {
            byte type = tar[off + 156];
            boolean ustar = new String(tar, off + 257, 5, StandardCharsets.US_ASCII).equals("ustar");
            if (!ustar) {
                continue;
            }
            // every header, PAX ones included: mtime 0, no user or group name
            String mtime = new String(tar, off + 136, 12, StandardCharsets.US_ASCII)
                    .replace("\0", "")
                    .trim();
            assertThat(Long.parseLong(mtime.isEmpty() ? "0" : mtime, 8))
                    .as("mtime at " + off)
                    .isZero();
            assertThat(tar[off + 265]).as("uname at " + off).isZero();
            assertThat(tar[off + 297]).as("gname at " + off).isZero();
            if (type == 'x') {
                paxHeaders++;
            }
        }
        assertThat(paxHeaders).isGreaterThanOrEqualTo(2); // long name and non-ASCII name
    }
}
