package io.github.e2ekit.e2e.registry;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineKind;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.testbed.LocalRegistry;
import io.github.e2ekit.e2e.testbed.TestEngine;
import io.github.e2ekit.e2e.testbed.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a push test arranges: Debian's docker-registry with htpasswd authentication on 127.0.0.1 for the whole class
 * (register it as a static {@code @RegisterExtension}); for each test Docker, the images it builds, and the local
 * tags it made, all removed after the test.
 */
final class PushFixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final String user;
    private final String password;
    private final List<String> localTags = new ArrayList<>();
    private Path directory;
    private LocalRegistry registry;
    private Engine engine;
    private TestImages images;

    /** A freshly built local image and where it goes; its push tag is removed after the test. */
    record Pushable(ImageReference ref, String id, RegistryTarget target) {}

    PushFixture(String user, String password) {
        this.user = user;
        this.password = password;
    }

    /** The user the registry's htpasswd file knows. */
    String user() {
        return user;
    }

    /** That user's password. */
    String password() {
        return password;
    }

    /** {@code 127.0.0.1:<port>} of the running registry. */
    String host() {
        return registry.host();
    }

    /** Docker, which pushes in these tests (Podman: see RegistryPushPodmanTest). */
    Engine engine() {
        return engine;
    }

    /** The images this test builds, removed after it. */
    TestImages images() {
        return images;
    }

    /** {@code e2e-push/<name>-<run>:t1}: a local name of this test's. */
    ImageReference local(String name) {
        return ImageReference.parse("e2e-push/" + name + "-" + images.run() + ":t1");
    }

    /** A busybox image built under {@link #local} name, to be pushed to {@code registryHost}. */
    Pushable pushable(String name, String registryHost) {
        ImageReference ref = local(name);
        String id = images.busybox(ref.toString(), "v1");
        RegistryTarget target = RegistryTarget.parse(registryHost);
        localTag(target.referenceFor(ref).toString());
        return new Pushable(ref, id, target);
    }

    /** A local tag the test made (a push tag, a pulled reference), removed after the test. */
    void localTag(String reference) {
        localTags.add(reference);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        engine = TestEngine.engine(EngineKind.DOCKER);
        images = new TestImages(engine);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (engine != null) {
            removeTags();
            images.close();
        }
    }

    /** Removes the local tags the test made (those already gone are fine). */
    private void removeTags() {
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
