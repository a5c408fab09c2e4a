package io.github.e2ekit.e2e.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a {@link BuildContext} as an uncompressed tar stream, the body of Docker's {@code POST /build}.
 *
 * <p>Entries come in {@link BuildContext#entries()} order, files with mode 0755 or 0644, directories 0755,
 * symbolic links as links; owner 0:0 without names and modification time 0, so the same content always gives
 * byte-identical tars. Long names and large sizes use PAX headers. A Dockerfile outside the context is appended as
 * {@link BuildContext#dockerfileName()}.
 */
public final class ContextTar {

    private static final int BUFFER_SIZE = 1 << 16;

    private ContextTar() {}

    /**
     * Writes the tar to {@code out}, which is flushed but not closed.
     *
     * @return the path of the Dockerfile inside the tar, to pass as the build's {@code dockerfile}
     * @throws BuildContextException when a file cannot be read or changed size since the scan
     * @throws IOException           when writing to {@code out} fails
     */
    public static String write(BuildContext context, OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        byte[] buf = new byte[BUFFER_SIZE];
        List<ContextEntry> entries = context.entries();
        for (ContextEntry e : entries) {
            switch (e.type()) {
                case DIRECTORY:
                    tar.putArchiveEntry(header(e.path() + "/", TarConstants.LF_DIR, TarArchiveEntry.DEFAULT_DIR_MODE));
                    tar.closeArchiveEntry();
                    break;
                case SYMLINK:
                    TarArchiveEntry link = header(e.path(), TarConstants.LF_SYMLINK, 0120777);
                    link.setLinkName(e.linkTarget());
                    tar.putArchiveEntry(link);
                    tar.closeArchiveEntry();
                    break;
                case FILE:
                    TarArchiveEntry file = header(e.path(), TarConstants.LF_NORMAL, 0100000 | e.mode());
                    file.setSize(e.size());
                    tar.putArchiveEntry(file);
                    copy(context.resolve(e), e.size(), tar, buf);
                    tar.closeArchiveEntry();
                    break;
                default:
                    throw new IllegalStateException(e.type().toString());
            }
        }
        if (!context.dockerfileInContext()) {
            byte[] content = context.dockerfileContent();
            TarArchiveEntry df = header(context.dockerfileName(), TarConstants.LF_NORMAL, 0100644);
            df.setSize(content.length);
            tar.putArchiveEntry(df);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        tar.finish();
        tar.flush();
        return context.dockerfileName();
    }

    private static TarArchiveEntry header(String name, byte linkFlag, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name, linkFlag, false);
        e.setMode(mode);
        e.setModTime(0L);
        e.setUserId(0);
        e.setGroupId(0);
        e.setUserName("");
        e.setGroupName("");
        return e;
    }

    private static void copy(Path file, long size, OutputStream out, byte[] buf) throws IOException {
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (IOException e) {
            throw new BuildContextException("Cannot read " + file + ": " + e, e);
        }
        long remaining = size;
        try (in) {
            while (remaining > 0) {
                int n = read(in, file, buf, (int) Math.min(buf.length, remaining));
                if (n < 0) {
                    break;
                }
                out.write(buf, 0, n); // errors here are the output's, not the file's
                remaining -= n;
            }
            if (remaining == 0 && read(in, file, buf, 1) > 0) {
                remaining = -1;
            }
        }
        if (remaining != 0) {
            throw new BuildContextException(
                    "File changed while writing the build context: " + file + " (expected " + size + " bytes)");
        }
    }

    private static int read(InputStream in, Path file, byte[] buf, int len) throws BuildContextException {
        try {
            return in.read(buf, 0, len);
        } catch (IOException e) {
            throw new BuildContextException("Cannot read " + file + ": " + e, e);
        }
    }
}
