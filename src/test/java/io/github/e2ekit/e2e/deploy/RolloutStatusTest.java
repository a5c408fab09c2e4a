package io.github.e2ekit.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

/** Each verdict as kubectl's pkg/polymorphichelpers/rollout_status.go gives it for the same object. */
class RolloutStatusTest {

    private static JsonObject json(String s) {
        return JsonParser.parseString(s.replace('\'', '"')).getAsJsonObject();
    }

    private static RolloutStatus.Rollout deployment(String status) {
        return RolloutStatus.of(
                "Deployment", json("{'metadata':{'generation':2},'spec':{'replicas':2},'status':" + status + "}"));
    }

    @Test
    void aDeploymentWhoseGenerationIsNotObservedYetIsNotDoneEvenWithAllPodsReady() {
        var r = deployment("{'observedGeneration':1,'replicas':2,'updatedReplicas':2,'availableReplicas':2}");
        assertThat(r.done()).isFalse();
        assertThat(r.message()).contains("spec update to be observed");
    }

    @Test
    void aDeploymentWaitsForUpdatedThenOldPodsGoneThenAvailable() {
        assertThat(deployment("{'observedGeneration':2,'replicas':3,'updatedReplicas':1,'availableReplicas':2}")
                        .message())
                .isEqualTo("1 out of 2 new replicas have been updated");
        assertThat(deployment("{'observedGeneration':2,'replicas':3,'updatedReplicas':2,'availableReplicas':3}")
                        .message())
                .isEqualTo("1 old replicas are pending termination");
        assertThat(deployment("{'observedGeneration':2,'replicas':2,'updatedReplicas':2,'availableReplicas':1}")
                        .message())
                .isEqualTo("1 of 2 updated replicas are available");
        assertThat(deployment("{'observedGeneration':2,'replicas':2,'updatedReplicas':2,'availableReplicas':2}")
                        .done())
                .isTrue();
    }

    @Test
    void oldReadyPodsNeverMakeARedeployedDeploymentDone() {
        // two old pods ready and available, the new one not yet: replicas 3 > updated 1
        var r = deployment("{'observedGeneration':2,'replicas':3,'updatedReplicas':1,'readyReplicas':2,"
                + "'availableReplicas':2}");
        assertThat(r.done()).isFalse();
    }

    @Test
    void progressDeadlineExceededIsAFailure() {
        var r = deployment("{'observedGeneration':2,'replicas':2,'updatedReplicas':1,'conditions':[{'type':"
                + "'Progressing','status':'False','reason':'ProgressDeadlineExceeded'}]}");
        assertThat(r.failed()).isTrue();
        assertThat(r.done()).isFalse();
    }

    @Test
    void aReadyPodBeingDeletedIsNotReady() {
        String ready = "'status':{'conditions':[{'type':'Ready','status':'True'}]}";
        assertThat(RolloutStatus.of("Pod", json("{'metadata':{}," + ready + "}"))
                        .done())
                .isTrue();
        var terminating = RolloutStatus.of(
                "Pod",
                json("{'metadata':{'deletionTimestamp':'2026-12-06T12:00:30Z'," + "'deletionGracePeriodSeconds':30},"
                        + ready + "}"));
        assertThat(terminating.done()).isFalse();
        assertThat(terminating.message()).isEqualTo("terminating");
    }

    @Test
    void aDeploymentWithoutReplicasWantsOne() {
        var r = RolloutStatus.of(
                "Deployment", json("{'metadata':{'generation':1},'spec':{},'status':" + "{'observedGeneration':1}}"));
        assertThat(r.message()).isEqualTo("0 out of 1 new replicas have been updated");
    }

    @Test
    void aStatefulSetIsDoneWhenReadyAndAtItsUpdateRevision() {
        String base = "{'metadata':{'generation':1},'spec':{'replicas':2},'status':{'observedGeneration':1,";
        assertThat(RolloutStatus.of("StatefulSet", json(base + "'readyReplicas':1}}"))
                        .message())
                .contains("waiting for 1 pods to be ready");
        assertThat(RolloutStatus.of(
                                "StatefulSet",
                                json(base + "'readyReplicas':2,'currentRevision':'db-1',"
                                        + "'updateRevision':'db-2'}}"))
                        .done())
                .isFalse();
        assertThat(RolloutStatus.of(
                                "StatefulSet",
                                json(base + "'readyReplicas':2,'currentRevision':'db-2',"
                                        + "'updateRevision':'db-2'}}"))
                        .done())
                .isTrue();
        assertThat(RolloutStatus.of(
                                "StatefulSet",
                                json("{'metadata':{'generation':1},'spec':{'replicas':2},"
                                        + "'status':{'observedGeneration':0,'readyReplicas':2}}"))
                        .done())
                .isFalse();
    }

    @Test
    void aPartitionedStatefulSetCountsUpdatedPodsAbovePartition() {
        String s = "{'metadata':{'generation':1},'spec':{'replicas':3,'updateStrategy':{'type':'RollingUpdate',"
                + "'rollingUpdate':{'partition':1}}},'status':{'observedGeneration':1,'readyReplicas':3,"
                + "'updatedReplicas':%d}}";
        assertThat(RolloutStatus.of("StatefulSet", json(s.formatted(1))).done()).isFalse();
        assertThat(RolloutStatus.of("StatefulSet", json(s.formatted(2))).done()).isTrue();
    }

    @Test
    void aDaemonSetIsDoneWhenUpdatedAndAvailableMatchDesiredEvenZero() {
        String s = "{'metadata':{'generation':1},'spec':{},'status':{'observedGeneration':1,"
                + "'desiredNumberScheduled':%d,'updatedNumberScheduled':%d,'numberAvailable':%d}}";
        assertThat(RolloutStatus.of("DaemonSet", json(s.formatted(0, 0, 0))).done())
                .isTrue();
        assertThat(RolloutStatus.of("DaemonSet", json(s.formatted(2, 1, 2))).message())
                .isEqualTo("1 out of 2 new pods have been updated");
        assertThat(RolloutStatus.of("DaemonSet", json(s.formatted(2, 2, 1))).message())
                .isEqualTo("1 of 2 updated pods are available");
        assertThat(RolloutStatus.of("DaemonSet", json(s.formatted(2, 2, 2))).done())
                .isTrue();
    }
}
