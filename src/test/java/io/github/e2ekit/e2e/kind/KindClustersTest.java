package io.github.e2ekit.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.image.EngineKind;
import io.github.e2ekit.e2e.testbed.NodeImage;
import io.github.e2ekit.e2e.testbed.TestEngine;
import io.github.e2ekit.e2e.work.SharedWork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kind CLI calls, with a fake {@code kind} that records its arguments and starts a labelled node. */
class KindClustersTest {
    @TempDir
    Path dir;

    private String cluster;
    private Engine engine;

    private Path fakeKind(boolean startsNode) throws Exception {
        Path script = dir.resolve("kind");
        String nodeImage = startsNode ? NodeImage.ensure(engine) : "";
        Files.writeString(script, """
                #!/bin/sh
                echo "$KIND_EXPERIMENTAL_PROVIDER $*" >> "%s"
                if [ "$1" = create ] && [ -n "%s" ]; then
                  sleep 0.5
                  docker run -d --network none --name "$4-control-plane" --label io.x-k8s.kind.cluster="$4" \\
                    --label io.x-k8s.kind.role=control-plane --entrypoint /bin/busybox %s sleep 300 >/dev/null
                fi
                if [ "$1" = delete ]; then docker rm -f "$4-control-plane" >/dev/null; fi
                """.formatted(dir.resolve("calls"), nodeImage, nodeImage));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @AfterEach
    void removeNode() {
        if (engine != null && cluster != null) {
            for (KindNode n : KindNodes.list(engine, cluster)) {
                engine.client()
                        .removeContainerCmd(n.containerId())
                        .withForce(true)
                        .withRemoveVolumes(true)
                        .exec();
            }
        }
    }

    @Test
    void kindTalksToTheEngineThePluginFoundWithItsProvider() throws Exception {
        Path script = dir.resolve("kind-env");
        Files.writeString(
                script,
                "#!/bin/sh\necho \"$KIND_EXPERIMENTAL_PROVIDER host=$DOCKER_HOST context=$DOCKER_CONTEXT\" >> \""
                        + dir.resolve("env") + "\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        for (Engine e : TestEngine.engines().stream()
                .map(org.junit.jupiter.api.Named::getPayload)
                .toList()) {
            new KindCli(script.toString(), e).delete("c", Path.of("/t/kubeconfig"));
        }
        // Docker: kind's docker provider runs the docker CLI, pointed at the same socket (or context, or TLS engine);
        // Podman: the podman CLI reaches its own storage
        assertThat(Files.readAllLines(dir.resolve("env")))
                .allSatisfy(line -> assertThat(line)
                        .satisfiesAnyOf(
                                l -> assertThat(l)
                                        .isEqualTo("docker host="
                                                + TestEngine.engine(EngineKind.DOCKER)
                                                        .endpoint() + " context="),
                                l -> assertThat(l).startsWith("podman ")));
    }

    @Test
    void createPassesNameConfigImageKubeconfigAndTheEnginesProvider() throws Exception {
        KindCli cli = new KindCli(fakeKind(false).toString(), EngineKind.PODMAN);
        cli.create("c1", Path.of("/cfg/kind.yaml"), "kindest/node:v1.31.0", Path.of("/t/kubeconfig"), "5m");
        cli.delete("c1", Path.of("/t/kubeconfig"));
        assertThat(Files.readAllLines(dir.resolve("calls")))
                .containsExactly(
                        "podman create cluster --name c1 --config /cfg/kind.yaml --image kindest/node:v1.31.0"
                                + " --kubeconfig /t/kubeconfig --wait 5m",
                        "podman delete cluster --name c1 --kubeconfig /t/kubeconfig");
    }

    @Test
    void missingKindSaysHowToInstallItOrUseAnExistingCluster() {
        KindCli cli = new KindCli(dir.resolve("no-such-kind").toString(), EngineKind.DOCKER);
        assertThatThrownBy(() -> cli.create("c", null, null, dir.resolve("k"), "1m"))
                .isInstanceOf(ClusterException.class)
                .hasMessageContaining("Install kind")
                .hasMessageContaining("<create>never</create>");
    }

    @Test
    void parallelModulesSharingAClusterCreateItOnce() throws Exception {
        engine = TestEngine.require();
        cluster = "lock-" + ProcessHandle.current().pid();
        KindClusters clusters = new KindClusters(
                engine,
                new KindCli(fakeKind(true).toString(), engine.kind()),
                new SharedWork(dir.resolve("locks")),
                h -> {});
        List<CompletableFuture<KindClusters.Ensured>> runs = List.of(1, 2, 3).stream()
                .map(i -> CompletableFuture.supplyAsync(() -> clusters.ensure(
                        cluster, KindClusters.Create.IF_MISSING, null, null, dir.resolve("kubeconfig"))))
                .toList();
        long created = runs.stream()
                .map(CompletableFuture::join)
                .filter(KindClusters.Ensured::created)
                .count();
        assertThat(created).isEqualTo(1);
        assertThat(Files.readAllLines(dir.resolve("calls"))).hasSize(1).allMatch(l -> l.startsWith("docker create"));
    }

    @Test
    void aMissingClusterWithCreateNeverListsTheClustersThatExist() throws Exception {
        engine = TestEngine.require();
        KindClusters clusters = new KindClusters(
                engine,
                new KindCli(fakeKind(false).toString(), engine.kind()),
                new SharedWork(dir.resolve("locks")),
                h -> {});
        assertThatThrownBy(() -> clusters.ensure(
                        "absent-" + ProcessHandle.current().pid(),
                        KindClusters.Create.NEVER,
                        null,
                        null,
                        dir.resolve("kubeconfig")))
                .isInstanceOf(ClusterException.class)
                .hasMessageContaining("no kind cluster 'absent-")
                .hasMessageContaining("existing:");
        assertThat(dir.resolve("calls")).doesNotExist();
    }
}
