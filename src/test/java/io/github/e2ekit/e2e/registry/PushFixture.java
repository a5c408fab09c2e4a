package io.github.e2ekit.e2e.registry;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.testbed.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a push test arranges: Debian's docker-registry with htpasswd authentication on 127.0.0.1 for the whole class
 * (register it as a static {@code @RegisterExtension}), and the local tags a test made, removed by
 * {@link #removeTags}.
 */
final class PushFixture implements BeforeAllCallback, AfterAllCallback {
    private final String user;
    private final String password;
    private final List<String> localTags = new ArrayList<>();
    private Path directory;
    private LocalRegistry registry;

    PushFixture(String user, String password) {
        this.user = user;
        this.password = password;
    }

    /** {@code 127.0.0.1:<port>} of the running registry. */
    String host() {
        return registry.host();
    }

    /** A local tag the test made (a push tag, a pulled reference), removed after the test. */
    void localTag(String reference) {
        localTags.add(reference);
    }

    /** Removes the local tags the test made (those already gone are fine). */
    void removeTags(Engine engine) {
        for (String t : localTags) {
            try {
                engine.client().removeImageCmd(t).exec();
            } catch (RuntimeException e) {
                // not there
            }
        }
        localTags.clear();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        directory = Files.createTempDirectory("e2e-push-registry-");
        registry = LocalRegistry.start(directory, user, password);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (registry != null) {
            registry.close();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
