package io.github.e2ekit.e2e.testbed.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which pods stand behind a Service port: the EndpointSlice controller's choice, as kube-proxy reads it. */
class ServiceRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    private static JsonNode pod(String ns, String name, String app, boolean ready, String extra) throws Exception {
        return json("{'metadata':{'namespace':'" + ns + "','name':'" + name + "','uid':'u-" + name
                + "','labels':{'app':'"
                + app + "'}" + extra + "},'spec':{'nodeName':'n1','containers':[{'name':'c','ports':[{'name':'pg',"
                + "'containerPort':5432}]}]},'status':{'phase':'Running','conditions':[{'type':'Ready','status':'"
                + (ready ? "True" : "False") + "'}]}}");
    }

    @Test
    void onlyReadyPodsOfTheSameNamespaceMatchingTheSelectorAreEndpointsWithTheNamedTargetPortResolved()
            throws Exception {
        JsonNode svc = json(
                "{'metadata':{'namespace':'a','name':'postgresql'},'spec':{'clusterIP':'10.96.0.7',"
                        + "'selector':{'app':'pg'},'ports':[{'port':5432,'targetPort':'pg'},{'port':15432,'targetPort':5432}]}}");
        List<PodRuntime.ServiceRoute> routes = ServiceRoutes.of(
                List.of(svc),
                List.of(
                        pod("a", "pg-1", "pg", true, ""),
                        pod("a", "pg-2", "pg", false, ""),
                        pod("b", "pg-3", "pg", true, ""),
                        pod("a", "web", "web", true, ""),
                        pod("a", "pg-4", "pg", true, ",'deletionTimestamp':'2026-12-06T12:00:00Z'")));
        assertThat(routes).hasSize(2);
        assertThat(routes.get(0).clusterIp()).isEqualTo("10.96.0.7");
        assertThat(routes.get(0).port()).isEqualTo(5432);
        assertThat(routes.get(0).endpoints())
                .extracting(e -> e.pod().name() + ":" + e.port())
                .containsExactly("pg-1:5432");
        assertThat(routes.get(1).port()).isEqualTo(15432);
        assertThat(routes.get(1).endpoints())
                .extracting(e -> e.pod().name() + ":" + e.port())
                .containsExactly("pg-1:5432");
    }

    @Test
    void servicesWithoutSelectorOrClusterIpGetNoRoutesAndAMissingTargetPortIsThePort() throws Exception {
        JsonNode headless = json("{'metadata':{'namespace':'a','name':'h'},'spec':{'clusterIP':'None',"
                + "'selector':{'app':'pg'},'ports':[{'port':5432}]}}");
        JsonNode manual = json("{'metadata':{'namespace':'a','name':'m'},'spec':{'clusterIP':'10.96.0.8',"
                + "'ports':[{'port':5432}]}}");
        JsonNode plain = json("{'metadata':{'namespace':'a','name':'p'},'spec':{'clusterIP':'10.96.0.9',"
                + "'selector':{'app':'pg'},'ports':[{'port':6000}]}}");
        List<PodRuntime.ServiceRoute> routes =
                ServiceRoutes.of(List.of(headless, manual, plain), List.of(pod("a", "pg-1", "pg", true, "")));
        assertThat(routes).extracting(PodRuntime.ServiceRoute::service).containsExactly("p");
        assertThat(routes.get(0).endpoints())
                .extracting(PodRuntime.Endpoint::port)
                .containsExactly(6000);
    }
}
