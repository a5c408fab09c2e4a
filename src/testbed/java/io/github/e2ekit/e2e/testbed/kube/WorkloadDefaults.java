package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The API server's defaulting of workload update strategies (kubernetes {@code pkg/apis/apps/v1/defaults.go}:
 * {@code SetDefaults_Deployment}, {@code SetDefaults_DaemonSet}, {@code SetDefaults_StatefulSet}), which clients
 * read back: {@code kubectl rollout status} refuses a DaemonSet or StatefulSet whose
 * {@code spec.updateStrategy.type} is not {@code RollingUpdate} (kubernetes
 * {@code staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go}), and with the defaulted
 * {@code partition: 0} it reports a StatefulSet as "partitioned roll out complete". Only absent fields are set.
 */
final class WorkloadDefaults {
    private WorkloadDefaults() {}

    static void apply(String kind, ObjectNode spec) {
        switch (kind) {
            case "Deployment" -> {
                ObjectNode strategy = Json.with(spec, "strategy");
                if (!strategy.hasNonNull("type")) {
                    strategy.put("type", "RollingUpdate");
                }
                if ("RollingUpdate".equals(strategy.path("type").asText())) {
                    ObjectNode ru = Json.with(strategy, "rollingUpdate");
                    putIfAbsent(ru, "maxUnavailable", "25%");
                    putIfAbsent(ru, "maxSurge", "25%");
                }
                putIfAbsent(spec, "revisionHistoryLimit", 10);
                putIfAbsent(spec, "progressDeadlineSeconds", 600);
            }
            case "DaemonSet" -> {
                ObjectNode strategy = Json.with(spec, "updateStrategy");
                if (!strategy.hasNonNull("type")) {
                    strategy.put("type", "RollingUpdate");
                }
                if ("RollingUpdate".equals(strategy.path("type").asText())) {
                    ObjectNode ru = Json.with(strategy, "rollingUpdate");
                    putIfAbsent(ru, "maxUnavailable", 1);
                    putIfAbsent(ru, "maxSurge", 0);
                }
                putIfAbsent(spec, "revisionHistoryLimit", 10);
            }
            case "StatefulSet" -> {
                ObjectNode strategy = Json.with(spec, "updateStrategy");
                if (!strategy.hasNonNull("type")) {
                    strategy.put("type", "RollingUpdate");
                }
                if ("RollingUpdate".equals(strategy.path("type").asText())) {
                    putIfAbsent(Json.with(strategy, "rollingUpdate"), "partition", 0);
                }
                if (!spec.hasNonNull("podManagementPolicy")) {
                    spec.put("podManagementPolicy", "OrderedReady");
                }
                putIfAbsent(spec, "revisionHistoryLimit", 10);
            }
            default -> {}
        }
    }

    private static void putIfAbsent(ObjectNode o, String field, String value) {
        if (!o.hasNonNull(field)) {
            o.put(field, value);
        }
    }

    private static void putIfAbsent(ObjectNode o, String field, int value) {
        if (!o.hasNonNull(field)) {
            o.put(field, value);
        }
    }
}
