package io.github.e2ekit.e2e.testbed.kube;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API server's OpenAPI v3 documents ({@code /openapi/v3} and one per group version, kube-openapi
 * {@code pkg/handler3}), reduced to what clients read: each resource's PATCH operation with its
 * {@code x-kubernetes-group-version-kind}, its query parameters and its patch content types, and no schemas.
 *
 * <p>Why kubectl needs it: {@code kubectl apply} validates with {@code --validate=strict} by default and leaves
 * validation to the server only when the PATCH operation of the object's kind lists the {@code fieldValidation}
 * parameter (kubernetes {@code staging/src/k8s.io/cli-runtime/pkg/resource/query_param_verifier_v3.go},
 * {@code supportsQueryParamV3}); otherwise it falls back to client-side validation with {@code /openapi/v2}
 * ({@code fallback_query_param_verifier.go}), which fails when that is missing. Built-in kinds advertise
 * strategic merge patch; with no schema in {@code components} kubectl computes the patch from its compiled-in
 * types ({@code staging/src/k8s.io/kubectl/pkg/cmd/apply/patcher.go}, {@code buildStrategicMergeFromBuiltins});
 * custom resources advertise JSON merge patch only, as the real server does.
 */
final class OpenApiV3 {
    private static final List<String> PATCH_PARAMETERS = List.of("dryRun", "fieldManager", "fieldValidation", "force");

    private OpenApiV3() {}

    /** {@code GET /openapi/v3}: one entry per group version, with a content hash in its URL. */
    static ObjectNode root(List<ResourceType> types) {
        ObjectNode out = Json.obj();
        ObjectNode paths = out.putObject("paths");
        groupVersions(types)
                .forEach((key, gvTypes) -> paths.putObject(key)
                        .put(
                                "serverRelativeURL",
                                "/openapi/v3/" + key + "?hash=" + hash(Json.write(document(gvTypes)))));
        return out;
    }

    /** {@code GET /openapi/v3/api/v1} or {@code /openapi/v3/apis/<group>/<version>}; empty when unknown. */
    static Optional<ObjectNode> groupVersion(List<ResourceType> types, String path) {
        String key = path.substring("/openapi/v3/".length());
        List<ResourceType> gvTypes = groupVersions(types).get(key);
        return gvTypes == null ? Optional.empty() : Optional.of(document(gvTypes));
    }

    private static Map<String, List<ResourceType>> groupVersions(List<ResourceType> types) {
        Map<String, List<ResourceType>> out = new LinkedHashMap<>();
        for (ResourceType t : types) {
            String key = t.group().isEmpty() ? "api/" + t.version() : "apis/" + t.group() + "/" + t.version();
            out.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(t);
        }
        return out;
    }

    private static ObjectNode document(List<ResourceType> types) {
        ObjectNode doc = Json.obj().put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", "v1.31.0");
        ObjectNode paths = doc.putObject("paths");
        for (ResourceType t : types) {
            String path = t.namespaced() ? t.objectPath("{namespace}", "{name}") : t.objectPath(null, "{name}");
            ObjectNode patch = paths.putObject(path).putObject("patch");
            patch.put("operationId", "patch" + t.kind());
            patch.putObject("x-kubernetes-group-version-kind")
                    .put("group", t.group())
                    .put("version", t.version())
                    .put("kind", t.kind());
            patch.put("x-kubernetes-action", "patch");
            ArrayNode params = patch.putArray("parameters");
            for (String name : PATCH_PARAMETERS) {
                ObjectNode param = params.addObject().put("name", name).put("in", "query");
                param.putObject("schema").put("type", name.equals("force") ? "boolean" : "string");
            }
            ObjectNode content = patch.putObject("requestBody").putObject("content");
            content.putObject("application/apply-patch+yaml");
            content.putObject("application/json-patch+json");
            content.putObject("application/merge-patch+json");
            if (ResourceType.BUILT_IN.contains(t)) {
                content.putObject("application/strategic-merge-patch+json");
            }
        }
        doc.putObject("components").putObject("schemas");
        return doc;
    }

    private static String hash(String text) {
        try {
            return HexFormat.of()
                    .withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-512").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
