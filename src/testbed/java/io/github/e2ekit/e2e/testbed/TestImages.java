package io.github.e2ekit.e2e.testbed;

import com.github.dockerjava.api.command.BuildImageResultCallback;
import io.github.e2ekit.e2e.image.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Small images built {@code FROM scratch} from files on this machine, each with a per-run label so
 * its ID is its own; removed by reference on close.
 */
public final class TestImages implements AutoCloseable {
    public static final String LABEL = "io.github.e2ekit.testbed.image";
    private final Engine engine;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final List<String> built = new ArrayList<>();

    public TestImages(Engine engine) {
        this.engine = engine;
    }

    /**
     * Builds an image holding busybox and a file with {@code marker} as content, whose command sleeps (so a
     * pod of it runs on the test bed); returns its ID.
     */
    public String busybox(String reference, String marker) {
        return build(reference, Map.of("marker.txt", marker), "CMD [\"/bin/busybox\", \"sleep\", \"2147483647\"]");
    }

    /**
     * Builds an image holding busybox and {@code /www/marker.txt} with {@code marker} as content, whose command serves
     * {@code /www} over HTTP on port 8080 (busybox httpd); returns its ID.
     */
    public String httpd(String reference, String marker) {
        return build(
                reference,
                Map.of("www/marker.txt", marker),
                "CMD [\"busybox\", \"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]");
    }

    /**
     * Builds {@code FROM scratch} with busybox plus the given files (relative paths, which become absolute
     * in the image); {@code extra} lines are appended to the Dockerfile.
     */
    public String build(String reference, Map<String, String> files, String extra) {
        try {
            Path dir = Files.createTempDirectory("e2e-test-image");
            try {
                Files.copy(Path.of("/bin/busybox"), dir.resolve("busybox"));
                StringBuilder df = new StringBuilder("FROM scratch\nCOPY busybox /bin/busybox\n");
                for (Map.Entry<String, String> f : files.entrySet()) {
                    Path file = dir.resolve(f.getKey());
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, f.getValue());
                    df.append("COPY ")
                            .append(f.getKey())
                            .append(" /")
                            .append(f.getKey())
                            .append('\n');
                }
                df.append("LABEL ")
                        .append(LABEL)
                        .append('=')
                        .append(run)
                        .append('\n')
                        .append(extra)
                        .append('\n');
                Files.writeString(dir.resolve("Dockerfile"), df.toString());
                engine.client()
                        .buildImageCmd()
                        .withBaseDirectory(dir.toFile())
                        .withDockerfile(dir.resolve("Dockerfile").toFile())
                        .withTags(Set.of(reference))
                        .withPull(false)
                        .withForcerm(true)
                        .exec(new BuildImageResultCallback())
                        .awaitImageId(2, TimeUnit.MINUTES);
                built.add(reference);
                return engine.client().inspectImageCmd(reference).exec().getId();
            } finally {
                NodeImage.deleteTree(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String run() {
        return run;
    }

    @Override
    public void close() {
        for (String ref : built) {
            try {
                engine.client().removeImageCmd(ref).exec(); // by reference: untags, never another image
            } catch (RuntimeException e) {
                // already gone
            }
        }
        built.clear();
    }
}
