package io.github.e2ekit.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateRunning;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobFailureTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    private static JsonObject job(String spec, String status) {
        return JsonParser.parseString(("{'spec':" + spec + ",'status':" + status + "}").replace('\'', '"'))
                .getAsJsonObject();
    }

    private static V1Pod failed(String name, int exit, Instant finished) {
        return new V1Pod()
                .metadata(new V1ObjectMeta().name(name))
                .status(new V1PodStatus()
                        .phase("Failed")
                        .containerStatuses(List.of(new V1ContainerStatus()
                                .name("migrate")
                                .restartCount(0)
                                .state(new V1ContainerState()
                                        .terminated(new V1ContainerStateTerminated()
                                                .exitCode(exit)
                                                .reason("Error")
                                                .finishedAt(OffsetDateTime.ofInstant(finished, ZoneOffset.UTC)))))));
    }

    private static V1Pod running(String name) {
        return new V1Pod()
                .metadata(new V1ObjectMeta().name(name))
                .status(new V1PodStatus()
                        .phase("Running")
                        .containerStatuses(List.of(new V1ContainerStatus()
                                .name("migrate")
                                .restartCount(0)
                                .state(new V1ContainerState().running(new V1ContainerStateRunning())))));
    }

    @Test
    void aFailedAttemptWhoseBackOffEndsAfterTheDeadlineFailsAtOnceWithItsExitCode() {
        // 3 failures: the next attempt waits 40 s; only 30 s are left
        var v = JobFailure.check(
                job("{'backoffLimit':6}", "{'failed':3}"),
                List.of(
                        failed("m-1", 1, NOW.minusSeconds(40)),
                        failed("m-2", 1, NOW.minusSeconds(20)),
                        failed("m-3", 3, NOW)),
                NOW,
                NOW.plusSeconds(30));
        assertThat(v).isPresent();
        assertThat(v.get().attempt().exitCode()).isEqualTo(3);
        assertThat(v.get().attempt().pod().getMetadata().getName()).isEqualTo("m-3");
        assertThat(v.get().why()).contains("40 s");
    }

    @Test
    void aFailedAttemptWhoseBackOffFitsIsWaitedFor() {
        var v = JobFailure.check(job("{}", "{'failed':1}"), List.of(failed("m-1", 1, NOW)), NOW, NOW.plusSeconds(60));
        assertThat(v).isEmpty();
    }

    @Test
    void aRunningRetryIsNeverJudgedByAnEarlierFailure() {
        var v = JobFailure.check(
                job("{}", "{'failed':4}"),
                List.of(failed("m-4", 1, NOW.minusSeconds(100)), running("m-5")),
                NOW,
                NOW.plusSeconds(5));
        assertThat(v).isEmpty();
    }

    @Test
    void failuresBeyondTheBackoffLimitFailWithoutWaitingForTheController() {
        var v = JobFailure.check(
                job("{'backoffLimit':0}", "{}"), List.of(failed("m-1", 2, NOW)), NOW, NOW.plus(Duration.ofHours(1)));
        assertThat(v).isPresent();
        assertThat(v.get().why()).contains("backoffLimit 0");
    }

    @Test
    void theExitOfAPodKilledByItsDeletionIsNotTheFailureNamed() {
        V1Pod killed = failed("m-2", 143, NOW.plusSeconds(5));
        killed.getMetadata().deletionTimestamp(OffsetDateTime.ofInstant(NOW, ZoneOffset.UTC));
        var v = JobFailure.check(
                job(
                        "{'backoffLimit':0}",
                        "{'conditions':[{'type':'FailureTarget','status':'True',"
                                + "'reason':'BackoffLimitExceeded','message':'Job has reached the specified backoff limit'}]}"),
                List.of(failed("m-1", 2, NOW), killed),
                NOW,
                NOW.plusSeconds(600));
        assertThat(v).isPresent();
        assertThat(v.get().attempt().pod().getMetadata().getName()).isEqualTo("m-1");
        assertThat(v.get().attempt().exitCode()).isEqualTo(2);
    }

    @Test
    void aJobConditionFailureTargetIsAFailure() {
        var v = JobFailure.check(
                job(
                        "{}",
                        "{'conditions':[{'type':'FailureTarget','status':'True','reason':"
                                + "'BackoffLimitExceeded','message':'Job has reached the specified backoff limit'}]}"),
                List.of(),
                NOW,
                NOW.plusSeconds(600));
        assertThat(v).isPresent();
        assertThat(v.get().why()).startsWith("BackoffLimitExceeded");
    }

    @Test
    void backOffsDoubleFromTenSecondsUpToTheirCaps() {
        assertThat(JobFailure.jobBackoff(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(JobFailure.jobBackoff(4)).isEqualTo(Duration.ofSeconds(80));
        assertThat(JobFailure.jobBackoff(12)).isEqualTo(Duration.ofMinutes(10));
        assertThat(JobFailure.kubeletBackoff(0)).isZero();
        assertThat(JobFailure.kubeletBackoff(9)).isEqualTo(Duration.ofMinutes(5));
    }
}
