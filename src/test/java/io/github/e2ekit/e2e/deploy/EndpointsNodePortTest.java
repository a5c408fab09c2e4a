package io.github.e2ekit.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.e2ekit.e2e.testbed.kube.FakeKubernetes;
import io.github.e2ekit.e2e.testbed.kube.InMemoryNodeImages;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** mode=nodePort: the Service's nodePort, translated to the host port kind maps it to. */
class EndpointsNodePortTest {
    private static FakeKubernetes kube;
    private static KubeApi api;

    @BeforeAll
    static void start() throws Exception {
        kube = new FakeKubernetes(new InMemoryNodeImages());
        api = new KubeApi(kube.client());
        CoreV1Api core = new CoreV1Api(kube.client());
        core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("np")))
                .execute();
        core.createNamespacedService(
                        "np",
                        new V1Service()
                                .metadata(new V1ObjectMeta().name("web"))
                                .spec(new V1ServiceSpec()
                                        .type("NodePort")
                                        .selector(Map.of("app", "web"))
                                        .ports(List.of(
                                                new V1ServicePort().port(8080).nodePort(30080)))))
                .execute();
        core.createNamespacedService(
                        "np",
                        new V1Service()
                                .metadata(new V1ObjectMeta().name("internal"))
                                .spec(new V1ServiceSpec()
                                        .selector(Map.of("app", "web"))
                                        .ports(List.of(new V1ServicePort().port(8080)))))
                .execute();
    }

    @AfterAll
    static void stop() {
        kube.close();
    }

    @Test
    void aMappedNodePortBecomesTheEndpoint() {
        Endpoint e = new Endpoints(api)
                .viaNodePort(new EndpointSpec("web", "web", 8080, null, "np", true), p -> p == 30080 ? 40080 : null);
        assertThat(e.url()).isEqualTo("http://127.0.0.1:40080");
    }

    @Test
    void anUnmappedNodePortOrAClusterIpServiceIsExplained() {
        assertThatThrownBy(() -> new Endpoints(api)
                        .viaNodePort(new EndpointSpec("web", "web", 8080, null, "np", true), p -> null))
                .hasMessageContaining("not mapped to a host port");
        assertThatThrownBy(() -> new Endpoints(api)
                        .viaNodePort(new EndpointSpec("i", "internal", 8080, null, "np", true), p -> 1))
                .hasMessageContaining("is not of type NodePort");
    }
}
