package io.github.e2ekit.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.image.EngineKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kind create cluster}: output streamed line by line as it comes, the timeout enforced. */
@org.junit.jupiter.api.Timeout(20)
class KindCliTest {
    @TempDir
    Path dir;

    private Path fakeKind(String body) throws Exception {
        Path script = dir.resolve("kind");
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void createStreamsKindsOutputWhileItRuns() throws Exception {
        Path marker = dir.resolve("second-line-may-print");
        // the second line comes only after the first reached the log: proof that it is streamed, not collected
        Path kind = fakeKind("echo 'Creating cluster \"x\" ...'\nwhile [ ! -f '" + marker + "' ]; do sleep 0.1; done\n"
                + "echo ' ✓ Ready'\n");
        List<String> lines = new CopyOnWriteArrayList<>();
        KindCli cli = new KindCli(
                kind.toString(),
                EngineKind.DOCKER,
                line -> {
                    lines.add(line);
                    try {
                        Files.writeString(marker, "go");
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                },
                Duration.ofSeconds(30));
        cli.create("x", null, null, dir.resolve("kubeconfig"), "1m");
        assertThat(lines).containsExactly("Creating cluster \"x\" ...", " ✓ Ready");
    }

    @Test
    void createIsStoppedAtItsTimeoutEvenWhenKindPrintsNothing() throws Exception {
        Path kind = fakeKind("echo started\nexec sleep 60\n");
        long start = System.nanoTime();
        assertThatThrownBy(() -> new KindCli(kind.toString(), EngineKind.DOCKER, l -> {}, Duration.ofSeconds(1))
                        .create("x", null, null, dir.resolve("kubeconfig"), "1m"))
                .isInstanceOf(ClusterException.class)
                .hasMessageContaining("did not finish in 1 s");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
}
