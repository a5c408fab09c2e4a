package io.github.e2ekit.e2e.source;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The entries of a Docker build context: one walk of the context directory, filtered by the ignore file, that
 * both {@link SourceDigest} and {@link ContextTar} consume, so the digest always describes exactly what is sent.
 *
 * <p>Rules (as the docker CLI and BuildKit apply them):
 * <ul>
 *   <li>the ignore file is {@code <Dockerfile>.dockerignore} next to the Dockerfile when that exists (BuildKit),
 *       else {@code .dockerignore} in the context root;</li>
 *   <li>the Dockerfile (when inside the context) and the root {@code .dockerignore} are always sent, even when the
 *       ignore file excludes them (the docker CLI appends exceptions for them);</li>
 *   <li>excluded directories are descended into only when an exception could match below them; an entry
 *       re-included below an excluded directory is sent together with its parent directories;</li>
 *   <li>symbolic links are not followed (sent as links); sockets, pipes and devices are skipped;</li>
 *   <li>entries are sorted by path (UTF-8 byte order), so parents precede their children.</li>
 * </ul>
 * Instances are immutable snapshots of the walk; file contents are read later by the consumers, which fail with a
 * {@link BuildContextException} if a file's size changed in between.
 */
public final class BuildContext {

    /** Prefix of the name under which a Dockerfile from outside the context is added to the context. */
    public static final String EXTERNAL_DOCKERFILE_PREFIX = ".e2e-dockerfile-";

    private final Path root;
    private final Path dockerfile;
    private final byte[] dockerfileContent;
    private final String dockerfileName;
    private final boolean dockerfileInContext;
    private final DockerIgnore ignore;
    private final List<ContextEntry> entries;

    private BuildContext(
            Path root,
            Path dockerfile,
            byte[] dockerfileContent,
            String dockerfileName,
            boolean dockerfileInContext,
            DockerIgnore ignore,
            List<ContextEntry> entries) {
        this.root = root;
        this.dockerfile = dockerfile;
        this.dockerfileContent = dockerfileContent;
        this.dockerfileName = dockerfileName;
        this.dockerfileInContext = dockerfileInContext;
        this.ignore = ignore;
        this.entries = entries;
    }

    /** Scans {@code contextDir} with the default Dockerfile {@code <contextDir>/Dockerfile}. */
    public static BuildContext scan(Path contextDir) throws BuildContextException {
        return scan(contextDir, null);
    }

    /**
     * Scans a build context.
     *
     * @param contextDir the context directory
     * @param dockerfile the Dockerfile, inside or outside the context; a relative path is resolved against
     *                   {@code contextDir}; null for {@code <contextDir>/Dockerfile}
     * @throws BuildContextException when the context directory or the Dockerfile is missing or unreadable, or
     *                               the ignore file has a malformed pattern
     */
    public static BuildContext scan(Path contextDir, Path dockerfile) throws BuildContextException {
        if (contextDir == null) {
            throw new BuildContextException("No build context directory given");
        }
        if (!Files.isDirectory(contextDir)) {
            throw new BuildContextException(
                    "Build context directory does not exist or is not a directory: " + contextDir.toAbsolutePath());
        }
        Path root;
        try {
            root = contextDir.toRealPath();
        } catch (IOException e) {
            throw new BuildContextException("Cannot resolve build context directory " + contextDir + ": " + e, e);
        }

        Path df = dockerfile == null
                ? root.resolve("Dockerfile")
                : dockerfile.isAbsolute() ? dockerfile : root.resolve(dockerfile);
        df = df.toAbsolutePath().normalize();
        if (!Files.isRegularFile(df)) {
            throw new BuildContextException("Dockerfile not found: " + df);
        }
        byte[] content;
        Path dfCanonical;
        try {
            content = Files.readAllBytes(df);
            dfCanonical = df.getParent().toRealPath().resolve(df.getFileName());
        } catch (IOException e) {
            throw new BuildContextException("Cannot read Dockerfile " + df + ": " + e, e);
        }

        boolean inContext = dfCanonical.startsWith(root) && !dfCanonical.equals(root);
        String dfName = inContext
                ? toSlashPath(root.relativize(dfCanonical))
                : EXTERNAL_DOCKERFILE_PREFIX + sha256Hex(content).substring(0, 16);

        Path specificIgnore = df.resolveSibling(df.getFileName() + ".dockerignore");
        DockerIgnore ignore =
                DockerIgnore.read(Files.isRegularFile(specificIgnore) ? specificIgnore : root.resolve(".dockerignore"));
        // The docker CLI always sends the ignore file and the Dockerfile (TrimBuildFilesFromExcludes).
        if (ignore.excludes(".dockerignore")) {
            ignore = ignore.withLiteralException(".dockerignore");
        }
        if (inContext && ignore.excludes(dfName)) {
            ignore = ignore.withLiteralException(dfName);
        }

        Walker walker = new Walker(root, ignore);
        walker.walk(root, "", null);
        List<ContextEntry> entries = walker.result();
        if (!inContext) {
            for (ContextEntry e : entries) {
                if (e.path().equals(dfName)) {
                    throw new BuildContextException("The build context already holds " + dfName);
                }
            }
        }
        return new BuildContext(root, df, content, dfName, inContext, ignore, entries);
    }

    /** The context directory (real path). */
    public Path root() {
        return root;
    }

    /** The absolute path of the Dockerfile. */
    public Path dockerfile() {
        return dockerfile;
    }

    /** The Dockerfile's content as read by {@link #scan}. */
    public byte[] dockerfileContent() {
        return dockerfileContent.clone();
    }

    /**
     * The path to pass as the build's {@code dockerfile}: the Dockerfile's path relative to the context, or, when it
     * is outside the context, the name ({@value #EXTERNAL_DOCKERFILE_PREFIX}{@code <hash>}) under which
     * {@link ContextTar} adds it.
     */
    public String dockerfileName() {
        return dockerfileName;
    }

    public boolean dockerfileInContext() {
        return dockerfileInContext;
    }

    /** The ignore rules in effect, including the exceptions added for the Dockerfile and {@code .dockerignore}. */
    public DockerIgnore ignore() {
        return ignore;
    }

    /** The included entries, sorted by path; unmodifiable. */
    public List<ContextEntry> entries() {
        return entries;
    }

    /** The absolute path of an entry. */
    public Path resolve(ContextEntry entry) {
        return root.resolve(entry.path());
    }

    static String toSlashPath(Path relative) {
        StringBuilder sb = new StringBuilder();
        for (Path part : relative) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(part.toString());
        }
        return sb.toString();
    }

    static String sha256Hex(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Walker {
        private final Path root;
        private final DockerIgnore ignore;
        private final boolean filtering;
        private final boolean posix;
        private final List<ContextEntry> included = new ArrayList<>();
        /** Excluded directories walked because an exception may match below; added if something below is. */
        private final Map<String, ContextEntry> excludedDirs = new HashMap<>();

        private boolean needParents;

        Walker(Path root, DockerIgnore ignore) {
            this.root = root;
            this.ignore = ignore;
            this.filtering = !ignore.isEmpty();
            this.posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
        }

        void walk(Path dir, String prefix, boolean[] parentState) throws BuildContextException {
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    children.add(p);
                }
            } catch (IOException e) {
                throw new BuildContextException("Cannot read directory " + dir + ": " + e, e);
            }
            for (Path child : children) {
                String name = child.getFileName().toString();
                String rel = prefix.isEmpty() ? name : prefix + "/" + name;
                BasicFileAttributes attrs;
                try {
                    attrs = posix
                            ? Files.readAttributes(child, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                            : Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue; // removed while walking
                } catch (IOException e) {
                    throw new BuildContextException("Cannot read attributes of " + child + ": " + e, e);
                }
                boolean[] state = null;
                boolean excluded = false;
                if (filtering) {
                    state = ignore.matchState(rel, parentState);
                    excluded = ignore.decide(state);
                }
                if (attrs.isSymbolicLink()) {
                    if (!excluded) {
                        String target;
                        try {
                            target = Files.readSymbolicLink(child).toString();
                        } catch (IOException e) {
                            throw new BuildContextException("Cannot read symbolic link " + child + ": " + e, e);
                        }
                        add(new ContextEntry(rel, ContextEntry.Type.SYMLINK, false, 0, target));
                    }
                } else if (attrs.isDirectory()) {
                    ContextEntry entry = new ContextEntry(rel, ContextEntry.Type.DIRECTORY, false, 0, null);
                    if (!excluded) {
                        add(entry);
                        walk(child, rel, state);
                    } else if (ignore.exceptionsMayMatchBelow(rel)) {
                        excludedDirs.put(rel, entry);
                        walk(child, rel, state);
                    }
                } else if (attrs.isRegularFile()) {
                    if (!excluded) {
                        add(new ContextEntry(
                                rel, ContextEntry.Type.FILE, isExecutable(child, attrs), attrs.size(), null));
                    }
                }
                // other types (sockets, pipes, devices) are not sent
            }
        }

        private void add(ContextEntry e) {
            included.add(e);
            if (!excludedDirs.isEmpty()) {
                needParents = true;
            }
        }

        List<ContextEntry> result() {
            List<ContextEntry> out = included;
            if (needParents) {
                Map<String, ContextEntry> byPath = new HashMap<>();
                for (ContextEntry e : included) {
                    byPath.put(e.path(), e);
                }
                for (ContextEntry e : new ArrayList<>(included)) {
                    String p = e.path();
                    for (int slash = p.lastIndexOf('/'); slash > 0; slash = p.lastIndexOf('/', slash - 1)) {
                        String parent = p.substring(0, slash);
                        if (byPath.containsKey(parent)) {
                            break;
                        }
                        ContextEntry d = excludedDirs.get(parent);
                        if (d == null) {
                            break;
                        }
                        byPath.put(parent, d);
                        out.add(d);
                    }
                }
            }
            out.sort((a, b) -> ContextEntry.comparePaths(a.path(), b.path()));
            return Collections.unmodifiableList(out);
        }

        private static boolean isExecutable(Path file, BasicFileAttributes attrs) {
            if (attrs instanceof PosixFileAttributes) {
                return ((PosixFileAttributes) attrs).permissions().contains(PosixFilePermission.OWNER_EXECUTE);
            }
            try {
                PosixFileAttributes posix =
                        Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                return posix.permissions().contains(PosixFilePermission.OWNER_EXECUTE);
            } catch (UnsupportedOperationException | IOException e) {
                return Files.isExecutable(file);
            }
        }
    }
}
