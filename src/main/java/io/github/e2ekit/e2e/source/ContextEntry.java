package io.github.e2ekit.e2e.source;

import java.util.Comparator;
import java.util.Objects;

/**
 * One entry of a build context, as sent to the engine.
 *
 * @param path       path relative to the context root, separated by {@code /}, never empty, no trailing slash
 * @param type       file, directory or symbolic link
 * @param executable for files: whether the owner execute bit is set (sent as mode 0755, else 0644); false for
 *                   directories (always 0755) and symbolic links
 * @param size       file size in bytes; 0 for directories and symbolic links
 * @param linkTarget the target of a symbolic link as stored in the link (not resolved); null for other types
 */
public record ContextEntry(String path, Type type, boolean executable, long size, String linkTarget) {

    /** Entry type. */
    public enum Type {
        FILE,
        DIRECTORY,
        SYMLINK
    }

    /** Orders paths by their UTF-8 bytes (equivalently: by Unicode code point). */
    public static final Comparator<String> PATH_ORDER = ContextEntry::comparePaths;

    public ContextEntry {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        if (path.isEmpty()) {
            throw new IllegalArgumentException("empty path");
        }
        if (type == Type.SYMLINK) {
            Objects.requireNonNull(linkTarget, "linkTarget");
        } else if (linkTarget != null) {
            throw new IllegalArgumentException("linkTarget only for symbolic links: " + path);
        }
    }

    public boolean isFile() {
        return type == Type.FILE;
    }

    public boolean isDirectory() {
        return type == Type.DIRECTORY;
    }

    public boolean isSymlink() {
        return type == Type.SYMLINK;
    }

    /** The POSIX permission bits the entry is sent with: 0755 for directories and executables, 0644 otherwise, 0777 for links. */
    public int mode() {
        switch (type) {
            case DIRECTORY:
                return 0755;
            case SYMLINK:
                return 0777;
            default:
                return executable ? 0755 : 0644;
        }
    }

    static int comparePaths(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
