package io.github.e2ekit.e2e.testbed.kube;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;

/**
 * The set-up of tests that drive the test bed's API server, controllers and kubelet through client-java: one
 * {@link FakeKubernetes} per test class on the node images the class gives ({@link #startOn}), client-java's typed
 * APIs to it, the faults a test set cleared after it, and a new namespace whenever a test asks.
 */
abstract class ClientJavaTestBase {
    private static final AtomicInteger SEQ = new AtomicInteger();

    static FakeKubernetes kube;
    static ApiClient client;
    static CoreV1Api core;
    static AppsV1Api apps;
    static BatchV1Api batch;

    /** Starts the class's API server on {@code images}; called from the test class's {@code @BeforeAll}. */
    static void startOn(NodeImages images) {
        kube = new FakeKubernetes(images);
        client = kube.client();
        core = new CoreV1Api(client);
        apps = new AppsV1Api(client);
        batch = new BatchV1Api(client);
    }

    @AfterAll
    static void stop() {
        if (kube != null) {
            kube.close();
        }
    }

    @AfterEach
    void clearFaults() {
        kube.clearFaults();
    }

    /** A new namespace, unique in this run. */
    static String namespace() throws ApiException {
        String ns = "t" + SEQ.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 100000, 36);
        core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(ns)))
                .execute();
        return ns;
    }
}
