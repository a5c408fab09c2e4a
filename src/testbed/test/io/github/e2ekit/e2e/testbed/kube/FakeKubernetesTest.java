package io.github.e2ekit.e2e.testbed.kube;

import static io.github.e2ekit.e2e.testbed.kube.Conditions.condition;
import static io.github.e2ekit.e2e.testbed.kube.Conditions.jobCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.ApiextensionsV1Api;
import io.kubernetes.client.openapi.apis.ApisApi;
import io.kubernetes.client.openapi.apis.CoreApi;
import io.kubernetes.client.openapi.apis.VersionApi;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1APIGroup;
import io.kubernetes.client.openapi.models.V1APIResource;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1CustomResourceDefinition;
import io.kubernetes.client.openapi.models.V1CustomResourceDefinitionNames;
import io.kubernetes.client.openapi.models.V1CustomResourceDefinitionSpec;
import io.kubernetes.client.openapi.models.V1CustomResourceDefinitionVersion;
import io.kubernetes.client.openapi.models.V1CustomResourceSubresources;
import io.kubernetes.client.openapi.models.V1CustomResourceValidation;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1DaemonSetSpec;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1JSONSchemaProps;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetSpec;
import io.kubernetes.client.openapi.models.VersionInfo;
import io.kubernetes.client.util.PatchUtils;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FakeKubernetesTest extends ClientJavaTestBase {

    private static final String APP_IMAGE = "localhost/e2e/app:1";
    private static final String APP_ID = "sha256:" + "a".repeat(64);
    private static final String APP2_IMAGE = "localhost/e2e/app:2";
    private static final String APP2_ID = "sha256:" + "b".repeat(64);
    private static final String BUSYBOX_ID = "sha256:" + "c".repeat(64);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static InMemoryNodeImages images;

    @BeforeAll
    static void start() {
        images = new InMemoryNodeImages("kind-control-plane")
                .load(APP_IMAGE, APP_ID)
                .load(APP2_IMAGE, APP2_ID)
                .load("docker.io/library/busybox:1", BUSYBOX_ID);
        startOn(images);
    }

    // ------------------------------------------------------------------ kubelet and controllers

    @Test
    void deploymentWithPresentImageBecomesAvailableAndReportsImageId() throws Exception {
        String ns = namespace();
        apps.createNamespacedDeployment(ns, deployment("web", APP_IMAGE, null, 1))
                .execute();

        V1Deployment d = await(
                "deployment available",
                () -> apps.readNamespacedDeployment("web", ns).execute(),
                FakeKubernetesTest::available);
        V1DeploymentStatus st = d.getStatus();
        assertThat(st.getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
        assertThat(st.getReadyReplicas()).isEqualTo(1);
        assertThat(st.getUpdatedReplicas()).isEqualTo(1);
        assertThat(st.getAvailableReplicas()).isEqualTo(1);
        assertThat(condition(d, "Progressing").getReason()).isEqualTo("NewReplicaSetAvailable");

        List<V1Pod> pods =
                core.listNamespacedPod(ns).labelSelector("app=web").execute().getItems();
        assertThat(pods).hasSize(1);
        V1Pod pod = pods.get(0);
        assertThat(pod.getMetadata().getName()).matches("web-[a-z0-9]{6,10}-[a-z0-9]{5}");
        assertThat(pod.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("ReplicaSet"));
        assertThat(pod.getSpec().getNodeName()).isEqualTo("kind-control-plane");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
        V1ContainerStatus cs = pod.getStatus().getContainerStatuses().get(0);
        assertThat(cs.getImageID()).isEqualTo(APP_ID);
        assertThat(cs.getImage()).isEqualTo(APP_IMAGE);
        assertThat(cs.getReady()).isTrue();
        assertThat(cs.getState().getRunning()).isNotNull();
    }

    @Test
    void deploymentWithAbsentImageAndPolicyNeverIsNeverAvailable() throws Exception {
        String ns = namespace();
        apps.createNamespacedDeployment(ns, deployment("web", "localhost/e2e/missing:1", "Never", 1))
                .execute();

        V1ContainerStatus cs = awaitContainer(ns, "app=web", s -> waitingReason(s) != null);
        assertThat(waitingReason(cs)).isEqualTo("ErrImageNeverPull");
        assertThat(cs.getState().getWaiting().getMessage())
                .contains("localhost/e2e/missing:1")
                .contains("Never");
        assertThat(cs.getReady()).isFalse();

        Thread.sleep(700);
        V1Deployment d = apps.readNamespacedDeployment("web", ns).execute();
        assertThat(available(d)).isFalse();
        assertThat(condition(d, "Available").getStatus()).isEqualTo("False");
        assertThat(d.getStatus().getReadyReplicas()).isNull();

        List<CoreV1Event> events = core.listNamespacedEvent(ns).execute().getItems();
        assertThat(events).extracting(CoreV1Event::getReason).contains("ErrImageNeverPull", "Scheduled");
    }

    @Test
    void followingTheLogOfAContainerThatNeverStartedIsRefusedAsTheKubeletDoes() throws Exception {
        String ns = namespace();
        core.createNamespacedPod(ns, pod("never", "localhost/e2e/missing:3", "Never"))
                .execute();
        awaitContainer(ns, "app=never", s -> "ErrImageNeverPull".equals(waitingReason(s)));
        // kubelet_pods.go validateContainerLogStatus: 400 "container … is waiting to start: <reason>"
        assertThatThrownBy(() -> core.readNamespacedPodLog("never", ns)
                        .container("main")
                        .follow(true)
                        .execute())
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).getCode()).isEqualTo(400))
                .satisfies(e -> assertThat(((ApiException) e).getResponseBody())
                        .contains(
                                "container \\\"main\\\" in pod \\\"never\\\" is waiting to start: ErrImageNeverPull"));
        // the two pull failures are worded for people
        core.createNamespacedPod(ns, pod("pull", "localhost/e2e/missing:4", "IfNotPresent"))
                .execute();
        awaitContainer(
                ns,
                "app=pull",
                s -> waitingReason(s) != null && waitingReason(s).contains("Pull"));
        assertThatThrownBy(
                        () -> core.readNamespacedPodLog("pull", ns).follow(true).execute())
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).getResponseBody())
                        .containsAnyOf(
                                "is waiting to start: image can't be pulled",
                                "is waiting to start: trying and failing to pull image"));
        // a running pod's log is served (and followed) at once; a pod that does not exist answers 404
        String ok = namespace();
        core.createNamespacedPod(ok, pod("runs", APP_IMAGE, "Never")).execute();
        awaitContainer(ok, "app=runs", s -> s.getState() != null && s.getState().getRunning() != null);
        try (java.io.InputStream in =
                new io.kubernetes.client.PodLogs(client).streamNamespacedPodLog(ok, "runs", "main")) {
            assertThat(new String(in.readNBytes(10), java.nio.charset.StandardCharsets.UTF_8))
                    .isNotEmpty();
        }
        assertThatThrownBy(() -> new io.kubernetes.client.PodLogs(client).streamNamespacedPodLog(ok, "gone", "main"))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).getCode()).isEqualTo(404));
    }

    @Test
    void ifNotPresentWithAbsentImageFailsToPull() throws Exception {
        String ns = namespace();
        core.createNamespacedPod(ns, pod("p", "localhost/e2e/missing:2", "IfNotPresent"))
                .execute();
        V1ContainerStatus cs = awaitContainer(ns, "app=p", s -> waitingReason(s) != null);
        assertThat(waitingReason(cs)).isIn("ErrImagePull", "ImagePullBackOff");
        await("ImagePullBackOff", () -> pod(ns, "p"), p -> "ImagePullBackOff".equals(waitingReason(container(p))));
        assertThat(core.readNamespacedPod("p", ns).execute().getStatus().getPhase())
                .isEqualTo("Pending");
    }

    @Test
    void alwaysPullsAndFailsEvenWhenPresentExplicitOrImpliedByLatest() throws Exception {
        String ns = namespace();
        images.load("localhost/e2e/app:latest", APP_ID);
        core.createNamespacedPod(ns, pod("explicit", APP_IMAGE, "Always")).execute();
        core.createNamespacedPod(ns, pod("implied", "localhost/e2e/app", null)).execute();
        for (String name : List.of("explicit", "implied")) {
            V1Pod p = await(name + " waiting", () -> pod(ns, name), x -> waitingReason(container(x)) != null);
            assertThat(waitingReason(container(p))).isIn("ErrImagePull", "ImagePullBackOff");
            p = await(
                    name + " ErrImagePull",
                    () -> pod(ns, name),
                    x -> "ErrImagePull".equals(waitingReason(container(x))));
            assertThat(container(p).getState().getWaiting().getMessage()).contains("failed to pull");
            assertThat(container(p).getReady()).isFalse();
            assertThat(container(p).getImageID()).isEmpty();
        }
        assertThat(core.readNamespacedPod("implied", ns)
                        .execute()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImagePullPolicy())
                .isEqualTo("Always");
    }

    @Test
    void rollingUpdateReplacesPods() throws Exception {
        String ns = namespace();
        apps.createNamespacedDeployment(ns, deployment("web", APP_IMAGE, null, 2))
                .execute();
        await("available", () -> apps.readNamespacedDeployment("web", ns).execute(), FakeKubernetesTest::available);

        String patch = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"" + APP2_IMAGE
                + "\"}]}}}}";
        V1Deployment patched = mergePatchDeployment(ns, "web", patch);
        assertThat(patched.getMetadata().getGeneration()).isEqualTo(2L);

        await(
                "rolled out",
                () -> apps.readNamespacedDeployment("web", ns).execute(),
                d -> available(d)
                        && d.getStatus().getObservedGeneration() == 2L
                        && Objects.equals(d.getStatus().getUpdatedReplicas(), 2)
                        && Objects.equals(d.getStatus().getReplicas(), 2));
        List<V1Pod> pods = await(
                "old pods gone",
                () -> core.listNamespacedPod(ns)
                        .labelSelector("app=web")
                        .execute()
                        .getItems(),
                l -> l.size() == 2 && l.stream().allMatch(p -> APP2_ID.equals(imageId(p))));
        assertThat(pods).allSatisfy(p -> assertThat(container(p).getImage()).isEqualTo(APP2_IMAGE));
    }

    @Test
    void statefulSetAndDaemonSetGetPodsAndStatus() throws Exception {
        String ns = namespace();
        V1StatefulSet sts = new V1StatefulSet()
                .metadata(new V1ObjectMeta().name("db"))
                .spec(new V1StatefulSetSpec()
                        .replicas(2)
                        .serviceName("db")
                        .selector(selector("db"))
                        .template(template("db", APP_IMAGE, null)));
        apps.createNamespacedStatefulSet(ns, sts).execute();
        V1DaemonSet ds = new V1DaemonSet()
                .metadata(new V1ObjectMeta().name("agent"))
                .spec(new V1DaemonSetSpec().selector(selector("agent")).template(template("agent", APP_IMAGE, null)));
        apps.createNamespacedDaemonSet(ns, ds).execute();

        V1StatefulSet s = await(
                "sts ready",
                () -> apps.readNamespacedStatefulSet("db", ns).execute(),
                x -> x.getStatus() != null && Objects.equals(x.getStatus().getReadyReplicas(), 2));
        assertThat(s.getStatus().getObservedGeneration()).isEqualTo(1L);
        assertThat(s.getStatus().getCurrentRevision()).isEqualTo(s.getStatus().getUpdateRevision());
        assertThat(core.listNamespacedPod(ns).labelSelector("app=db").execute().getItems())
                .extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("db-0", "db-1");

        V1DaemonSet d = await(
                "ds ready",
                () -> apps.readNamespacedDaemonSet("agent", ns).execute(),
                x -> x.getStatus() != null && x.getStatus().getNumberReady() == 1);
        assertThat(d.getStatus().getDesiredNumberScheduled()).isEqualTo(1);
    }

    @Test
    void jobCompletesOrFailsOnInjectedFault() throws Exception {
        String ns = namespace();
        batch.createNamespacedJob(ns, job("ok", "busybox:1")).execute();
        kube.failJobs("bad");
        batch.createNamespacedJob(ns, job("bad", "busybox:1")).execute();

        V1Job ok = await(
                "job complete",
                () -> batch.readNamespacedJob("ok", ns).execute(),
                j -> jobCondition(j, "Complete") != null);
        assertThat(ok.getStatus().getSucceeded()).isEqualTo(1);
        assertThat(ok.getStatus().getCompletionTime()).isNotNull();
        assertThat(jobCondition(ok, "Failed")).isNull();

        V1Job bad = await(
                "job failed",
                () -> batch.readNamespacedJob("bad", ns).execute(),
                j -> jobCondition(j, "Failed") != null);
        assertThat(bad.getStatus().getFailed()).isEqualTo(2); // backoffLimit 1: two pods failed
        assertThat(jobCondition(bad, "Failed").getReason()).isEqualTo("BackoffLimitExceeded");
        assertThat(bad.getStatus().getSucceeded()).isNull();
        List<V1Pod> pods = core.listNamespacedPod(ns)
                .labelSelector("job-name=bad")
                .execute()
                .getItems();
        assertThat(pods).isNotEmpty().allSatisfy(p -> {
            assertThat(p.getStatus().getPhase()).isEqualTo("Failed");
            assertThat(container(p).getState().getTerminated().getExitCode()).isEqualTo(1);
        });
    }

    @Test
    void crashLoopFault() throws Exception {
        String ns = namespace();
        String image = "localhost/e2e/crash:1";
        images.load(image, "sha256:" + "d".repeat(64));
        kube.crashLoop(image);
        core.createNamespacedPod(ns, pod("c", image, null)).execute();
        V1Pod p = await("crash loop", () -> pod(ns, "c"), x -> "CrashLoopBackOff".equals(waitingReason(container(x))));
        V1ContainerStatus cs = container(p);
        assertThat(cs.getRestartCount()).isPositive();
        assertThat(cs.getLastState().getTerminated().getExitCode()).isEqualTo(1);
        assertThat(cs.getReady()).isFalse();
        assertThat(p.getStatus().getPhase()).isEqualTo("Running");
    }

    @Test
    void readinessDelayFault() throws Exception {
        String ns = namespace();
        kube.readinessDelay(Duration.ofMillis(1500));
        long t0 = System.nanoTime();
        core.createNamespacedPod(ns, pod("slow", APP_IMAGE, null)).execute();
        V1Pod running = await(
                "running",
                () -> pod(ns, "slow"),
                x -> x.getStatus() != null && "Running".equals(x.getStatus().getPhase()));
        assertThat(container(running).getReady()).isFalse();
        await(
                "ready",
                () -> pod(ns, "slow"),
                x -> Boolean.TRUE.equals(container(x).getReady()));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(1400));
    }

    @Test
    void failNextRequestsAnswersErrorsThenRecovers() throws Exception {
        String ns = namespace();
        String prefix = "/api/v1/namespaces/" + ns + "/configmaps";
        kube.failNextRequests(prefix, 500, 2);
        for (int i = 0; i < 2; i++) {
            ApiException e = catchApi(() -> core.listNamespacedConfigMap(ns).execute());
            assertThat(e.getCode()).isEqualTo(500);
            assertThat(statusBody(e).get("reason").getAsString()).isEqualTo("InternalError");
        }
        assertThat(core.listNamespacedConfigMap(ns).execute().getItems()).isEmpty();

        kube.failNextRequests(prefix, 409, 1);
        ApiException conflict = catchApi(
                () -> core.createNamespacedConfigMap(ns, configMap("a")).execute());
        assertThat(conflict.getCode()).isEqualTo(409);
        assertThat(statusBody(conflict).get("kind").getAsString()).isEqualTo("Status");
        core.createNamespacedConfigMap(ns, configMap("a")).execute();

        kube.failNextRequests(prefix, 429, 1);
        ApiException tooMany =
                catchApi(() -> core.readNamespacedConfigMap("a", ns).execute());
        assertThat(tooMany.getCode()).isEqualTo(429);
        assertThat(header(tooMany.getResponseHeaders(), "Retry-After")).isEqualTo("0");
        assertThat(core.readNamespacedConfigMap("a", ns).execute().getData()).containsEntry("k", "v");
    }

    // ------------------------------------------------------------------ API corrections

    @Test
    void createInMissingNamespaceIs404WithStatus() {
        ApiException e = catchApi(
                () -> core.createNamespacedConfigMap("nope", configMap("x")).execute());
        assertThat(e.getCode()).isEqualTo(404);
        JsonObject st = statusBody(e);
        assertThat(st.get("kind").getAsString()).isEqualTo("Status");
        assertThat(st.get("apiVersion").getAsString()).isEqualTo("v1");
        assertThat(st.get("status").getAsString()).isEqualTo("Failure");
        assertThat(st.get("reason").getAsString()).isEqualTo("NotFound");
        assertThat(st.get("code").getAsInt()).isEqualTo(404);
        assertThat(st.get("message").getAsString()).isEqualTo("namespaces \"nope\" not found");
    }

    @Test
    void notFoundAndAlreadyExistsCarryStatus() throws Exception {
        String ns = namespace();
        ApiException nf =
                catchApi(() -> apps.readNamespacedDeployment("ghost", ns).execute());
        assertThat(nf.getCode()).isEqualTo(404);
        assertThat(statusBody(nf).get("message").getAsString()).isEqualTo("deployments.apps \"ghost\" not found");
        core.createNamespacedConfigMap(ns, configMap("dup")).execute();
        ApiException ae = catchApi(
                () -> core.createNamespacedConfigMap(ns, configMap("dup")).execute());
        assertThat(ae.getCode()).isEqualTo(409);
        assertThat(statusBody(ae).get("reason").getAsString()).isEqualTo("AlreadyExists");
        V1ConfigMap stale = core.readNamespacedConfigMap("dup", ns).execute();
        core.replaceNamespacedConfigMap("dup", ns, stale.data(Map.of("k", "2"))).execute();
        ApiException cf = catchApi(() -> core.replaceNamespacedConfigMap("dup", ns, stale.data(Map.of("k", "3")))
                .execute());
        assertThat(cf.getCode()).isEqualTo(409);
        assertThat(statusBody(cf).get("reason").getAsString()).isEqualTo("Conflict");

        DynamicKubernetesApi dyn = new DynamicKubernetesApi("apps", "v1", "deployments", client);
        KubernetesApiResponse<DynamicKubernetesObject> r = dyn.get(ns, "ghost");
        assertThat(r.getHttpStatusCode()).isEqualTo(404);
        assertThat(r.getStatus().getReason()).isEqualTo("NotFound");
    }

    @Test
    void writesToMainResourceKeepStatusAndStatusWritesChangeIt() throws Exception {
        String ns = namespace();
        apps.createNamespacedDeployment(ns, deployment("web", APP_IMAGE, null, 1))
                .execute();
        V1Deployment d = await(
                "available", () -> apps.readNamespacedDeployment("web", ns).execute(), FakeKubernetesTest::available);
        d.getStatus().setReplicas(42);
        d.getStatus().setConditions(List.of());
        d.getMetadata().putLabelsItem("touched", "yes");
        V1Deployment replaced = apps.replaceNamespacedDeployment("web", ns, d).execute();
        assertThat(replaced.getMetadata().getLabels()).containsEntry("touched", "yes");
        assertThat(replaced.getStatus().getReplicas()).isEqualTo(1);
        assertThat(replaced.getStatus().getConditions()).isNotEmpty();
        assertThat(replaced.getMetadata().getGeneration()).isEqualTo(1L);

        mergePatchDeployment(ns, "web", "{\"status\":{\"replicas\":7}}");
        assertThat(apps.readNamespacedDeployment("web", ns)
                        .execute()
                        .getStatus()
                        .getReplicas())
                .isEqualTo(1);

        // /status writes (with a query string) do change status; the answer shows the stored state right after
        // the write (the next controller pass puts the real values back)
        V1Deployment fresh = apps.readNamespacedDeployment("web", ns).execute();
        fresh.getStatus().setReplicas(9);
        fresh.getMetadata().putLabelsItem("ignored", "on-status-write");
        V1Deployment viaStatus = apps.replaceNamespacedDeploymentStatus("web", ns, fresh)
                .fieldManager("t")
                .execute();
        assertThat(viaStatus.getStatus().getReplicas()).isEqualTo(9);
        assertThat(viaStatus.getMetadata().getLabels()).doesNotContainKey("ignored");
        V1Deployment patchedStatus = PatchUtils.patch(
                V1Deployment.class,
                () -> apps.patchNamespacedDeploymentStatus("web", ns, new V1Patch("{\"status\":{\"replicas\":8}}"))
                        .fieldManager("t")
                        .buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
                client);
        assertThat(patchedStatus.getStatus().getReplicas()).isEqualTo(8);
    }

    @Test
    void mergePatchReplacesListsAndNullRemovesKeys() throws Exception {
        String ns = namespace();
        V1Deployment d = deployment("web", APP_IMAGE, null, 1);
        d.getMetadata().putLabelsItem("drop", "me");
        d.getSpec()
                .getTemplate()
                .getSpec()
                .addContainersItem(new V1Container().name("side").image(APP_IMAGE));
        apps.createNamespacedDeployment(ns, d).execute();
        String patch = "{\"metadata\":{\"labels\":{\"drop\":null}},\"spec\":{\"template\":{\"spec\":{\"containers\":"
                + "[{\"name\":\"main\",\"image\":\"" + APP2_IMAGE + "\"}]}}}}";
        V1Deployment patched = mergePatchDeployment(ns, "web", patch);
        assertThat(patched.getMetadata().getLabels()).doesNotContainKey("drop").containsEntry("app", "web");
        List<V1Container> containers = patched.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).singleElement().satisfies(c -> {
            assertThat(c.getImage()).isEqualTo(APP2_IMAGE);
            assertThat(c.getName()).isEqualTo("main");
        });
        V1Deployment read = apps.readNamespacedDeployment("web", ns).execute();
        assertThat(read.getSpec().getTemplate().getSpec().getContainers()).hasSize(1);
        assertThat(read.getMetadata().getLabels()).doesNotContainKey("drop");
    }

    @Test
    void strategicMergeAndServerSideApplyAreApproximated() throws Exception {
        String ns = namespace();
        String applied = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\","
                + "\"namespace\":\"" + ns + "\"},\"data\":{\"a\":\"1\"}}";
        V1ConfigMap first = PatchUtils.patch(
                V1ConfigMap.class,
                () -> core.patchNamespacedConfigMap("cfg", ns, new V1Patch(applied))
                        .fieldManager("test")
                        .force(true)
                        .buildCall(null),
                V1Patch.PATCH_FORMAT_APPLY_YAML,
                client);
        assertThat(first.getData()).containsEntry("a", "1");
        V1ConfigMap second = PatchUtils.patch(
                V1ConfigMap.class,
                () -> core.patchNamespacedConfigMap("cfg", ns, new V1Patch(applied.replace("\"1\"", "\"2\"")))
                        .fieldManager("test")
                        .force(true)
                        .buildCall(null),
                V1Patch.PATCH_FORMAT_APPLY_YAML,
                client);
        assertThat(second.getData()).containsEntry("a", "2");
        assertThat(second.getMetadata().getUid()).isEqualTo(first.getMetadata().getUid());

        V1Deployment d = deployment("web", APP_IMAGE, null, 1);
        d.getSpec()
                .getTemplate()
                .getSpec()
                .addContainersItem(new V1Container().name("side").image(APP_IMAGE));
        apps.createNamespacedDeployment(ns, d).execute();
        V1Deployment merged = PatchUtils.patch(
                V1Deployment.class,
                () -> apps.patchNamespacedDeployment(
                                "web",
                                ns,
                                new V1Patch("{\"spec\":{\"template\":{\"spec\":"
                                        + "{\"containers\":[{\"name\":\"main\",\"image\":\"" + APP2_IMAGE + "\"}]}}}}"))
                        .buildCall(null),
                V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH,
                client);
        assertThat(merged.getSpec().getTemplate().getSpec().getContainers())
                .extracting(V1Container::getName, V1Container::getImage)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("main", APP2_IMAGE),
                        org.assertj.core.groups.Tuple.tuple("side", APP_IMAGE));
    }

    @Test
    void deletingADeploymentCollectsItsReplicaSetsAndPods() throws Exception {
        String ns = namespace();
        apps.createNamespacedDeployment(ns, deployment("web", APP_IMAGE, null, 2))
                .execute();
        await("pods", () -> core.listNamespacedPod(ns).execute().getItems(), l -> l.size() == 2);
        assertThat(apps.listNamespacedReplicaSet(ns).execute().getItems()).hasSize(1);
        apps.deleteNamespacedDeployment("web", ns).execute();
        await("pods gone", () -> core.listNamespacedPod(ns).execute().getItems(), List::isEmpty);
        assertThat(apps.listNamespacedReplicaSet(ns).execute().getItems()).isEmpty();
    }

    @Test
    void imageReferencesAreNormalised() {
        assertThat(NodeImages.normalize("busybox:1")).isEqualTo("docker.io/library/busybox:1");
        assertThat(NodeImages.normalize("docker.io/library/busybox:1")).isEqualTo("docker.io/library/busybox:1");
        assertThat(NodeImages.normalize("library/busybox")).isEqualTo("docker.io/library/busybox:latest");
        assertThat(NodeImages.normalize("localhost/x/y:tag")).isEqualTo("localhost/x/y:tag");
        assertThat(NodeImages.normalize("localhost:5000/y")).isEqualTo("localhost:5000/y:latest");
        assertThat(NodeImages.normalize("acme/app@sha256:" + "e".repeat(64))).startsWith("docker.io/acme/app@sha256:");
        assertThat(NodeImages.isLatest("busybox")).isTrue();
        assertThat(NodeImages.isLatest("busybox:latest")).isTrue();
        assertThat(NodeImages.isLatest("localhost:5000/busybox")).isTrue();
        assertThat(NodeImages.isLatest("localhost:5000/busybox:1")).isFalse();
        assertThat(images.imageId("kind-control-plane", "busybox:1")).contains(BUSYBOX_ID);
        assertThat(images.imageId("kind-control-plane", "busybox:2")).isEmpty();
    }

    @Test
    void versionThroughVersionApi() throws Exception {
        VersionInfo v = new VersionApi(client).getCode().execute();
        assertThat(v.getMajor()).isEqualTo("1");
        assertThat(v.getMinor()).isEqualTo("31");
        assertThat(v.getGitVersion()).isEqualTo("v1.31.0");
    }

    @Test
    void deletingNamespaceDeletesItsObjects() throws Exception {
        String ns = namespace();
        String other = namespace();
        core.createNamespacedConfigMap(ns, configMap("a")).execute();
        core.createNamespacedConfigMap(other, configMap("a")).execute();
        apps.createNamespacedDeployment(ns, deployment("web", APP_IMAGE, null, 1))
                .execute();
        await("pod", () -> core.listNamespacedPod(ns).execute().getItems(), l -> !l.isEmpty());

        core.deleteNamespace(ns).execute();

        // kubernetes pkg/registry/core/namespace/storage/storage.go: Terminating first, gone once emptied
        assertThat(core.readNamespace(ns).execute().getStatus().getPhase()).isEqualTo("Terminating");
        await(
                "namespace gone",
                () -> {
                    try {
                        core.readNamespace(ns).execute();
                        return false;
                    } catch (ApiException e) {
                        return e.getCode() == 404;
                    }
                },
                gone -> gone);
        assertThat(core.listNamespacedConfigMap(ns).execute().getItems()).isEmpty();
        assertThat(apps.listNamespacedDeployment(ns).execute().getItems()).isEmpty();
        assertThat(core.listNamespacedPod(ns).execute().getItems()).isEmpty();
        Thread.sleep(300); // a controller pass must not resurrect anything
        assertThat(core.listNamespacedPod(ns).execute().getItems()).isEmpty();
        assertThat(core.listNamespacedConfigMap(other).execute().getItems()).hasSize(1);
    }

    @Test
    void discoveryListsBuiltInResources() throws Exception {
        List<V1APIResource> appsResources = apps.getAPIResources().execute().getResources();
        V1APIResource deployments = appsResources.stream()
                .filter(r -> r.getName().equals("deployments"))
                .findFirst()
                .orElseThrow();
        assertThat(deployments.getKind()).isEqualTo("Deployment");
        assertThat(deployments.getNamespaced()).isTrue();
        assertThat(deployments.getSingularName()).isEqualTo("deployment");
        assertThat(deployments.getVerbs()).contains("create", "get", "list", "patch", "delete");
        assertThat(appsResources)
                .extracting(V1APIResource::getName)
                .contains("statefulsets", "daemonsets", "replicasets", "deployments/status");

        assertThat(core.getAPIResources().execute().getResources())
                .extracting(V1APIResource::getName)
                .contains(
                        "namespaces",
                        "pods",
                        "services",
                        "configmaps",
                        "secrets",
                        "serviceaccounts",
                        "persistentvolumeclaims",
                        "events",
                        "endpoints");
        assertThat(new CoreApi(client).getAPIVersions().execute().getVersions()).containsExactly("v1");
        assertThat(new ApisApi(client).getAPIVersions().execute().getGroups())
                .extracting(V1APIGroup::getName)
                .contains("apps", "batch", "rbac.authorization.k8s.io", "apiextensions.k8s.io");
        assertThat(apps.getAPIResources().execute().getGroupVersion()).isEqualTo("apps/v1");
        assertThat(new io.kubernetes.client.openapi.apis.AppsApi(client)
                        .getAPIGroup()
                        .execute()
                        .getPreferredVersion()
                        .getGroupVersion())
                .isEqualTo("apps/v1");
        assertThat(new io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api(client)
                        .getAPIResources()
                        .execute()
                        .getResources())
                .extracting(V1APIResource::getName)
                .contains("roles", "rolebindings", "clusterroles", "clusterrolebindings");
        assertThat(new io.kubernetes.client.openapi.apis.BatchV1Api(client)
                        .getAPIResources()
                        .execute()
                        .getResources())
                .extracting(V1APIResource::getName)
                .contains("jobs");
    }

    @Test
    void createdCrdBecomesEstablishedAndServesCustomResources() throws Exception {
        ApiextensionsV1Api ext = new ApiextensionsV1Api(client);
        V1CustomResourceDefinition crd = new V1CustomResourceDefinition()
                .metadata(new V1ObjectMeta().name("widgets.example.com"))
                .spec(new V1CustomResourceDefinitionSpec()
                        .group("example.com")
                        .scope("Namespaced")
                        .names(new V1CustomResourceDefinitionNames()
                                .plural("widgets")
                                .singular("widget")
                                .kind("Widget")
                                .listKind("WidgetList"))
                        .versions(List.of(new V1CustomResourceDefinitionVersion()
                                .name("v1")
                                .served(true)
                                .storage(true)
                                .subresources(new V1CustomResourceSubresources().status(Map.of()))
                                .schema(new V1CustomResourceValidation()
                                        .openAPIV3Schema(new V1JSONSchemaProps()
                                                .type("object")
                                                .xKubernetesPreserveUnknownFields(true))))));
        ext.createCustomResourceDefinition(crd).execute();
        V1CustomResourceDefinition established = await(
                "established",
                () -> ext.readCustomResourceDefinition("widgets.example.com").execute(),
                c -> c.getStatus() != null
                        && c.getStatus().getConditions() != null
                        && c.getStatus().getConditions().stream()
                                .anyMatch(x -> x.getType().equals("Established")
                                        && x.getStatus().equals("True")));
        assertThat(established.getStatus().getConditions())
                .anyMatch(x ->
                        x.getType().equals("NamesAccepted") && x.getStatus().equals("True"));
        // discovery lists the new group only a little later (CrdLifecycle.DISCOVERY_DELAY)
        await(
                "discovery",
                () -> new ApisApi(client).getAPIVersions().execute().getGroups(),
                g -> g.stream().anyMatch(x -> x.getName().equals("example.com")));

        String ns = namespace();
        DynamicKubernetesApi widgets = new DynamicKubernetesApi("example.com", "v1", "widgets", client);
        JsonObject raw = JsonParser.parseString("{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\","
                        + "\"metadata\":{\"name\":\"w1\",\"namespace\":\"" + ns + "\"},\"spec\":{\"size\":3}}")
                .getAsJsonObject();
        KubernetesApiResponse<DynamicKubernetesObject> created = widgets.create(new DynamicKubernetesObject(raw));
        assertThat(created.isSuccess()).as("create: %s", created.getStatus()).isTrue();
        List<DynamicKubernetesObject> listed = widgets.list(ns).getObject().getItems();
        assertThat(listed).extracting(o -> o.getMetadata().getName()).containsExactly("w1");
        assertThat(listed.get(0).getRaw().getAsJsonObject("spec").get("size").getAsInt())
                .isEqualTo(3);
    }

    @Test
    void kubeconfigNamesClusterContextAndUser(@TempDir Path dir) throws Exception {
        Path file = kube.writeKubeconfig(dir.resolve("kube/config"), "demo");
        String text = Files.readString(file);
        assertThat(text)
                .contains("current-context: kind-demo")
                .contains("server: " + kube.url())
                .contains("- name: kind-demo");
        assertThat(kube.url()).startsWith("http://127.0.0.1:");
    }

    @Test
    void podLogsAndRequestCount() throws Exception {
        String ns = namespace();
        long before = kube.requestCount();
        core.createNamespacedPod(ns, pod("p", APP_IMAGE, null)).execute();
        await(
                "running",
                () -> pod(ns, "p"),
                x -> x.getStatus() != null && "Running".equals(x.getStatus().getPhase()));
        String log = core.readNamespacedPodLog("p", ns).execute();
        assertThat(log).contains("started container main");
        assertThat(kube.requestCount()).isGreaterThan(before + 2);
    }

    // ------------------------------------------------------------------ helpers

    private static V1Deployment mergePatchDeployment(String ns, String name, String patch) throws ApiException {
        return PatchUtils.patch(
                V1Deployment.class,
                () -> apps.patchNamespacedDeployment(name, ns, new V1Patch(patch))
                        .buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
                client);
    }

    private static V1LabelSelector selector(String app) {
        return new V1LabelSelector().matchLabels(Map.of("app", app));
    }

    private static V1PodTemplateSpec template(String app, String image, String policy) {
        return new V1PodTemplateSpec()
                .metadata(new V1ObjectMeta().labels(Map.of("app", app)))
                .spec(new V1PodSpec()
                        .containers(new java.util.ArrayList<>(List.of(
                                new V1Container().name("main").image(image).imagePullPolicy(policy)))));
    }

    private static V1Deployment deployment(String name, String image, String policy, int replicas) {
        return new V1Deployment()
                .apiVersion("apps/v1")
                .kind("Deployment")
                .metadata(new V1ObjectMeta().name(name).labels(new java.util.HashMap<>(Map.of("app", name))))
                .spec(new V1DeploymentSpec()
                        .replicas(replicas)
                        .selector(selector(name))
                        .template(template(name, image, policy)));
    }

    private static V1Pod pod(String name, String image, String policy) {
        return new V1Pod()
                .metadata(new V1ObjectMeta().name(name).labels(Map.of("app", name)))
                .spec(new V1PodSpec()
                        .containers(List.of(
                                new V1Container().name("main").image(image).imagePullPolicy(policy))));
    }

    private static V1Job job(String name, String image) {
        V1PodTemplateSpec t = template(name, image, null);
        t.getSpec().setRestartPolicy("Never");
        return new V1Job()
                .metadata(new V1ObjectMeta().name(name))
                .spec(new V1JobSpec().backoffLimit(1).template(t));
    }

    private static V1ConfigMap configMap(String name) {
        return new V1ConfigMap().metadata(new V1ObjectMeta().name(name)).data(Map.of("k", "v"));
    }

    private static V1Pod pod(String ns, String name) throws ApiException {
        return core.readNamespacedPod(name, ns).execute();
    }

    private static V1ContainerStatus container(V1Pod p) {
        if (p.getStatus() == null
                || p.getStatus().getContainerStatuses() == null
                || p.getStatus().getContainerStatuses().isEmpty()) {
            return new V1ContainerStatus();
        }
        return p.getStatus().getContainerStatuses().get(0);
    }

    private static String imageId(V1Pod p) {
        return container(p).getImageID();
    }

    private static String waitingReason(V1ContainerStatus cs) {
        return cs.getState() == null || cs.getState().getWaiting() == null
                ? null
                : cs.getState().getWaiting().getReason();
    }

    private static V1ContainerStatus awaitContainer(String ns, String selector, Predicate<V1ContainerStatus> done)
            throws Exception {
        List<V1Pod> pods = await(
                "container of " + selector,
                () -> core.listNamespacedPod(ns)
                        .labelSelector(selector)
                        .execute()
                        .getItems(),
                l -> !l.isEmpty() && done.test(container(l.get(0))));
        return container(pods.get(0));
    }

    private static boolean available(V1Deployment d) {
        V1DeploymentCondition c = condition(d, "Available");
        return c != null && "True".equals(c.getStatus());
    }

    private static JsonObject statusBody(ApiException e) {
        return JsonParser.parseString(e.getResponseBody()).getAsJsonObject();
    }

    private static String header(Map<String, List<String>> headers, String name) {
        return headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().get(0))
                .findFirst()
                .orElse(null);
    }

    private static ApiException catchApi(Callable<?> call) {
        try {
            call.call();
        } catch (ApiException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected ApiException, got " + e, e);
        }
        throw new AssertionError("expected ApiException, call succeeded");
    }

    private static <T> T await(String what, Callable<T> probe, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        T last = null;
        Exception lastError = null;
        while (System.nanoTime() < deadline) {
            try {
                last = probe.call();
                lastError = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (ApiException e) {
                lastError = e;
            }
            Thread.sleep(50);
        }
        if (lastError != null) {
            throw new AssertionError(
                    "timed out waiting for " + what + "; last error: " + lastError.getMessage() + " "
                            + ((ApiException) lastError).getResponseBody(),
                    lastError);
        }
        return fail("timed out after %s waiting for %s; last value: %s", TIMEOUT, what, last);
    }
}
