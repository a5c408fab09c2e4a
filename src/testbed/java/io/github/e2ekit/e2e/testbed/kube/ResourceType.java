package io.github.e2ekit.e2e.testbed.kube;

import java.util.ArrayList;
import java.util.List;

/** One REST resource the fake API server knows: what discovery says about it. */
record ResourceType(
        String group,
        String version,
        String plural,
        String singular,
        String kind,
        boolean namespaced,
        boolean hasStatus,
        List<String> shortNames) {

    static final List<String> VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    String groupVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code deployments.apps} / {@code pods}: the name used in API error messages. */
    String qualifiedName() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /** The REST path of the collection, in {@code namespace} when namespaced (null: all namespaces). */
    String collectionPath(String namespace) {
        String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        return namespaced && namespace != null
                ? prefix + "/namespaces/" + namespace + "/" + plural
                : prefix + "/" + plural;
    }

    String objectPath(String namespace, String name) {
        return collectionPath(namespace) + "/" + name;
    }

    static final List<ResourceType> BUILT_IN = builtIns();

    private static List<ResourceType> builtIns() {
        List<ResourceType> l = new ArrayList<>();
        l.add(new ResourceType("", "v1", "namespaces", "namespace", "Namespace", false, true, List.of("ns")));
        l.add(new ResourceType("", "v1", "nodes", "node", "Node", false, true, List.of("no")));
        l.add(new ResourceType("", "v1", "pods", "pod", "Pod", true, true, List.of("po")));
        l.add(new ResourceType("", "v1", "services", "service", "Service", true, true, List.of("svc")));
        l.add(new ResourceType("", "v1", "configmaps", "configmap", "ConfigMap", true, false, List.of("cm")));
        l.add(new ResourceType("", "v1", "secrets", "secret", "Secret", true, false, List.of()));
        l.add(new ResourceType(
                "", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, false, List.of("sa")));
        l.add(new ResourceType(
                "",
                "v1",
                "persistentvolumeclaims",
                "persistentvolumeclaim",
                "PersistentVolumeClaim",
                true,
                true,
                List.of("pvc")));
        l.add(new ResourceType("", "v1", "events", "event", "Event", true, false, List.of("ev")));
        l.add(new ResourceType("", "v1", "endpoints", "endpoints", "Endpoints", true, false, List.of("ep")));
        l.add(new ResourceType("apps", "v1", "deployments", "deployment", "Deployment", true, true, List.of("deploy")));
        l.add(new ResourceType("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, true, List.of("sts")));
        l.add(new ResourceType("apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, true, List.of("ds")));
        l.add(new ResourceType("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, true, List.of("rs")));
        l.add(new ResourceType("batch", "v1", "jobs", "job", "Job", true, true, List.of()));
        l.add(new ResourceType("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true, false, List.of()));
        l.add(new ResourceType(
                "rbac.authorization.k8s.io",
                "v1",
                "rolebindings",
                "rolebinding",
                "RoleBinding",
                true,
                false,
                List.of()));
        l.add(new ResourceType(
                "rbac.authorization.k8s.io",
                "v1",
                "clusterroles",
                "clusterrole",
                "ClusterRole",
                false,
                false,
                List.of()));
        l.add(new ResourceType(
                "rbac.authorization.k8s.io",
                "v1",
                "clusterrolebindings",
                "clusterrolebinding",
                "ClusterRoleBinding",
                false,
                false,
                List.of()));
        l.add(new ResourceType(
                "apiextensions.k8s.io",
                "v1",
                "customresourcedefinitions",
                "customresourcedefinition",
                "CustomResourceDefinition",
                false,
                true,
                List.of("crd", "crds")));
        return List.copyOf(l);
    }
}
