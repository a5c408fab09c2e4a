package io.github.e2ekit.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.ImageReference;
import io.github.e2ekit.e2e.kind.ImageLoader;
import io.github.e2ekit.e2e.ledger.Ledger;
import io.github.e2ekit.e2e.testbed.TestBed;
import io.github.e2ekit.e2e.testbed.TestEngine;
import io.github.e2ekit.e2e.testbed.TestImages;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The logs of a deployed workload are followed into files while its pods write, pods created later included, and
 * are complete when following stops; stopping leaves no thread and no open stream.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodLogFollowerTest {
    private static final int LINES = 25;
    private Engine engine;
    private Path bedDir;
    private TestBed bed;
    private TestImages images;
    private ImageReference app;

    @TempDir
    Path dir;

    @BeforeAll
    void start() throws Exception {
        engine = TestEngine.require();
        bedDir = Files.createTempDirectory("e2e-pod-logs-test");
        bed = TestBed.start(engine, "logs-" + ProcessHandle.current().pid(), 0, bedDir.resolve("kubeconfig"));
        images = new TestImages(engine);
        app = ImageReference.parse("localhost/podlogs-app:" + images.run());
        String id = images.busybox(app.toString(), "app");
        new ImageLoader(engine, Ledger.start(bedDir.resolve("load.json"), "r", "s"), bed.clusterName())
                .load(bed.nodes().nodes(), app, id);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (bed != null) {
                bed.close();
            }
            if (images != null) {
                images.close();
            }
        } finally {
            try (var files = Files.walk(bedDir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aWorkloadsLogFillsWhileItsPodWritesAndIsCompleteOnceFollowingStops() throws Exception {
        CoreV1Api core = new CoreV1Api(bed.kubernetes().client());
        core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("talk")))
                .execute();
        // writes LINES lines, one every 0.2 s, then stays running quietly
        String script = "i=1; while [ $i -le " + LINES + " ]; do echo \"line $i\"; i=$((i+1)); /bin/busybox sleep 0.2;"
                + " done; exec /bin/busybox sleep 2147483647";
        V1Container c = new V1Container()
                .name("main")
                .image(app.toString())
                .imagePullPolicy("IfNotPresent")
                .command(List.of("/bin/busybox", "sh", "-c", script));
        Map<String, String> labels = Map.of("app", "talker");
        new AppsV1Api(bed.kubernetes().client())
                .createNamespacedDeployment(
                        "talk",
                        new V1Deployment()
                                .metadata(new V1ObjectMeta().name("talker"))
                                .spec(new V1DeploymentSpec()
                                        .replicas(1)
                                        .selector(new V1LabelSelector().matchLabels(labels))
                                        .template(new V1PodTemplateSpec()
                                                .metadata(new V1ObjectMeta().labels(labels))
                                                .spec(new V1PodSpec().containers(List.of(c))))))
                .execute();
        String first = await("the first pod", () -> {
            var pods = core.listNamespacedPod("talk").execute().getItems();
            return pods.isEmpty() ? null : pods.get(0).getMetadata().getName();
        });
        Path logs = dir.resolve("logs").resolve("talk");
        PodLogFollower follower =
                PodLogFollower.start(KubeApi.streaming(bed.kubeconfig()), "talk", logs, Duration.ofMillis(300));
        Path file = logs.resolve(first + ".main.log");
        // the file fills while the pod writes: a part first, then everything
        String part = await(
                "some lines",
                () -> Files.exists(file) && Files.readString(file).contains("line 3\n")
                        ? Files.readString(file)
                        : null);
        assertThat(part).doesNotContain("line " + LINES + "\n");
        String all = expected();
        await("every line", () -> Files.readString(file).equals(all) ? Boolean.TRUE : null);

        // a pod created later (the Deployment replaces a deleted one) is followed into its own file
        core.deleteNamespacedPod(first, "talk").execute();
        String second = await(
                "the replacement pod",
                () -> core.listNamespacedPod("talk").execute().getItems().stream()
                        .map(p -> p.getMetadata().getName())
                        .filter(n -> !n.equals(first))
                        .findFirst()
                        .orElse(null));
        Path next = logs.resolve(second + ".main.log");
        await(
                "the replacement's lines",
                () -> Files.exists(next) && Files.readString(next).contains("line 2\n") ? Boolean.TRUE : null);

        follower.close();
        // complete and flushed: the first pod's file holds each line once, in order
        assertThat(Files.readString(file)).isEqualTo(all);
        assertThat(follower.files()).contains(file, next);
        // nothing is left: no follower thread, and the server serves no followed log any more
        assertThat(Thread.getAllStackTraces().keySet().stream()
                        .filter(Thread::isAlive)
                        .map(Thread::getName)
                        .filter(n -> n.startsWith("e2e-logs-")))
                .isEmpty();
        await("the server's log streams closed", () -> bed.kubernetes().openLogStreams() == 0 ? Boolean.TRUE : null);
        long size = Files.size(next);
        Thread.sleep(1000);
        assertThat(Files.size(next)).isEqualTo(size);
    }

    private static String expected() {
        return IntStream.rangeClosed(1, LINES).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining());
    }

    private static <T> T await(String what, Callable<T> probe) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            T v = probe.call();
            if (v != null) {
                return v;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(what + ": not reached within 60 s");
    }
}
