package io.github.e2ekit.e2e.kind;

/** One node container of a kind cluster. */
public record KindNode(String name, String role, String containerId) {
    public static final String CLUSTER_LABEL = "io.x-k8s.kind.cluster";
    public static final String ROLE_LABEL = "io.x-k8s.kind.role";

    public boolean isControlPlane() {
        return "control-plane".equals(role);
    }
}
