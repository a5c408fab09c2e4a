package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * What the kubelet checks before it creates a container: every ConfigMap and Secret its environment names
 * ({@code env[].valueFrom.configMapKeyRef/secretKeyRef}, {@code envFrom[]}) exists and has the key, unless marked
 * {@code optional}. Otherwise the container waits with reason {@code CreateContainerConfigError} and a message
 * like {@code configmap "app" not found}; the kubelet retries on every sync, so the error heals once the object
 * appears (kubernetes {@code pkg/kubelet/kubelet_pods.go makeEnvironmentVariables},
 * {@code pkg/kubelet/kuberuntime/kuberuntime_container.go startContainer}: {@code ErrCreateContainerConfig}).
 */
final class ContainerConfigCheck {
    private final FakeApiDispatcher api;
    private final ResourceType configMaps;
    private final ResourceType secrets;

    ContainerConfigCheck(FakeApiDispatcher api) {
        this.api = api;
        configMaps = api.typeOf("", "v1", "configmaps");
        secrets = api.typeOf("", "v1", "secrets");
    }

    /** Why the container cannot be created now, or empty. */
    Optional<String> problem(String namespace, JsonNode container) {
        for (JsonNode from : container.path("envFrom")) {
            for (String kind : new String[] {"configMapRef", "secretRef"}) {
                JsonNode ref = from.path(kind);
                if (ref.isObject() && !ref.path("optional").asBoolean(false)) {
                    String name = ref.path("name").asText();
                    if (find(kind.startsWith("config"), namespace, name) == null) {
                        return Optional.of(
                                (kind.startsWith("config") ? "configmap" : "secret") + " \"" + name + "\" not found");
                    }
                }
            }
        }
        for (JsonNode env : container.path("env")) {
            for (String kind : new String[] {"configMapKeyRef", "secretKeyRef"}) {
                JsonNode ref = env.path("valueFrom").path(kind);
                if (!ref.isObject() || ref.path("optional").asBoolean(false)) {
                    continue;
                }
                boolean cm = kind.startsWith("config");
                String name = ref.path("name").asText();
                String key = ref.path("key").asText();
                JsonNode obj = find(cm, namespace, name);
                if (obj == null) {
                    return Optional.of((cm ? "configmap" : "secret") + " \"" + name + "\" not found");
                }
                boolean has = obj.path("data").has(key)
                        || obj.path("binaryData").has(key)
                        || obj.path("stringData").has(key);
                if (!has) {
                    return Optional.of("couldn't find key " + key + " in " + (cm ? "ConfigMap" : "Secret") + " "
                            + namespace + "/" + name);
                }
            }
        }
        return Optional.empty();
    }

    private JsonNode find(boolean configMap, String namespace, String name) {
        return api.find(configMap ? configMaps : secrets, namespace, name);
    }
}
