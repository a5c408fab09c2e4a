package io.github.e2ekit.e2e.testbed.kube;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobCondition;

/** Status conditions as the workload tests read them: the one of a type, or null. */
final class Conditions {
    private Conditions() {}

    /** The Deployment's condition of {@code type} (any status), or null. */
    static V1DeploymentCondition condition(V1Deployment d, String type) {
        if (d.getStatus() == null || d.getStatus().getConditions() == null) {
            return null;
        }
        return d.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElse(null);
    }

    /** The Job's condition of {@code type} with status True, or null. */
    static V1JobCondition jobCondition(V1Job j, String type) {
        if (j.getStatus() == null || j.getStatus().getConditions() == null) {
            return null;
        }
        return j.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst()
                .orElse(null);
    }
}
