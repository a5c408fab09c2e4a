package io.github.e2ekit.e2e.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.testbed.kube.ByteQueue;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The parts of the pod runtime that need no engine. */
class NodeProcessRuntimeUnitTest {

    @Test
    void listeningPortsAreReadFromProcNetTcpAndTcp6() {
        String tcp = """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0100007F:9CF7 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 128802 1
                   1: 0100007F:E120 0100007F:1F90 06 00000000:00000000 03:00001745 00000000     0        0 0 3
                  sl  local_address                         remote_address                        st tx_queue
                   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000
                """;
        // 0x9CF7 = 40183 and 0x1F90 = 8080 listen; 0xE120 is a TIME_WAIT client socket
        assertThat(NodeProcessRuntime.listeningPorts(tcp)).containsExactlyInAnyOrder(40183, 8080);
    }

    @Test
    void aByteQueueHandsOverChunksInOrderAndEndsAfterClose() throws Exception {
        ByteQueue q = new ByteQueue();
        q.output().write("hello ".getBytes(StandardCharsets.US_ASCII));
        q.write("world".getBytes(StandardCharsets.US_ASCII));
        q.close();
        q.write("ignored".getBytes(StandardCharsets.US_ASCII));
        InputStream in = q.input();
        assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello world");
        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void aByteQueueReaderWaitsForTheWriter() throws Exception {
        ByteQueue q = new ByteQueue();
        Thread writer = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            q.write(new byte[] {42});
            q.close();
        });
        writer.start();
        assertThat(q.input().read()).isEqualTo(42);
        assertThat(q.input().read()).isEqualTo(-1);
        writer.join();
    }

    @Test
    void aServiceAddressIsNamedAsProcNetTcpShowsTheLocalAddressOfAnAcceptedSocket() {
        // x86 /proc/net/tcp: the IPv4 address as a little-endian 32-bit number, the port big-endian, in hex
        assertThat(ServiceProxies.procNetAddress("10.96.0.7", 5432)).isEqualTo("0700600A:1538");
        assertThat(ServiceProxies.procNetAddress("127.0.0.1", 8080)).isEqualTo("0100007F:1F90");
    }

    @Test
    void theHostsFileListsTheNamespacesServicesUnderTheNamesClusterDnsWouldAnswer() {
        var pod = new io.github.e2ekit.e2e.testbed.kube.PodRuntime.PodRef("a", "p", "u", "n");
        String hosts = ServiceProxies.hostsFile(
                "a",
                java.util.List.of(
                        new io.github.e2ekit.e2e.testbed.kube.PodRuntime.ServiceRoute(
                                "a",
                                "redis",
                                "10.96.0.3",
                                6379,
                                java.util.List.of(
                                        new io.github.e2ekit.e2e.testbed.kube.PodRuntime.Endpoint(pod, 6379))),
                        new io.github.e2ekit.e2e.testbed.kube.PodRuntime.ServiceRoute(
                                "b", "other", "10.96.0.4", 80, java.util.List.of())));
        assertThat(hosts)
                .contains("127.0.0.1\tlocalhost\n")
                .contains("10.96.0.3\tredis redis.a redis.a.svc redis.a.svc.cluster.local\n")
                .doesNotContain("other");
    }

    @Test
    void aFailedProbeIsWordedAsTheKubeletsProbersWordIt() {
        var http = new io.github.e2ekit.e2e.testbed.kube.PodRuntime.Probe.HttpGet(8080, "/readyz");
        assertThat(NodeProcessRuntime.probeFailureText(
                        http, "wget: server returned error: HTTP/1.1 503 Service Unavailable"))
                .isEqualTo("HTTP probe failed with statuscode: 503");
        assertThat(NodeProcessRuntime.probeFailureText(
                        http, "wget: can't connect to remote host (127.0.0.1): Connection refused"))
                .isEqualTo(
                        "Get \"http://127.0.0.1:8080/readyz\": dial tcp 127.0.0.1:8080: connect: connection refused");
        var exec = new io.github.e2ekit.e2e.testbed.kube.PodRuntime.Probe.Exec(java.util.List.of("pg_isready"));
        assertThat(NodeProcessRuntime.probeFailureText(exec, "127.0.0.1:5432 - no response\n"))
                .isEqualTo("127.0.0.1:5432 - no response");
    }
}
