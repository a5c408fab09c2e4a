package io.github.e2ekit.e2e.testbed;

import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kind-like node image: {@code FROM scratch} with the host's containerd, ctr and busybox and
 * the shared libraries they need. Built once and cached under a tag derived from its content.
 */
public final class NodeImage {
    public static final String REPOSITORY = "e2e-testbed-node";
    public static final String LABEL = "io.github.e2ekit.testbed";
    private static final List<String> BINARIES = List.of("/usr/bin/containerd", "/usr/bin/ctr", "/bin/busybox");
    private static final Pattern LDD_PATH = Pattern.compile("(/\\S+\\.so[.\\d]*)");

    private static final String DOCKERFILE = """
            FROM scratch
            COPY rootfs/ /
            LABEL %s=node-image
            ENTRYPOINT ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && mkdir -p /tmp /var/lib/containerd /run/containerd && exec /usr/bin/containerd"]
            """.formatted(LABEL);

    private NodeImage() {}

    /** Ensures the node image exists and returns its reference. */
    public static synchronized String ensure(Engine engine) {
        try {
            Set<Path> files = new TreeSet<>();
            for (String b : BINARIES) {
                Path p = Path.of(b);
                if (!Files.isExecutable(p)) {
                    throw new IllegalStateException(
                            "test bed needs " + b + " (apt-get install containerd busybox-static)");
                }
                files.add(p);
                files.addAll(sharedLibraries(p));
            }
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(DOCKERFILE.getBytes(StandardCharsets.UTF_8));
            for (Path f : files) {
                md.update(f.toString().getBytes(StandardCharsets.UTF_8));
                md.update(Files.readAllBytes(f.toRealPath()));
            }
            String tag = HexFormat.of().formatHex(md.digest()).substring(0, 16);
            String ref = engine.buildName(ImageReference.parse(REPOSITORY + ":" + tag));
            boolean present;
            try {
                engine.client().inspectImageCmd(ref).exec();
                present = true;
            } catch (NotFoundException e) {
                present = false;
            }
            if (!present) {
                build(engine, files, ref);
                removeOutdated(engine, ref);
            }
            return ref;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void build(Engine engine, Set<Path> files, String ref) throws IOException {
        Path dir = Files.createTempDirectory("e2e-node-image");
        try {
            Files.writeString(dir.resolve("Dockerfile"), DOCKERFILE);
            Path root = dir.resolve("rootfs");
            for (Path f : files) {
                Path target = root.resolve(f.toString().substring(1));
                Files.createDirectories(target.getParent());
                Files.copy(f.toRealPath(), target);
                target.toFile().setExecutable(true, false);
            }
            Path config = root.resolve("etc/containerd/config.toml");
            Files.createDirectories(config.getParent());
            Files.writeString(config, "version = 2\n");
            engine.client()
                    .buildImageCmd()
                    .withBaseDirectory(dir.toFile())
                    .withDockerfile(dir.resolve("Dockerfile").toFile())
                    .withTags(Set.of(ref))
                    .withPull(false)
                    .withForcerm(true)
                    .withLabels(Map.of(LABEL, "node-image"))
                    .exec(new BuildImageResultCallback())
                    .awaitImageId(5, TimeUnit.MINUTES);
        } finally {
            deleteTree(dir);
        }
    }

    /** Removes node images built from older host binaries, unless a container still uses them. */
    private static void removeOutdated(Engine engine, String current) {
        for (var image : engine.client()
                .listImagesCmd()
                .withLabelFilter(Map.of(LABEL, "node-image"))
                .exec()) {
            String[] tags = image.getRepoTags();
            if (tags == null || List.of(tags).contains(current)) {
                continue;
            }
            for (String tag : tags) {
                if (ImageReference.sameRepository(ImageReference.parse(tag).repository(), REPOSITORY)
                        || tag.startsWith("localhost/" + REPOSITORY + ":")) {
                    try {
                        engine.client().removeImageCmd(tag).exec();
                    } catch (RuntimeException e) {
                        // in use by a running test bed: it goes next time
                    }
                }
            }
        }
    }

    static List<Path> sharedLibraries(Path binary) throws IOException {
        Process p = new ProcessBuilder("ldd", binary.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<Path> libs = new ArrayList<>();
        Matcher m = LDD_PATH.matcher(out);
        while (m.find()) {
            libs.add(Path.of(m.group(1)));
        }
        return libs;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
