package io.github.e2ekit.e2e.testbed.kube;

import static io.github.e2ekit.e2e.testbed.kube.Conditions.condition;
import static io.github.e2ekit.e2e.testbed.kube.Conditions.jobCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ConfigMapKeySelector;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1EnvVarSource;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobCondition;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.util.PatchUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins the test bed's workload controllers to what kubernetes does (sources cited in {@link DeploymentController},
 * {@link JobController}, {@link KubeletProbes}, {@link ContainerConfigCheck}), with the default time scale
 * {@link TestBedTime#DEFAULT}.
 */
class WorkloadControllersTest extends ClientJavaTestBase {
    private static final String APP = "localhost/e2e/app:1";
    private static final String APP2 = "localhost/e2e/app:2";

    @BeforeAll
    static void start() {
        startOn(new InMemoryNodeImages("kind-control-plane")
                .load(APP, "sha256:" + "a".repeat(64))
                .load(APP2, "sha256:" + "b".repeat(64)));
    }

    @Test
    void fencepostsRoundSurgeUpAndUnavailableDownWithDefaultsOf25Percent() {
        JsonNode none = Json.parse("{\"spec\":{}}");
        assertThat(DeploymentController.resolveFenceposts(none, 1)).containsExactly(1, 0);
        assertThat(DeploymentController.resolveFenceposts(none, 3)).containsExactly(1, 0);
        assertThat(DeploymentController.resolveFenceposts(none, 4)).containsExactly(1, 1);
        assertThat(DeploymentController.resolveFenceposts(none, 10)).containsExactly(3, 2);
        JsonNode zero =
                Json.parse("{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxSurge\":0,\"maxUnavailable\":\"0%\"}}}}");
        assertThat(DeploymentController.resolveFenceposts(zero, 4)).containsExactly(0, 1);
        JsonNode recreate = Json.parse("{\"spec\":{\"strategy\":{\"type\":\"Recreate\"}}}");
        assertThat(DeploymentController.maxUnavailable(recreate, 4)).isZero();
    }

    @Test
    void aChangedTemplateRollsOutThroughANewReplicaSetWhileOldPodsKeepServing() throws Exception {
        String ns = namespace();
        // the delay holds from the start: set only after the first rollout, it would make old pods younger than it
        // unready again (no kubelet un-readies a container that passed its probe) and the count would mean nothing
        kube.readinessDelay(Duration.ofMillis(400));
        apps.createNamespacedDeployment(ns, deployment("web", APP, 4)).execute();
        await(
                "first rollout",
                Duration.ofSeconds(10),
                () -> apps.readNamespacedDeployment("web", ns).execute(),
                WorkloadControllersTest::rolledOut);
        patchImage(ns, "web", APP2);

        int maxPods = 0;
        int minReady = Integer.MAX_VALUE;
        boolean oldAndNewTogether = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        V1Deployment d;
        do {
            List<V1ReplicaSet> rss = apps.listNamespacedReplicaSet(ns).execute().getItems();
            maxPods = Math.max(
                    maxPods,
                    rss.stream().mapToInt(r -> r.getSpec().getReplicas()).sum());
            List<V1Pod> pods = core.listNamespacedPod(ns).execute().getItems();
            long ready = pods.stream().filter(WorkloadControllersTest::ready).count();
            minReady = (int) Math.min(minReady, ready);
            boolean oldReady = pods.stream().anyMatch(p -> ready(p) && APP.equals(image(p)));
            boolean newThere = pods.stream().anyMatch(p -> APP2.equals(image(p)));
            oldAndNewTogether |= oldReady && newThere;
            d = apps.readNamespacedDeployment("web", ns).execute();
            Thread.sleep(30);
        } while (!rolledOut(d) && System.nanoTime() < deadline);

        assertThat(rolledOut(d)).as("rolled out: %s", d.getStatus()).isTrue();
        assertThat(maxPods).as("replicas + maxSurge (25 %% of 4, rounded up)").isLessThanOrEqualTo(5);
        assertThat(minReady)
                .as("replicas - maxUnavailable (25 %% of 4, rounded down)")
                .isGreaterThanOrEqualTo(3);
        assertThat(oldAndNewTogether).as("old pods serve while new ones start").isTrue();
        List<V1ReplicaSet> rss = apps.listNamespacedReplicaSet(ns).execute().getItems();
        assertThat(rss).hasSize(2);
        V1ReplicaSet newRs = rss.stream()
                .filter(r -> APP2.equals(r.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage()))
                .findFirst()
                .orElseThrow();
        V1ReplicaSet oldRs = rss.stream().filter(r -> r != newRs).findFirst().orElseThrow();
        assertThat(newRs.getMetadata().getName())
                .isEqualTo("web-" + newRs.getMetadata().getLabels().get("pod-template-hash"));
        assertThat(newRs.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "2");
        assertThat(newRs.getSpec().getReplicas()).isEqualTo(4);
        assertThat(oldRs.getSpec().getReplicas()).isZero();
        assertThat(d.getStatus().getObservedGeneration()).isEqualTo(2L);
        assertThat(d.getStatus().getReplicas()).isEqualTo(4);
        assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(4);
        assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(4);
        assertThat(condition(d, "Progressing").getReason()).isEqualTo("NewReplicaSetAvailable");
        assertThat(condition(d, "Available").getStatus()).isEqualTo("True");
    }

    @Test
    void statusIsSummedOverOldAndNewReplicaSetsDuringARollout() throws Exception {
        String ns = namespace();
        apps.createNamespacedDeployment(ns, deployment("web", APP, 2)).execute();
        await(
                "first rollout",
                Duration.ofSeconds(10),
                () -> apps.readNamespacedDeployment("web", ns).execute(),
                WorkloadControllersTest::rolledOut);
        kube.crashLoop(APP2); // the new pods never become ready: the rollout stays half way
        patchImage(ns, "web", APP2);
        V1Deployment d = await(
                "new pods counted",
                Duration.ofSeconds(10),
                () -> apps.readNamespacedDeployment("web", ns).execute(),
                x -> x.getStatus().getUpdatedReplicas() != null && x.getStatus().getUpdatedReplicas() >= 1);
        Thread.sleep(1000);
        d = apps.readNamespacedDeployment("web", ns).execute();
        // surge 1 (25 % of 2 rounded up), unavailable 0: one new pod added, no old one removed
        assertThat(d.getStatus().getReplicas()).isEqualTo(3);
        assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(1);
        assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(2);
        assertThat(d.getStatus().getUnavailableReplicas()).isEqualTo(1);
        assertThat(d.getStatus().getObservedGeneration()).isEqualTo(2L);
        assertThat(condition(d, "Available").getStatus()).isEqualTo("True");
        assertThat(core.listNamespacedPod(ns).execute().getItems().stream()
                        .filter(WorkloadControllersTest::ready)
                        .map(WorkloadControllersTest::image))
                .containsExactly(APP, APP);
    }

    @Test
    void progressDeadlineExceededWhenNothingProgressesForProgressDeadlineSeconds() throws Exception {
        String ns = namespace();
        V1Deployment dep = deployment("stuck", "localhost/e2e/absent:1", 1);
        dep.getSpec().progressDeadlineSeconds(15); // 1.5 s at the default time scale
        dep.getSpec().getTemplate().getSpec().getContainers().get(0).imagePullPolicy("Never");
        long t0 = System.nanoTime();
        apps.createNamespacedDeployment(ns, dep).execute();
        V1Deployment early = await(
                "progressing",
                Duration.ofSeconds(5),
                () -> apps.readNamespacedDeployment("stuck", ns).execute(),
                x -> condition(x, "Progressing") != null);
        assertThat(condition(early, "Progressing").getStatus()).isEqualTo("True");
        V1Deployment d = await(
                "deadline exceeded",
                Duration.ofSeconds(10),
                () -> apps.readNamespacedDeployment("stuck", ns).execute(),
                x -> "False".equals(condition(x, "Progressing").getStatus()));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(TestBedTime.seconds(15));
        assertThat(condition(d, "Progressing").getReason()).isEqualTo("ProgressDeadlineExceeded");
        assertThat(condition(d, "Progressing").getMessage()).contains("has timed out progressing");
    }

    @Test
    void aFailingJobRetriesAfterADoublingBackOffThenFailureTargetThenFailed() throws Exception {
        String ns = namespace();
        kube.failJobs("migrate");
        batch.createNamespacedJob(ns, job("migrate", 2)).execute();
        Map<String, Long> firstSeen = new LinkedHashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        V1Job j;
        do {
            for (V1Pod p : core.listNamespacedPod(ns)
                    .labelSelector("job-name=migrate")
                    .execute()
                    .getItems()) {
                firstSeen.putIfAbsent(p.getMetadata().getName(), System.nanoTime());
            }
            j = batch.readNamespacedJob("migrate", ns).execute();
            Thread.sleep(20);
        } while (jobCondition(j, "Failed") == null && System.nanoTime() < deadline);

        assertThat(jobCondition(j, "Failed")).as("Failed: %s", j.getStatus()).isNotNull();
        assertThat(firstSeen).hasSize(3); // backoffLimit 2: the first attempt and two retries
        List<Long> t = new ArrayList<>(firstSeen.values());
        // each attempt runs ~0.3 s; then 10 s, 20 s back-off (× the time scale)
        assertThat(Duration.ofNanos(t.get(1) - t.get(0))).isGreaterThanOrEqualTo(TestBedTime.seconds(10));
        assertThat(Duration.ofNanos(t.get(2) - t.get(1))).isGreaterThanOrEqualTo(TestBedTime.seconds(20));
        assertThat(j.getStatus().getFailed()).isEqualTo(3);
        List<String> types = j.getStatus().getConditions().stream()
                .map(V1JobCondition::getType)
                .toList();
        assertThat(types).containsSubsequence("FailureTarget", "Failed");
        assertThat(jobCondition(j, "Failed").getReason()).isEqualTo("BackoffLimitExceeded");
        assertThat(core.listNamespacedPod(ns)
                        .labelSelector("job-name=migrate")
                        .execute()
                        .getItems())
                .allSatisfy(p -> {
                    assertThat(p.getStatus().getPhase()).isEqualTo("Failed");
                    assertThat(p.getStatus()
                                    .getContainerStatuses()
                                    .get(0)
                                    .getState()
                                    .getTerminated()
                                    .getExitCode())
                            .isEqualTo(1);
                });
    }

    @Test
    void anOnFailureJobPastItsBackoffLimitIsFailedOnlyOnceItsPodIsGone() throws Exception {
        String ns = namespace();
        kube.crashLoop(APP);
        V1Job job = job("loop", 1);
        job.getSpec().getTemplate().getSpec().setRestartPolicy("OnFailure");
        job.getSpec().getTemplate().getSpec().getContainers().get(0).image(APP);
        batch.createNamespacedJob(ns, job).execute();
        V1Job j = await(
                "failure target",
                Duration.ofSeconds(10),
                () -> batch.readNamespacedJob("loop", ns).execute(),
                x -> jobCondition(x, "FailureTarget") != null);
        j = await(
                "failed",
                Duration.ofSeconds(10),
                () -> batch.readNamespacedJob("loop", ns).execute(),
                x -> jobCondition(x, "Failed") != null);
        assertThat(core.listNamespacedPod(ns)
                        .labelSelector("job-name=loop")
                        .execute()
                        .getItems())
                .isEmpty();
        assertThat(j.getStatus().getActive()).isNull();
        assertThat(j.getStatus().getConditions().stream()
                        .map(V1JobCondition::getType)
                        .toList())
                .containsSubsequence("FailureTarget", "Failed");
    }

    @Test
    void aSucceededJobMeetsItsSuccessCriteriaAndCompletes() throws Exception {
        String ns = namespace();
        batch.createNamespacedJob(ns, job("ok", 6)).execute();
        V1Job j = await(
                "complete",
                Duration.ofSeconds(10),
                () -> batch.readNamespacedJob("ok", ns).execute(),
                x -> jobCondition(x, "Complete") != null);
        assertThat(j.getStatus().getConditions().stream()
                        .map(V1JobCondition::getType)
                        .toList())
                .containsSubsequence("SuccessCriteriaMet", "Complete");
        assertThat(jobCondition(j, "Complete").getReason()).isEqualTo("CompletionsReached");
        assertThat(j.getStatus().getSucceeded()).isEqualTo(1);
    }

    @Test
    void jobAndKubeletBackOffsDoubleUpToTheirCaps() {
        assertThat(JobController.backoff(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(JobController.backoff(3)).isEqualTo(Duration.ofSeconds(40));
        assertThat(JobController.backoff(7)).isEqualTo(Duration.ofMinutes(10));
        assertThat(KubeletProbes.restartBackoff(0)).isZero(); // the first restart is immediate
        assertThat(KubeletProbes.restartBackoff(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(KubeletProbes.restartBackoff(2)).isEqualTo(Duration.ofSeconds(20));
        assertThat(KubeletProbes.restartBackoff(9)).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void createContainerConfigErrorHealsWhenTheConfigMapAppears() throws Exception {
        String ns = namespace();
        V1Pod pod = new V1Pod()
                .metadata(new V1ObjectMeta().name("cfg").labels(Map.of("app", "cfg")))
                .spec(new V1PodSpec()
                        .containers(List.of(new V1Container()
                                .name("main")
                                .image(APP)
                                .env(List.of(new V1EnvVar()
                                        .name("X")
                                        .valueFrom(new V1EnvVarSource()
                                                .configMapKeyRef(new V1ConfigMapKeySelector()
                                                        .name("settings")
                                                        .key("x"))))))));
        core.createNamespacedPod(ns, pod).execute();
        V1Pod waiting = await(
                "config error",
                Duration.ofSeconds(5),
                () -> core.readNamespacedPod("cfg", ns).execute(),
                p -> "CreateContainerConfigError".equals(waitingReason(p)));
        assertThat(waiting.getStatus()
                        .getContainerStatuses()
                        .get(0)
                        .getState()
                        .getWaiting()
                        .getMessage())
                .isEqualTo("configmap \"settings\" not found");
        core.createNamespacedConfigMap(
                        ns,
                        new V1ConfigMap()
                                .metadata(new V1ObjectMeta().name("settings"))
                                .data(Map.of("x", "1")))
                .execute();
        V1Pod running = await(
                "healed",
                Duration.ofSeconds(5),
                () -> core.readNamespacedPod("cfg", ns).execute(),
                WorkloadControllersTest::ready);
        assertThat(running.getStatus().getPhase()).isEqualTo("Running");
    }

    @Test
    void timeScaleIsTheDocumentedDefaultAndRefusesNonsense() {
        assertThat(TestBedTime.parse(null)).isEqualTo(TestBedTime.DEFAULT);
        assertThat(TestBedTime.parse("1")).isEqualTo(1.0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestBedTime.parse("0"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ helpers

    /** kubectl rollout status's verdict for a Deployment (rollout_status.go). */
    private static boolean rolledOut(V1Deployment d) {
        var s = d.getStatus();
        if (s == null
                || s.getObservedGeneration() == null
                || s.getObservedGeneration() < d.getMetadata().getGeneration()) {
            return false;
        }
        int want = d.getSpec().getReplicas();
        int updated = n(s.getUpdatedReplicas());
        return updated >= want && n(s.getReplicas()) <= updated && n(s.getAvailableReplicas()) >= updated;
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }

    private static boolean ready(V1Pod p) {
        return p.getStatus() != null
                && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static String image(V1Pod p) {
        return p.getSpec().getContainers().get(0).getImage();
    }

    private static String waitingReason(V1Pod p) {
        if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
            return null;
        }
        V1ContainerStatus cs = p.getStatus().getContainerStatuses().get(0);
        return cs.getState() == null || cs.getState().getWaiting() == null
                ? null
                : cs.getState().getWaiting().getReason();
    }

    private static V1Deployment deployment(String name, String image, int replicas) {
        return new V1Deployment()
                .apiVersion("apps/v1")
                .kind("Deployment")
                .metadata(new V1ObjectMeta().name(name))
                .spec(new V1DeploymentSpec()
                        .replicas(replicas)
                        .selector(new V1LabelSelector().matchLabels(Map.of("app", name)))
                        .template(new V1PodTemplateSpec()
                                .metadata(new V1ObjectMeta().labels(Map.of("app", name)))
                                .spec(new V1PodSpec()
                                        .containers(new ArrayList<>(List.of(
                                                new V1Container().name("main").image(image)))))));
    }

    private static V1Job job(String name, int backoffLimit) {
        V1PodTemplateSpec t = new V1PodTemplateSpec()
                .metadata(new V1ObjectMeta().labels(Map.of("app", name)))
                .spec(new V1PodSpec()
                        .restartPolicy("Never")
                        .containers(new ArrayList<>(
                                List.of(new V1Container().name("main").image(APP)))));
        return new V1Job()
                .metadata(new V1ObjectMeta().name(name))
                .spec(new V1JobSpec().backoffLimit(backoffLimit).template(t));
    }

    private static void patchImage(String ns, String name, String image) throws ApiException {
        String patch = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"" + image
                + "\"}]}}}}";
        PatchUtils.patch(
                V1Deployment.class,
                () -> apps.patchNamespacedDeployment(name, ns, new V1Patch(patch))
                        .buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
                client);
    }

    private static <T> T await(String what, Duration timeout, Callable<T> probe, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = probe.call();
                if (done.test(last)) {
                    return last;
                }
            } catch (ApiException e) {
                // not there yet
            }
            Thread.sleep(30);
        }
        return fail("timed out after %s waiting for %s; last value: %s", timeout, what, last);
    }
}
