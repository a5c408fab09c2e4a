package io.github.e2ekit.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RevisionPodsTest {
    private static final AppliedObject WEB =
            new AppliedObject("apps/v1", "Deployment", "ns", "web", "d-uid", false, null);

    private static JsonObject json(String s) {
        return JsonParser.parseString(s.replace('\'', '"')).getAsJsonObject();
    }

    private static JsonObject deployment(String image, long generation, long observed) {
        return json("{'metadata':{'uid':'d-uid','generation':" + generation + "},'spec':{'template':{'metadata':"
                + "{'labels':{'app':'web'}},'spec':{'containers':[{'name':'main','image':'" + image + "'}]}}},"
                + "'status':{'observedGeneration':" + observed + "}}");
    }

    private static JsonObject rs(String uid, String hash, String image) {
        return json("{'metadata':{'uid':'" + uid + "','creationTimestamp':'2026-12-06T12:00:00Z','ownerReferences':"
                + "[{'uid':'d-uid'}]},'spec':{'template':{'metadata':{'labels':{'app':'web','pod-template-hash':'"
                + hash + "'}},'spec':{'containers':[{'name':'main','image':'" + image + "'}]}}}}");
    }

    private static V1Pod pod(String name, String ownerUid) {
        return new V1Pod()
                .metadata(new V1ObjectMeta()
                        .name(name)
                        .namespace("ns")
                        .labels(Map.of("app", "web"))
                        .ownerReferences(List.of(new V1OwnerReference().uid(ownerUid))));
    }

    @Test
    void aRedeployedDeploymentCountsOnlyThePodsOfItsNewReplicaSet() {
        List<V1Pod> pods = List.of(pod("web-old-1", "rs-old"), pod("web-old-2", "rs-old"), pod("web-new-1", "rs-new"));
        List<JsonObject> rss = List.of(rs("rs-old", "aaa", "app:1"), rs("rs-new", "bbb", "app:2"));
        assertThat(RevisionPods.of(WEB, deployment("app:2", 2, 2), pods, rss))
                .extracting(p -> p.getMetadata().getName())
                .containsExactly("web-new-1");
    }

    @Test
    void aPodBeingDeletedIsNoLongerPartOfTheRollout() {
        V1Pod leaving = pod("web-new-1", "rs-new");
        leaving.getMetadata().deletionTimestamp(java.time.OffsetDateTime.parse("2026-12-06T12:00:30Z"));
        List<V1Pod> pods = List.of(leaving, pod("web-new-2", "rs-new"));
        assertThat(RevisionPods.of(WEB, deployment("app:2", 2, 2), pods, List.of(rs("rs-new", "bbb", "app:2"))))
                .extracting(p -> p.getMetadata().getName())
                .containsExactly("web-new-2");
    }

    @Test
    void beforeTheControllerObservedTheNewGenerationNoPodIsCurrent() {
        List<V1Pod> pods = List.of(pod("web-old-1", "rs-old"));
        assertThat(RevisionPods.of(WEB, deployment("app:2", 2, 1), pods, List.of(rs("rs-old", "aaa", "app:1"))))
                .isEmpty();
    }

    @Test
    void aStatefulSetCountsThePodsAtItsUpdateRevision() {
        AppliedObject db = new AppliedObject("apps/v1", "StatefulSet", "ns", "db", "s-uid", false, null);
        JsonObject raw = json("{'metadata':{'uid':'s-uid'},'status':{'updateRevision':'db-2'}}");
        V1Pod old = pod("db-1", "s-uid");
        old.getMetadata().setLabels(Map.of("controller-revision-hash", "db-1"));
        V1Pod cur = pod("db-0", "s-uid");
        cur.getMetadata().setLabels(Map.of("controller-revision-hash", "db-2"));
        assertThat(RevisionPods.of(db, raw, List.of(old, cur), List.of())).containsExactly(cur);
    }
}
