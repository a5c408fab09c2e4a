package io.github.e2ekit.e2e.testbed.kube;

import io.github.e2ekit.e2e.deploy.KubeApi;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set-up of tests that need the test bed's API server only (no engine, no processes): one
 * {@link FakeKubernetes} on an in-memory {@code kind-control-plane} per test class, the plugin's {@link KubeApi} and
 * client-java's {@link CoreV1Api} to it, a counter for unique names and a temporary folder per test.
 */
public abstract class FakeApiServerTestBase {
    protected static final AtomicInteger SEQ = new AtomicInteger();
    protected static FakeKubernetes kube;
    protected static KubeApi api;
    protected static CoreV1Api core;

    @TempDir
    protected Path dir;

    @BeforeAll
    static void startApiServer() {
        kube = new FakeKubernetes(new InMemoryNodeImages("kind-control-plane"));
        api = new KubeApi(kube.client());
        core = new CoreV1Api(kube.client());
    }

    @AfterAll
    static void stopApiServer() {
        kube.close();
    }
}
