package io.github.e2ekit.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.image.Engine;
import io.github.e2ekit.e2e.testbed.KindLikeCluster;
import io.github.e2ekit.e2e.testbed.TestEngine;
import io.github.e2ekit.e2e.work.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KindKubeconfigTest {
    static final String ADMIN_CONF = """
            apiVersion: v1
            kind: Config
            clusters:
            - cluster:
                certificate-authority-data: Q0E=
                server: https://kind-control-plane:6443
              name: kind
            contexts:
            - context:
                cluster: kind
                user: kubernetes-admin
              name: kubernetes-admin@kind
            current-context: kubernetes-admin@kind
            users:
            - name: kubernetes-admin
              user:
                client-certificate-data: Q0VSVA==
                client-key-data: S0VZ
            """;

    @TempDir
    Path dir;

    @Test
    void rewriteRenamesEntriesAndPointsAtTheHostPort() {
        String out = KindKubeconfig.rewrite(ADMIN_CONF, "gateway-e2e", "https://127.0.0.1:41234");
        assertThat(out)
                .contains("server: https://127.0.0.1:41234")
                .contains("current-context: kind-gateway-e2e")
                .contains("name: kind-gateway-e2e")
                .contains("user: kind-gateway-e2e")
                .contains("client-key-data: S0VZ")
                .doesNotContain("kubernetes-admin");
    }

    @Test
    void aControlPlaneWithoutAPublishedApiServerPortIsRefusedNamingTheNodeAndTheWayOut() {
        assertThat(KindKubeconfig.apiServerPort("gateway-e2e-control-plane", Optional.of(41234)))
                .isEqualTo(41234);
        assertThatThrownBy(() -> KindKubeconfig.apiServerPort("gateway-e2e-control-plane", Optional.empty()))
                .hasMessage("control-plane node gateway-e2e-control-plane publishes no host port for 6443/tcp;"
                        + " give <kubeconfig> instead");
    }

    @Test
    void adminConfIsReadFromARealNodeAndTheResultIsPrivate() throws Exception {
        Engine engine = TestEngine.require();
        try (KindLikeCluster cluster =
                KindLikeCluster.start(engine, "kcfg-" + ProcessHandle.current().pid(), 0)) {
            KindNode cp = cluster.nodes().get(0);
            ExecResult mk = NodeExec.run(
                    engine,
                    cp.containerId(),
                    "/bin/busybox",
                    "sh",
                    "-c",
                    "mkdir -p /etc/kubernetes && printf '%s' \"$0\" > /etc/kubernetes/admin.conf",
                    ADMIN_CONF);
            assertThat(mk.ok()).as(mk.failureText()).isTrue();
            // the node runs without a network, so it has no port binding: the read works, the port lookup says so
            assertThatThrownBy(() -> KindKubeconfig.derive(
                            engine, cluster.name(), cluster.nodes(), dir.resolve("k"), new AtomicFiles()))
                    .hasMessageContaining("6443/tcp");
            ExecResult read = NodeExec.run(engine, cp.containerId(), "cat", "/etc/kubernetes/admin.conf");
            KindKubeconfig.write(
                    dir.resolve("kubeconfig"),
                    KindKubeconfig.rewrite(read.stdout(), cluster.name(), "https://127.0.0.1:1"),
                    new AtomicFiles());
            assertThat(Files.readString(dir.resolve("kubeconfig"))).contains("kind-" + cluster.name());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("kubeconfig"))))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void onAFileSystemWithoutPosixPermissionsTheKubeconfigIsStillOwnerOnly(@org.junit.jupiter.api.io.TempDir Path d)
            throws Exception {
        Path target = d.resolve("kubeconfig");
        KindKubeconfig.write(
                target, "apiVersion: v1\n", false, new AtomicFiles()); // the path a Windows/FAT volume takes
        assertThat(java.nio.file.Files.readString(target)).isEqualTo("apiVersion: v1\n");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                        java.nio.file.Files.getPosixFilePermissions(target)))
                .isEqualTo("rw-------");
    }
}
